from decimal import Decimal

from django import forms

from core.forms import CleanForm

from .keys import expected_tarif_keys
from .models import Produit

PRICE_ERRORS = {
    "required": "Le prix est obligatoire.",
    "invalid": "Saisissez un montant en euros, par exemple 85,00.",
    "min_value": "Le prix doit être supérieur à zéro.",
    "max_decimal_places": "Le prix doit avoir au plus deux décimales.",
    "max_digits": "Ce montant est trop élevé.",
    "max_whole_digits": "Ce montant est trop élevé.",
}


def price_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
        localize=True,
        error_messages=PRICE_ERRORS,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "class": "form-control text-end", "autocomplete": "off"}
        ),
    )


class TarifsForm(CleanForm):
    """One price per épreuve for a modular product, one single price otherwise. Never writes."""

    def __init__(self, *args, produit: Produit, initial_montants: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.produit = produit
        self.keys = {}
        initial_montants = initial_montants or {}
        for epreuve in expected_tarif_keys(produit):
            if epreuve is None:
                name, label, key = "montant_unique", "Tarif unique (€)", None
            else:
                name, label, key = (
                    f"montant_{epreuve.code}",
                    f"{epreuve.code} — {epreuve.libelle} (€)",
                    epreuve.pk,
                )
            self.fields[name] = price_field(label)
            if initial_montants.get(key) is not None:
                self.fields[name].initial = initial_montants[key]
            self.keys[name] = key

    def montants(self) -> dict:
        return {key: self.cleaned_data.get(name) for name, key in self.keys.items()}
