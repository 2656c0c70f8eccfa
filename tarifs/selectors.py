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


def tables_for_display(book, epreuves) -> list[dict]:
    """The level tables of a product's book, in the Barèmes page's order (nature, then épreuve): each with
    its rows from the highest level down (« NCLC 10 : à partir de 546 »), or the steps of an overall rule."""
    from .models import TableNiveaux

    order = {nature: i for i, nature in enumerate(TableNiveaux.Nature.values)}
    rank = {e.code: i for i, e in enumerate(epreuves)}
    rows = []
    for (_nature, code), table in sorted(
        book.tables.items(), key=lambda kv: (order[kv[0][0]], rank.get(kv[0][1], -1))
    ):
        rows.append(
            {
                "obj": table.obj,
                "epreuve": code,
                "seuils": list(reversed(table.cuts)),
                "paliers": sorted(table.obj.paliers.all(), key=lambda p: -p.minimum_toutes),
            }
        )
    return rows
