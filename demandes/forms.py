from crispy_forms.helper import FormHelper
from django import forms

from core.forms import CleanForm
from messagerie.forms import MultipleFileField

from .models import Demande, DemandeKind, DemandeStatus
from .services import SOUS_TYPES

LABELS = {
    DemandeKind.FRAUDE: "Signaler une fraude ou un incident",
    DemandeKind.REPORT: "Demande de report",
    DemandeKind.AMENAGEMENT: "Demande d'aménagement",
    DemandeKind.DISPENSE: "Demande de dispense",
    DemandeKind.RECOURS: "Recours",
}


class DemandeForm(CleanForm):
    sous_type = forms.ChoiceField(label="Nature", required=False)
    epreuve = forms.ModelChoiceField(label="Épreuve", queryset=None, required=False)
    description = forms.CharField(
        label="Description", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    justificatifs = MultipleFileField(
        label="Justificatifs", help_text="PDF, PNG, JPG, DOCX ou XLSX ; plusieurs fichiers possibles."
    )

    def __init__(self, *args, kind: str, inscription, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        if kind in SOUS_TYPES:
            self.fields["sous_type"].choices = [("", "—")] + list(SOUS_TYPES[kind].choices)
            self.fields["sous_type"].required = True
        else:
            del self.fields["sous_type"]
        if kind == DemandeKind.DISPENSE:
            self.fields["epreuve"].queryset = inscription.session.produit.epreuves.filter(
                pk__in=inscription.epreuves.filter(dispense=False).values("epreuve_id")
            ).order_by("ordre")
            self.fields["epreuve"].required = True
        else:
            del self.fields["epreuve"]


class DemandeFilterForm(CleanForm):
    kind = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[("", "Tous")] + list(DemandeKind.choices),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    statut = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous")] + list(DemandeStatus.choices),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class ReinscriptionForm(CleanForm):
    session = forms.ModelChoiceField(
        label="Nouvelle session", queryset=None, empty_label=None, widget=forms.RadioSelect
    )

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["session"].label_from_instance = lambda s: (
            f"{s.numero} — {s.produit.nom} — {s.date:%d/%m/%Y} à {s.heure:%Hh%M} — {s.lieu} "
            f"({s.places_restantes} places restantes)"
        )


__all__ = ["Demande", "DemandeForm", "DemandeFilterForm", "LABELS", "ReinscriptionForm"]
