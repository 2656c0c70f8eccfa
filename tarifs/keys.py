"""Which prices a product needs (one per épreuve for a modular product, one single price otherwise) and the
check of a set of prices: the one home of the rule, used by the tarifs page, session creation and the forms."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from core.errors import BusinessError

from .models import Epreuve, Produit


def expected_tarif_keys(produit: Produit) -> list[Epreuve | None]:
    """One price per épreuve for a modular product, one single price (None) otherwise."""
    if produit.modulaire:
        return sorted(produit.epreuves.all(), key=lambda e: (e.ordre, e.code))
    return [None]


def clean_tarifs(produit: Produit, tarifs: Mapping[int | None, Decimal | None]) -> dict[int | None, Decimal]:
    """Check that every expected price is given, positive, with at most 2 decimals."""
    cleaned: dict[int | None, Decimal] = {}
    for epreuve in expected_tarif_keys(produit):
        key = epreuve.pk if epreuve else None
        amount = tarifs.get(key)
        what = f"l'épreuve {epreuve.code}" if epreuve else "le tarif unique"
        if amount in (None, ""):
            raise BusinessError(f"Le prix est manquant pour {what}.", code="tarif")
        amount = Decimal(amount)
        if amount <= 0:
            raise BusinessError(f"Le prix de {what} doit être supérieur à zéro.", code="tarif")
        if amount != amount.quantize(Decimal("0.01")):
            raise BusinessError(f"Le prix de {what} doit avoir au plus deux décimales.", code="tarif")
        cleaned[key] = amount.quantize(Decimal("0.01"))
    return cleaned
