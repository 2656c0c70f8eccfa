from django import forms, template
from django.contrib import messages
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.html import format_html

from centres.tenancy import may_open
from core import formats, text

register = template.Library()


@register.simple_tag
def menu_url(name, *args):
    """The URL of a menu entry, or None while that part of the portal does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@register.simple_tag(takes_context=True)
def allowed_url(context, name, *args):
    """The URL of `name` when the current centre role may open it (the view's own `centre_view` rule)."""
    url = menu_url(name, *args)
    if url is None or not may_open(context.get("current_membership"), resolve(url).func):
        return None
    return url


def page_forms(context) -> list[forms.BaseForm]:
    """The forms of the page (the view's context), and those of its formsets."""
    found, seen = [], set()
    for value in context.flatten().values():
        items = list(value) if isinstance(value, forms.BaseFormSet) else [value]
        for item in items:
            if isinstance(item, forms.BaseForm) and id(item) not in seen:
                seen.add(id(item))
                found.append(item)
    return found


def has_errors(context) -> bool:
    """A form of the page came back with errors, or the view refused the action with an error message."""
    if any(form.is_bound and form.errors for form in page_forms(context)):
        return True
    return any(m.level >= messages.ERROR for m in context.get("messages", ()))


@register.simple_tag(takes_context=True)
def error_title_prefix(context):
    """« Erreur : » before the title of a page whose form came back with errors, or that shows an error
    message (RGAA 11.10)."""
    return "Erreur : " if has_errors(context) else ""


@register.inclusion_tag("includes/form_notes.html", takes_context=True)
def form_notes(context):
    """Above the content: the error summary (each error links to its field) and, when a form of the page
    has a required field, the sentence explaining the asterisk."""
    errors = []
    required = False
    for form in page_forms(context):
        required = required or any(f.field.required and not f.is_hidden for f in form)
        if not (form.is_bound and form.errors):
            continue
        for message in form.non_field_errors():
            errors.append({"message": message, "anchor": None})
        for field in form:
            for message in field.errors:
                errors.append({"label": field.label, "message": message, "anchor": field.id_for_label})
    return {"errors": errors, "required": required}


@register.filter(name="de")
def de_filter(name):
    """« auprès {{ centre.nom|de }} » → « auprès d'Alliance Française » (core.text.de)."""
    return text.de(name)


@register.filter
def euros(value):
    """The amount, kept on one line in pages and PDFs (« 95,00 € » never wraps before its « € »)."""
    text = formats.euros(value)
    return format_html('<span class="text-nowrap">{}</span>', text) if text else text
