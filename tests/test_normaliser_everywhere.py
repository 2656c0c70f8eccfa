"""The one normaliser (core.text) on everything a person types outside the import: every form of the portal
derives from core.forms (walked here, so a new form cannot forget it), the public site, the API."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.urls import reverse

import api.serializers
from core.forms import CleanTextMixin
from messagerie.models import Message

PORTAL_APPS = ("centres", "candidats", "sessions_app", "demandes", "messagerie", "tarifs", "portail", "api")
TYPED = "\ufeff Le\u00adfè\u200bvre\u202e\u00a0\u00a0Anne \x07"


def portal_forms():
    for app in PORTAL_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.iter_modules(package.__path__):
            if info.name in ("admin", "migrations", "tests"):  # the back office keeps Django's own forms
                continue
            module = importlib.import_module(f"{app}.{info.name}")
            for _, value in inspect.getmembers(module, inspect.isclass):
                if issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                    yield value


def test_every_form_of_the_portal_normalises_what_is_typed():
    found = sorted({f"{f.__module__}.{f.__name__}" for f in portal_forms()})
    assert len(found) > 20
    missing = [
        name
        for name, form in {f"{f.__module__}.{f.__name__}": f for f in portal_forms()}.items()
        if not issubclass(form, CleanTextMixin)
    ]
    assert missing == []


def test_one_line_and_multiline_fields_are_cleaned_before_validation_and_passwords_are_not():
    from core.forms import CleanForm

    class Sample(CleanForm):
        nom = forms.CharField(max_length=12)
        message = forms.CharField(widget=forms.Textarea)
        secret = forms.CharField(widget=forms.PasswordInput, strip=False)

    form = Sample(
        {"nom": TYPED, "message": "Bonjour\u200b,\r\n\r\n\r\n  ligne\u00a0 deux\x00", "secret": " a\u200bb "}
    )
    assert form.is_valid(), form.errors  # 12 characters once cleaned, not 20 as typed
    assert form.cleaned_data == {
        "nom": "Lefèvre Anne",
        "message": "Bonjour,\n\nligne deux",
        "secret": " a\u200bb ",
    }


@pytest.mark.django_db
def test_a_message_to_the_fda_is_stored_cleaned_with_its_line_breaks(client, responsable):
    client.force_login(responsable)
    response = client.post(
        reverse("messagerie:create"),
        {"titre": "  Demande\u200b  urgente ", "message": "Bonjour,\r\n\u202eMerci\u00a0!"},
    )
    assert response.status_code == 302
    message = Message.objects.get()
    assert (message.conversation.titre, message.body) == ("Demande urgente", "Bonjour,\nMerci !")


def test_the_api_cleans_typed_text_but_not_passwords():
    data = api.serializers.TokenRequestSerializer(
        data={"email": " resp@a.test\u200b ", "password": " p\u200b ", "name": "\u202eTablette\u00a0 1 "}
    )
    assert data.is_valid(), data.errors
    assert data.validated_data == {"email": "resp@a.test", "password": " p\u200b ", "name": "Tablette 1"}
