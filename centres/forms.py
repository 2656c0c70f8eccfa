from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .models import Centre
from .roles import Role


class PortalAuthenticationForm(AuthenticationForm):
    """E-mail + password; an Évaluateur (or a user without a portal role) is told why they cannot enter."""

    username = forms.EmailField(label="Adresse e-mail", widget=forms.EmailInput(attrs={"autofocus": True}))

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Adresse e-mail ou mot de passe incorrect.",
        "evaluateur": (
            "Le rôle Évaluateur centre ne donne pas accès au portail. "
            "Utilisez l'application Passeport avec vos identifiants."
        ),
        "no_centre": "Votre compte n'est rattaché à aucun centre actif. Contactez votre chargé(e) de clientèle.",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.is_staff or user.portal_memberships().exists():
            return
        if user.memberships.filter(role=Role.EVALUATEUR, is_active=True).exists():
            raise forms.ValidationError(self.error_messages["evaluateur"], code="evaluateur")
        raise forms.ValidationError(self.error_messages["no_centre"], code="no_centre")


class CentreFicheForm(forms.ModelForm):
    site_web = forms.URLField(label="Site web", required=False, assume_scheme="https")

    class Meta:
        model = Centre
        fields = [
            "nom", "adresse", "code_postal", "ville", "pays", "telephone", "email", "site_web", "description",
            "visibilite",
        ]
        widgets = {"visibilite": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Enregistrer"))
