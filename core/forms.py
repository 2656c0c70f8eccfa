"""Forms of the portal: every text a person types goes through the one normaliser (core.text) before any
validator sees it, whatever the form. `CleanForm` and `CleanModelForm` here are the bases every form of the portal
derives from (tests/test_text.py walks them all); `CleanTextMixin` does it for forms that must derive from
another base (Django's authentication form).

One-line fields get `clean()` (NFC, invisible and control characters removed, spaces collapsed, trimmed);
fields drawn as a textarea get `clean_multiline()` (line breaks kept). Passwords are never touched: they are
compared as typed. Choice, number and date fields are not text: their own parsing refuses what does not fit."""

from __future__ import annotations

from django import forms

from .text import clean, clean_multiline


def _normalising(to_python, normalise):
    def to_python_normalised(value):
        if isinstance(value, str):
            value = normalise(value)
        return to_python(value)

    return to_python_normalised


def normalise_text_fields(form: forms.BaseForm) -> None:
    """Make each text field of this form instance (Django deep-copies fields per instance) normalise its input
    first: to_python() runs before the field's validators (max_length, required, e-mail…)."""
    for field in form.fields.values():
        if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
            continue
        if getattr(field, "_text_normalised", False):
            continue
        normalise = clean_multiline if isinstance(field.widget, forms.Textarea) else clean
        field.to_python = _normalising(field.to_python, normalise)
        field._text_normalised = True


class CleanTextMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        normalise_text_fields(self)

    def full_clean(self):
        # Fields added after __init__ (a form that builds its fields from data) are normalised too.
        normalise_text_fields(self)
        super().full_clean()


class CleanForm(CleanTextMixin, forms.Form):
    pass


class CleanModelForm(CleanTextMixin, forms.ModelForm):
    pass
