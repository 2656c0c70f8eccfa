from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from phonenumber_field.formfields import SplitPhoneNumberField

from core.forms import CleanForm, CleanModelForm, CleanTextMixin

from .models import Centre, Genre
from .roles import Role


class PortalAuthenticationForm(CleanTextMixin, AuthenticationForm):
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


class PortalPasswordResetForm(CleanForm, PasswordResetForm):
    """Django's reset form, with the portal's one word for e-mail (« Adresse e-mail », not « Courriel »)."""

    email = forms.EmailField(
        label="Adresse e-mail", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class CentreFicheForm(CleanModelForm):
    site_web = forms.URLField(label="Site web", required=False, assume_scheme="https")

    class Meta:
        model = Centre
        fields = [
            "nom",
            "adresse",
            "code_postal",
            "ville",
            "pays",
            "telephone",
            "email",
            "site_web",
            "description",
            "visibilite",
            "consignes_convocation",
            "attestation_avec_resultats",
        ]
        widgets = {
            "visibilite": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "consignes_convocation": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Enregistrer"))


class AccountRequestForm(CleanForm):
    """ "Création d'un utilisateur centre": the guide's fields. The form only cleans; the service files the request."""

    last_name = forms.CharField(label="Nom", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150)
    email = forms.EmailField(label="Adresse e-mail")
    genre = forms.ChoiceField(label="Genre", choices=[("", "---------"), *Genre.choices], required=False)
    role = forms.ChoiceField(
        label="Rôle", choices=[(r.value, r.label) for r in (Role.ADMINISTRATIF, Role.EVALUATEUR)]
    )
    telephone = SplitPhoneNumberField(label="Numéro de téléphone", required=False, region="FR")
    centre = forms.ModelChoiceField(label="Centre", queryset=Centre.objects.none(), empty_label=None)
    document = forms.FileField(
        label="Document associé",
        required=False,
        help_text="Facultatif : PDF, PNG, JPG, DOCX ou XLSX.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.docx,.xlsx"}),
    )

    def __init__(self, *args, user, current_centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = Centre.objects.filter(
            actif=True,
            memberships__user=user,
            memberships__is_active=True,
            memberships__role=Role.RESPONSABLE,
        ).order_by("nom")
        self.fields["centre"].initial = current_centre.pk
        # The split phone widget: each half named (its one <label> can point to only one of them).
        prefix, number = self.fields["telephone"].widget.widgets
        prefix.attrs["aria-label"] = "Numéro de téléphone : indicatif du pays"
        number.attrs["aria-label"] = "Numéro de téléphone"
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()
