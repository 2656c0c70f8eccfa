"""Candidate forms: they clean and convert input, they never write (services do)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import ngettext

from centres.models import Genre
from core.errors import BusinessError
from core.formats import euros as format_euros
from core.forms import CleanForm
from tarifs.models import Epreuve, Produit

from . import referentiels
from .models import InscriptionStatus
from .services import CandidatData, clean_epreuves


def places_restantes_text(n: int) -> str:
    return ngettext("%(n)d place restante", "%(n)d places restantes", n) % {"n": n}


DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _with_blank(choices, label="—"):
    return [("", label), *choices]


class CandidatForm(CleanForm):
    """The guide's candidate fields; épreuves as checkboxes (with their price) for a modular product."""

    nom = forms.CharField(label="Nom", max_length=150)
    prenom = forms.CharField(label="Prénom", max_length=150)
    date_naissance = forms.DateField(
        label="Date de naissance", widget=DateInput(), input_formats=DATE_INPUT_FORMATS
    )
    genre = forms.ChoiceField(label="Genre", choices=Genre.choices, widget=forms.RadioSelect)
    langue_maternelle = forms.ChoiceField(label="Langue maternelle")
    email = forms.EmailField(label="E-mail", required=False)
    nationalite = forms.ChoiceField(label="Nationalité")
    motivation = forms.ChoiceField(label="Motivation")
    numero_piece_identite = forms.CharField(label="Numéro de pièce d'identité", max_length=50, required=False)
    epreuves = forms.ModelMultipleChoiceField(
        label="Épreuves", queryset=Epreuve.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(
        self, *args, produit: Produit | None = None, prices: dict | None = None, with_epreuves=True, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["langue_maternelle"].choices = _with_blank(referentiels.langue_choices())
        self.fields["nationalite"].choices = _with_blank(referentiels.nationalite_choices())
        self.fields["motivation"].choices = _with_blank(referentiels.motivation_choices())
        prices = prices or {}
        if produit is not None and produit.modulaire and with_epreuves:
            field = self.fields["epreuves"]
            field.queryset = produit.epreuves.order_by("ordre", "code")
            field.label_from_instance = lambda e: (
                f"{e.code} — {e.libelle}" + (f" ({format_euros(prices[e.pk])})" if e.pk in prices else "")
            )
        else:
            del self.fields["epreuves"]

    def clean_date_naissance(self):
        value = self.cleaned_data["date_naissance"]
        if value and value > dt.date.today():
            raise forms.ValidationError("La date de naissance est dans le futur.")
        return value

    def candidat_data(self) -> CandidatData:
        cd = self.cleaned_data
        return CandidatData(
            **{
                name: cd.get(name) or ("" if name != "date_naissance" else None)
                for name in (
                    "nom",
                    "prenom",
                    "date_naissance",
                    "genre",
                    "langue_maternelle",
                    "email",
                    "nationalite",
                    "motivation",
                    "numero_piece_identite",
                )
            }
        )

    def chosen_epreuves(self):
        return list(self.cleaned_data.get("epreuves") or [])


class InscrireForm(CandidatForm):
    confirmer = forms.BooleanField(label="Inscrire malgré l'avertissement", required=False)


# --- Lists -------------------------------------------------------------------------------------------


class InscriptionFilterForm(CleanForm):
    q = forms.CharField(
        label="Recherche",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Nom, prénom, n°, e-mail"}),
    )
    session = forms.IntegerField(label="N° session", required=False, min_value=1)
    produit = forms.ModelChoiceField(
        label="Produit", queryset=Produit.objects.order_by("nom"), required=False, empty_label="Tous"
    )
    statut = forms.ChoiceField(
        label="Statut", choices=_with_blank(InscriptionStatus.choices, "Tous"), required=False
    )
    du = forms.DateField(
        label="Session du", required=False, widget=DateInput(), input_formats=DATE_INPUT_FORMATS
    )
    au = forms.DateField(label="au", required=False, widget=DateInput(), input_formats=DATE_INPUT_FORMATS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)


# --- Pre-registrations, contact requests -------------------------------------------------------------


def offered_epreuves(sessions):
    """The épreuves a candidate may choose for these sessions: those of their modular products only (a
    non-modular product takes all of its épreuves, nothing to choose)."""
    if sessions is None:
        return Epreuve.objects.none()
    produits = Produit.objects.filter(sessions__in=sessions, modulaire=True)
    return Epreuve.objects.filter(produits__in=produits).distinct().order_by("ordre", "code")


class TransferForm(CleanForm):
    session = forms.ModelChoiceField(label="Session", queryset=None, empty_label="Sélectionner la session")
    epreuves = forms.ModelMultipleChoiceField(
        label="Épreuves (produit modulaire)",
        queryset=Epreuve.objects.order_by("ordre", "code"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    confirmer = forms.BooleanField(label="Inscrire malgré l'avertissement", required=False)

    def __init__(self, *args, sessions=None, motivation: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.motivation = motivation
        self.fields["session"].queryset = sessions
        self.fields["session"].label_from_instance = lambda s: (
            f"{s.label} — {places_restantes_text(s.places_restantes)}"
        )
        self.fields["epreuves"].queryset = offered_epreuves(sessions)

    def clean(self):
        cleaned = super().clean()
        session = cleaned.get("session")
        if session is not None and "epreuves" in cleaned:
            try:
                cleaned["epreuves"] = clean_epreuves(session.produit, cleaned["epreuves"], self.motivation)
            except BusinessError as exc:
                self.add_error("epreuves", exc.message)
        return cleaned


class DeclineForm(CleanForm):
    motif = forms.CharField(
        label="Motif du refus (envoyé au candidat)", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class ContactAnswerForm(CleanForm):
    reponse = forms.CharField(
        label="Réponse (envoyée par e-mail)", widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )


# --- Import ------------------------------------------------------------------------------------------


class ImportForm(CleanForm):
    fichier = forms.FileField(label="Fichier rempli (.xlsx ou .csv)")

    def clean_fichier(self):
        f = self.cleaned_data["fichier"]
        ext = Path(f.name).suffix.lower()
        if ext not in (".xlsx", ".csv"):
            raise forms.ValidationError(
                "Format non reconnu : déposez le modèle Excel rempli (.xlsx) ou un fichier .csv."
            )
        if f.size > settings.MAX_UPLOAD_SIZE:
            raise forms.ValidationError(
                f"Le fichier dépasse la taille maximale de {filesizeformat(settings.MAX_UPLOAD_SIZE)}."
            )
        if f.size == 0:
            raise forms.ValidationError("Le fichier est vide.")
        head = f.read(4)
        f.seek(0)
        if ext == ".xlsx" and head != b"PK\x03\x04":
            raise forms.ValidationError("Ce fichier n'est pas un classeur Excel (.xlsx) valide.")
        if ext == ".csv" and not head.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" in f.read(2048):
            # NUL bytes without a UTF-16 mark (Excel's « Texte Unicode » has one: it is read)
            from .imports import SAVE_AS

            f.seek(0)
            raise forms.ValidationError(f"Ce fichier n'est pas un fichier texte CSV : {SAVE_AS}.")
        f.seek(0)
        return f


class ImportConfirmForm(CleanForm):
    confirmer = forms.BooleanField(label="Inscrire malgré l'avertissement", required=False)


# --- Public site -------------------------------------------------------------------------------------


class HoneypotMixin(CleanForm):
    # Hidden from people by CSS (public.css); bots fill every field.
    site_internet = forms.CharField(
        label="Ne pas remplir ce champ",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_bot(self) -> bool:
        return bool(self.data.get("site_internet"))


class PublicPreInscriptionForm(HoneypotMixin, CandidatForm):
    email = forms.EmailField(label="E-mail")
    telephone = forms.CharField(label="Téléphone", max_length=30, required=False)
    session = forms.ModelChoiceField(
        label="Session souhaitée", queryset=None, required=False, empty_label="Je ne sais pas encore"
    )

    field_order = [
        "session",
        "nom",
        "prenom",
        "date_naissance",
        "genre",
        "langue_maternelle",
        "email",
        "telephone",
        "nationalite",
        "motivation",
        "numero_piece_identite",
        "epreuves",
    ]

    def __init__(self, *args, sessions=None, **kwargs):
        super().__init__(*args, with_epreuves=False, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["session"].label_from_instance = lambda s: (
            f"{s.produit.nom} — {s.date:%d/%m/%Y} à {s.heure:%Hh%M} ({places_restantes_text(s.places_restantes)})"
        )
        self.fields["epreuves"] = forms.ModelMultipleChoiceField(
            label="Épreuves souhaitées (produits modulaires : TEF, TEF Canada, TEF Québec)",
            queryset=offered_epreuves(sessions),
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        self.fields["epreuves"].label_from_instance = lambda e: f"{e.code} — {e.libelle}"
        self.order_fields(self.field_order + ["site_internet"])


class PublicContactForm(HoneypotMixin, CleanForm):
    nom = forms.CharField(label="Nom", max_length=150)
    prenom = forms.CharField(label="Prénom", max_length=150)
    email = forms.EmailField(label="E-mail")
    telephone = forms.CharField(label="Téléphone", max_length=30, required=False)
    produit = forms.ModelChoiceField(
        label="Test souhaité",
        queryset=Produit.objects.actifs().order_by("nom"),
        required=False,
        empty_label="—",
    )
    message = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 5}), max_length=3000)
    field_order = ["nom", "prenom", "email", "telephone", "produit", "message", "site_internet"]
