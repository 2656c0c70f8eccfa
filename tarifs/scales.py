"""Score scales (barèmes) are versioned data: the scale in force at a session date and its levels."""

import datetime as dt

from .models import Bareme


def bareme_for(produit, epreuve, on_date: dt.date) -> Bareme | None:
    """The scale of (produit, épreuve) in force on `on_date`: the latest `date_effet` <= that date."""
    return (
        Bareme.objects.filter(produit=produit, epreuve=epreuve, date_effet__lte=on_date)
        .order_by("-date_effet")
        .first()
    )


def level_for(produit, epreuve, session_date: dt.date, score: int) -> tuple[str, int | None, int | None]:
    """(niveau CECRL, NCLC, score maximal) of `score` on the scale in force at `session_date`.

    The level is the one of the highest threshold whose `score_min` <= score. Without a scale at that
    date: ("", None, None); without a threshold reached: ("", None, score_max)."""
    bareme = bareme_for(produit, epreuve, session_date)
    if bareme is None:
        return "", None, None
    if score > bareme.score_max:
        raise ValueError(f"Score {score} supérieur au score maximal ({bareme.score_max}) du barème.")
    seuil = bareme.seuils.filter(score_min__lte=score).order_by("-score_min").first()
    if seuil is None:
        return "", None, bareme.score_max
    return seuil.niveau_cecrl, seuil.nclc, bareme.score_max
