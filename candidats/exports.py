"""Exports of enrolments ("Toutes les inscriptions", the back office's list of the whole country), declared
once as a core.exports kind: small lists are answered in the request, larger ones written by a worker.

The rows are read by core.exports.in_chunks as plain values (2,000 enrolments a query, their épreuves in one
more) and the labels looked up in dictionaries built once per export: no model instance per row, so the
export costs little more than writing the sheet itself (bench: ratio to openpyxl's write-only floor)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from centres.models import Genre
from core.exports import ExportKind, in_chunks, register
from core.spreadsheets import Column
from tarifs.models import Motivation

from . import referentiels
from .models import Inscription, InscriptionEpreuve, InscriptionSource, InscriptionStatus

COLUMNS = [
    Column("N° inscription", "integer"),
    Column("Date d'inscription", "date"),
    Column("N° session", "integer"),
    Column("Produit"),
    Column("Date de la session", "date"),
    Column("Nom"),
    Column("Prénom"),
    Column("Date de naissance", "date"),
    Column("Genre"),
    Column("E-mail"),
    Column("Langue maternelle"),
    Column("Nationalité"),
    Column("Motivation"),
    Column("Numéro de pièce d'identité"),
    Column("Épreuves"),
    Column("Prix", "euros"),
    Column("Statut"),
    Column("Origine"),
    Column("Code d'accès"),
]
HEADERS = [c.title for c in COLUMNS]
FIELDS = (
    "numero",
    "created_at",
    "session__numero",
    "session__produit__nom",
    "session__date",
    "candidat__nom",
    "candidat__prenom",
    "candidat__date_naissance",
    "candidat__genre",
    "candidat__email",
    "candidat__langue_maternelle",
    "candidat__nationalite",
    "candidat__motivation",
    "candidat__numero_piece_identite",
    "prix_total",
    "statut",
    "source",
    "code_acces",
)


def _epreuves_of(queryset: QuerySet[Inscription], first: int, last: int) -> dict[int, str]:
    """The épreuves of the chunk (the export's enrolments from pk `first` to `last`), in one query whose
    subquery repeats the export's filters: no list of 2,000 ids sent as parameters."""
    chunk = queryset.filter(pk__gte=first, pk__lte=last).order_by().values("pk")
    codes: dict[int, list[str]] = {}
    for inscription_id, code in (
        InscriptionEpreuve.objects.filter(inscription__in=chunk)
        .order_by("inscription_id", "epreuve__ordre", "epreuve__code")
        .values_list("inscription_id", "epreuve__code")
    ):
        codes.setdefault(inscription_id, []).append(code)
    return {pk: ", ".join(c) for pk, c in codes.items()}


def inscription_rows(queryset: QuerySet[Inscription]):
    langues = dict(referentiels.langue_choices())
    pays = dict(referentiels.nationalite_choices())
    genres, motivations = dict(Genre.choices), dict(Motivation.choices)
    statuts, sources = dict(InscriptionStatus.choices), dict(InscriptionSource.choices)
    local = timezone.get_current_timezone()
    for chunk in in_chunks(queryset, *FIELDS):
        epreuves = _epreuves_of(queryset, chunk[0][0], chunk[-1][0])
        for (
            pk,
            numero,
            created,
            session,
            produit,
            date,
            nom,
            prenom,
            naissance,
            genre,
            email,
            langue,
            *rest,
        ) in chunk:
            nationalite, motivation, piece, prix, statut, source, code = rest
            yield [
                numero,
                created.astimezone(local).date(),
                session,
                produit,
                date,
                nom,
                prenom,
                naissance,
                genres.get(genre, genre),
                email,
                langues.get(langue, langue),
                pays.get(nationalite, nationalite),
                motivations.get(motivation, motivation),
                piece,
                epreuves.get(pk, ""),
                prix,
                statuts.get(statut, statut),
                sources.get(source, source),
                code,
            ]


INSCRIPTIONS = register(
    ExportKind(
        name="inscriptions",
        title="Toutes les inscriptions",
        sheet="Inscriptions",
        filename=lambda queryset: f"inscriptions_{timezone.localdate():%Y%m%d}.xlsx",
        table=lambda queryset: (COLUMNS, inscription_rows(queryset)),
    )
)
