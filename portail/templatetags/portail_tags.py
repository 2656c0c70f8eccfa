from django import template
from django.urls import NoReverseMatch, reverse

from core import formats

register = template.Library()


@register.simple_tag
def menu_url(name, *args):
    """The URL of a menu entry, or None while that part of the portal does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@register.filter
def euros(value):
    return formats.euros(value)
