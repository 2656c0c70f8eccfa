"""Template helpers of the requests, for pages of the layers below (an enrolment's page links to each kind of
request without its app importing this one)."""

from django import template

from demandes.forms import LABELS

register = template.Library()


@register.simple_tag
def demande_kinds() -> list[tuple[str, str]]:
    """(kind, label) of every request a centre can file, in the order of the guide."""
    return list(LABELS.items())
