"""Levels of a score: THE lookup every page, export, PDF, API and admin uses (`levels()`), over dated
tables (tarifs.models: Bareme for the scale's maximum, TableNiveaux for CECRL / NCLC cut-offs, the old-score
equivalence and the overall-level rule). A table that does not exist at the session date gives nothing:
never a guessed level.

`load_book(produit_code, date)` loads every table of a product in force at a date in three queries; pass it as
`book=` when looking up many scores of one session (pages, exports, attestations)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.errors import BusinessError

from .models import Bareme, TableNiveaux

Nature = TableNiveaux.Nature


class ScoreError(BusinessError):
    """A score the scale in force cannot hold (above its maximum, negative, or no scale at that date)."""


@dataclass(frozen=True)
class Levels:
    score: int
    score_max: int
    cecrl: str = ""
    nclc: int | None = None
    equivalence: int | None = None  # the old-scale score (« Équivalence ancien score »), when FDA entered it
    demo: bool = False  # a level comes from a demo table
    has_nclc: bool = False  # an NCLC table exists for this épreuve at that date


@dataclass(frozen=True)
class Overall:
    nclc: int | None = None  # TEF Canada: the lowest skill's NCLC
    niveau: str = ""  # TEF IRN: the overall-level rule
    has_nclc: bool = False
    has_niveau: bool = False


@dataclass
class Table:
    """A loaded TableNiveaux: sorted cut-offs (score_min, valeur), or steps of an overall rule."""

    obj: TableNiveaux
    cuts: list[tuple[int, str]] = field(default_factory=list)

    def value(self, score: int) -> str:
        mins = [m for m, _ in self.cuts]
        i = bisect_right(mins, score)
        return self.cuts[i - 1][1] if i else ""


@dataclass
class Book:
    """The tables of one product in force on one date."""

    produit_code: str
    on_date: dt.date
    scales: dict[str, Bareme]  # épreuve code → scale
    tables: dict[tuple[str, str], Table]  # (nature, épreuve code or "") → table

    def table(self, nature: str, epreuve_code: str = "") -> Table | None:
        return self.tables.get((nature, epreuve_code))

    def all_tables(self) -> list[TableNiveaux]:
        return [t.obj for t in self.tables.values()]


def load_book(produit_code: str, on_date: dt.date) -> Book:
    """Every scale and table of `produit_code` in force on `on_date` (the latest date d'effet wins)."""
    return load_books(on_date, [produit_code]).get(produit_code) or Book(produit_code, on_date, {}, {})


def load_books(on_date: dt.date, produit_codes: list[str] | None = None) -> dict[str, Book]:
    """The books of several products (every product when None) in four queries."""
    scales_qs = Bareme.objects.en_vigueur(on_date).select_related("produit", "epreuve")
    tables_qs = (
        TableNiveaux.objects.en_vigueur(on_date)
        .select_related("produit", "epreuve")
        .prefetch_related("seuils", "paliers")
    )
    if produit_codes is not None:
        scales_qs = scales_qs.filter(produit__code__in=produit_codes)
        tables_qs = tables_qs.filter(produit__code__in=produit_codes)
    books: dict[str, Book] = {}

    def book_of(produit) -> Book:
        return books.setdefault(produit.code, Book(produit.code, on_date, {}, {}))

    for bareme in scales_qs:
        book_of(bareme.produit).scales.setdefault(bareme.epreuve.code, bareme)
    for obj in tables_qs:
        key = (obj.nature, obj.epreuve.code if obj.epreuve_id else "")
        tables = book_of(obj.produit).tables
        if key not in tables:
            tables[key] = Table(obj, sorted((s.score_min, s.valeur) for s in obj.seuils.all()))
    return books


def levels(
    produit_code: str, epreuve_code: str, session_date: dt.date, score: int, *, book: Book | None = None
) -> Levels:
    """The levels of `score` at `epreuve_code` of `produit_code` for a session on `session_date`.

    Raises ScoreError (French message) when no scale is in force at that date or the score is outside
    0..maximum. A missing CECRL / NCLC / equivalence table gives "" / None / None."""
    if book is None or book.produit_code != produit_code or book.on_date != session_date:
        book = load_book(produit_code, session_date)
    bareme = book.scales.get(epreuve_code)
    if bareme is None:
        raise ScoreError(
            f"Aucun barème de l'épreuve {epreuve_code} du produit {produit_code} n'est en vigueur le "
            f"{session_date:%d/%m/%Y}.",
            code="bareme",
        )
    if not 0 <= score <= bareme.score_max:
        raise ScoreError(
            f"Le score {score} de l'épreuve {epreuve_code} doit être compris entre 0 et {bareme.score_max} "
            f"(barème en vigueur le {session_date:%d/%m/%Y}).",
            code="score",
        )
    cecrl = book.table(Nature.CECRL, epreuve_code)
    nclc = book.table(Nature.NCLC, epreuve_code)
    equivalence = book.table(Nature.EQUIVALENCE, epreuve_code)
    nclc_value = nclc.value(score) if nclc else ""
    equivalence_value = equivalence.value(score) if equivalence else ""
    used = [t for t in (cecrl, nclc, equivalence) if t is not None]
    return Levels(
        score=score,
        score_max=bareme.score_max,
        cecrl=cecrl.value(score) if cecrl else "",
        nclc=int(nclc_value) if nclc_value else None,
        equivalence=int(equivalence_value) if equivalence_value else None,
        demo=any(t.obj.demo for t in used),
        has_nclc=nclc is not None,
    )


def overall(
    produit_code: str, session_date: dt.date, by_epreuve: Mapping[str, Levels], *, book: Book | None = None
) -> Overall:
    """The overall levels of one candidate's scored épreuves (épreuve code → levels()).

    NCLC: the lowest skill's, when every scored épreuve has an NCLC table (display only; None when one skill
    is below the table's floor). Overall level: the product's rule (TEF IRN), which needs every épreuve of
    the rule's product scored; the highest step whose conditions hold."""
    if book is None or book.produit_code != produit_code or book.on_date != session_date:
        book = load_book(produit_code, session_date)
    result = {}
    if by_epreuve and all(lv.has_nclc for lv in by_epreuve.values()):
        values = [lv.nclc for lv in by_epreuve.values()]
        result["has_nclc"] = True
        result["nclc"] = None if None in values else min(values)
    rule = book.table(Nature.GLOBAL)
    if rule is not None:
        result["has_niveau"] = True
        expected = set(book.scales)
        if by_epreuve and expected <= set(by_epreuve):
            scores = [by_epreuve[code].score for code in expected]
            for palier in sorted(rule.obj.paliers.all(), key=lambda p: p.minimum_toutes):
                if min(scores) < palier.minimum_toutes:
                    continue
                if palier.nombre and palier.minimum_plusieurs is not None:
                    if sum(1 for s in scores if s >= palier.minimum_plusieurs) < palier.nombre:
                        continue
                result["niveau"] = palier.niveau
    return Overall(**result)
