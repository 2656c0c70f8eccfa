"""The "Créer une session" wizard: one small form per step. Forms clean and convert, never write."""

import datetime as dt

from django import forms

from core.errors import BusinessError
from core.forms import CleanForm
from tarifs.forms import TarifsForm
from tarifs.models import Produit

from .services import check_produit, check_session_date


class ProduitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.nom} ({obj.gamme}{', modulaire' if obj.modulaire else ''})"


class EtapeProduitForm(CleanForm):
    produit = ProduitChoiceField(
        label="Produit",
        queryset=Produit.objects.actifs().order_by("gamme", "nom"),
        empty_label="Sélectionner un produit",
        error_messages={
            "required": "Choisissez le produit de la session.",
            "invalid_choice": "Ce produit n'est pas disponible (produit inactif ou inconnu).",
        },
    )

    def clean_produit(self):
        produit = self.cleaned_data["produit"]
        try:
            check_produit(produit)
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from exc
        return produit


class EtapeDateForm(CleanForm):
    date = forms.DateField(
        label="Date de la session",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Indiquez la date de la session.",
            "invalid": "Date invalide (jj/mm/aaaa).",
        },
    )
    heure = forms.TimeField(
        label="Heure",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": "Indiquez l'heure de la session.", "invalid": "Heure invalide (hh:mm)."},
    )
    lieu = forms.CharField(
        label="Lieu de passation",
        max_length=255,
        error_messages={"required": "Indiquez le lieu de passation."},
    )

    def __init__(self, *args, produit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.produit = produit

    def clean_date(self):
        date: dt.date = self.cleaned_data["date"]
        try:
            check_session_date(date)
            if self.produit is not None:
                check_produit(self.produit, date)
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from exc
        return date


class EtapePlacesForm(CleanForm):
    nb_places = forms.IntegerField(
        label="Nombre de places disponibles",
        min_value=1,
        max_value=10000,
        error_messages={
            "required": "Indiquez le nombre de places disponibles.",
            "min_value": "La session doit offrir au moins une place.",
            "max_value": "Le nombre de places est limité à 10 000.",
            "invalid": "Saisissez un nombre entier.",
        },
    )
    afficher_en_ligne = forms.BooleanField(
        label="Afficher en ligne",
        required=False,
        help_text="La session apparaît sur le site de pré-inscription du Français des affaires "
        "(si votre fiche centre le permet).",
    )


class EtapeTarifsForm(TarifsForm):
    enregistrer_tarif = forms.BooleanField(
        label="Enregistrer ces montants comme tarifs du centre pour les prochaines sessions de ce produit",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Keep the checkbox after the price fields.
        self.order_fields([*self.keys, "enregistrer_tarif"])


class SessionEditForm(TarifsForm):
    """ "Modifier la session": the fields of the creation steps 2 and 3, and the tarifs while they may
    change. Converts only: `services.update_session()` checks the rules (the date's with the creation's
    own checks) and the view puts its refusal on the field concerned."""

    date = EtapeDateForm.base_fields["date"]
    heure = EtapeDateForm.base_fields["heure"]
    lieu = EtapeDateForm.base_fields["lieu"]
    nb_places = EtapePlacesForm.base_fields["nb_places"]
    afficher_en_ligne = EtapePlacesForm.base_fields["afficher_en_ligne"]

    def __init__(self, *args, date_refusal: str | None = None, tarifs_refusal: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if date_refusal:
            # A disabled field keeps its initial value whatever is posted.
            self.fields["date"].disabled = True
            self.fields["date"].help_text = date_refusal
        if tarifs_refusal:
            for name in self.keys:
                del self.fields[name]
            self.keys = {}
        self.tarifs_refusal = tarifs_refusal
        self.order_fields(["date", "heure", "lieu", "nb_places", "afficher_en_ligne", *self.keys])

    def montants(self) -> dict | None:
        return super().montants() if self.keys else None
