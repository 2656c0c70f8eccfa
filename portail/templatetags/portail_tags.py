from decimal import Decimal

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()
NARROW_NBSP = "\u202f"


@register.simple_tag
def menu_url(name, *args):
    """The URL of a menu entry, or None while that part of the portal does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@register.filter
def euros(value):
    """French amount: 1 234,50 €."""
    if value in (None, ""):
        return ""
    value = Decimal(value).quantize(Decimal("0.01"))
    integer, _, cents = f"{value:,.2f}".partition(".")
    return integer.replace(",", NARROW_NBSP) + "," + cents + " €"


STATUS_BADGES = {
    "planifiee": "secondary",
    "ouverte": "success",
    "close": "warning",
    "anomalies": "danger",
    "correction": "info",
    "resultats": "primary",
    "cloturee": "dark",
    "annulee": "light",
    "en_cours": "warning",
    "validee": "success",
    "refusee": "danger",
}


@register.filter
def badge(status):
    return STATUS_BADGES.get(status, "secondary")
