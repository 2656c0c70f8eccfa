"""The centre's tarifs (its own price to candidates): one price for a non-modular product, one per
épreuve for a modular one. Every change is kept in TarifHistorique."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction

from core.errors import BusinessError

from .keys import clean_tarifs
from .models import Produit, Tarif, TarifHistorique


@transaction.atomic
def set_tarifs(
    *, centre, produit: Produit, montants: Mapping[int | None, Decimal | None], by=None
) -> list[Tarif]:
    """Create or update the centre's tarifs of `produit` ({epreuve_id or None: amount}); a history row
    for each amount that changes. Returns the tarifs, in épreuve order."""
    if not produit.is_active:
        raise BusinessError(
            f"Le produit « {produit.nom} » est inactif : ses tarifs ne peuvent pas être modifiés."
        )
    cleaned = clean_tarifs(produit, montants)
    existing = {
        t.epreuve_id: t for t in Tarif.objects.select_for_update().filter(centre=centre, produit=produit)
    }
    result = []
    for key, amount in cleaned.items():
        tarif = existing.get(key)
        if tarif is None:
            tarif = Tarif.objects.create(centre=centre, produit=produit, epreuve_id=key, montant=amount)
            TarifHistorique.objects.create(tarif=tarif, ancien_montant=None, nouveau_montant=amount, par=by)
        elif tarif.montant != amount:
            old = tarif.montant
            tarif.montant = amount
            tarif.save(update_fields=["montant", "updated_at"])
            TarifHistorique.objects.create(tarif=tarif, ancien_montant=old, nouveau_montant=amount, par=by)
        result.append(tarif)
    # A product that changed from modular to single price (or back) leaves stale rows: drop them.
    stale = [t.pk for k, t in existing.items() if k not in cleaned]
    if stale:
        Tarif.objects.filter(pk__in=stale).delete()
    return result
