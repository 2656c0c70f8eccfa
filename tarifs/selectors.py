"""What the Tarifs pages read."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .keys import expected_tarif_keys
from .models import Epreuve, Produit, Tarif, TarifHistorique


def produits_for_list(centre) -> QuerySet[Produit]:
    """The catalogue, with each product's épreuves and the centre's own tarifs (3 queries in all)."""
    return Produit.objects.prefetch_related(
        Prefetch("epreuves", queryset=Epreuve.objects.order_by("ordre", "code")),
        Prefetch(
            "tarifs",
            queryset=Tarif.objects.for_centre(centre).select_related("epreuve").order_by("epreuve__ordre"),
            to_attr="centre_tarifs",
        ),
    ).order_by("numero")


def centre_tarifs(centre, produit: Produit) -> dict[int | None, Tarif]:
    return {t.epreuve_id: t for t in Tarif.objects.for_centre(centre).filter(produit=produit)}


def tarif_lines(centre, produit: Produit) -> list[tuple[Epreuve | None, Tarif | None]]:
    """The product's price lines: (épreuve, tarif) per épreuve if modular, (None, tarif) otherwise."""
    tarifs = centre_tarifs(centre, produit)
    return [(ep, tarifs.get(ep.pk if ep else None)) for ep in expected_tarif_keys(produit)]


def tarif_history(centre, produit: Produit, limit: int = 50) -> list[TarifHistorique]:
    return list(
        TarifHistorique.objects.filter(tarif__centre=centre, tarif__produit=produit)
        .select_related("tarif__epreuve", "par")
        .order_by("-le", "-pk")[:limit]
    )
