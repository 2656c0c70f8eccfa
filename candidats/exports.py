"""Exports of enrolments: `(filename, mimetype, bytes)`, written by core.spreadsheets.xlsx_table (text cells
through safe_cell(), dates and amounts as formatted numbers, readable header)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from core.spreadsheets import XLSX, Column, xlsx_table

from . import referentiels
from .models import Inscription

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


def inscription_row(i: Inscription) -> list:
    c = i.candidat
    return [
        i.numero,
        timezone.localtime(i.created_at).date(),
        i.session.numero,
        i.session.produit.nom,
        i.session.date,
        c.nom,
        c.prenom,
        c.date_naissance,
        c.get_genre_display(),
        c.email,
        referentiels.langue_name(c.langue_maternelle),
        c.nationalite.name if c.nationalite else "",
        c.get_motivation_display(),
        c.numero_piece_identite,
        ", ".join(ie.epreuve.code for ie in i.epreuves.all()),
        i.prix_total,
        i.get_statut_display(),
        i.get_source_display(),
        i.code_acces,
    ]


def inscriptions_xlsx(queryset: QuerySet[Inscription]) -> tuple[str, str, bytes]:
    """ "Toutes les inscriptions" as an Excel file (core.spreadsheets.xlsx_table: rows read in chunks)."""
    rows = (inscription_row(i) for i in queryset.iterator(chunk_size=500))
    return (
        f"inscriptions_{timezone.localdate():%Y%m%d}.xlsx",
        XLSX,
        xlsx_table("Inscriptions", COLUMNS, rows),
    )
