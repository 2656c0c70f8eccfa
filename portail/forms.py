import datetime as dt

from django import forms

from core.forms import CleanForm
from tarifs.models import Produit

from .statistics import MAX_MONTHS, Periode, add_months


class MonthField(forms.CharField):
    """A month as '2026-12' (<input type="month">), cleaned to the 1st of the month."""

    widget = forms.TextInput(attrs={"type": "month", "class": "form-control"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            return dt.date(year, month, 1)
        except ValueError:
            raise forms.ValidationError("Indiquez un mois au format AAAA-MM (par exemple 2026-03).") from None


class StatistiquesForm(CleanForm):
    """The filters of the statistics pages: a period of months and a product."""

    debut = MonthField(label="Du mois", required=False)
    fin = MonthField(label="Au mois", required=False)
    produit = forms.ModelChoiceField(
        label="Produit",
        queryset=Produit.objects.none(),
        required=False,
        empty_label="Tous les produits",
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, produits=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["produit"].queryset = produits if produits is not None else Produit.objects.all()
        default = Periode.last_months()
        self.fields["debut"].initial = f"{default.debut:%Y-%m}"
        self.fields["fin"].initial = f"{default.fin:%Y-%m}"

    def clean(self):
        data = super().clean()
        default = Periode.last_months()
        debut, fin = data.get("debut") or default.debut, data.get("fin") or default.fin
        if debut > fin:
            raise forms.ValidationError("Le mois de début doit précéder le mois de fin.")
        if add_months(debut, MAX_MONTHS) <= fin:
            raise forms.ValidationError(f"Choisissez une période de {MAX_MONTHS} mois au plus.")
        data["periode"] = Periode(debut, fin)
        return data

    def periode_and_produit(self):
        """The chosen filters, or the last 12 months and every product when they are invalid."""
        if self.is_valid():
            return self.cleaned_data["periode"], self.cleaned_data.get("produit")
        return Periode.last_months(), None
