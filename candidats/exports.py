"""Exports of enrolments: `(filename, mimetype, bytes)`; every text cell goes through safe_cell()."""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from core.spreadsheets import safe_cell

from . import referentiels
from .models import Inscription

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = [
    "N° inscription",
    "Date d'inscription",
    "N° session",
    "Produit",
    "Date de la session",
    "Nom",
    "Prénom",
    "Date de naissance",
    "Genre",
    "E-mail",
    "Langue maternelle",
    "Nationalité",
    "Motivation",
    "Numéro de pièce d'identité",
    "Épreuves",
    "Prix (€)",
    "Statut",
    "Origine",
    "Code d'accès",
]


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
        float(i.prix_total),
        i.get_statut_display(),
        i.get_source_display(),
        i.code_acces,
    ]


def inscriptions_xlsx(queryset: QuerySet[Inscription]) -> tuple[str, str, bytes]:
    """ "Toutes les inscriptions" as an Excel file (write-only workbook, rows read in chunks)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Inscriptions")
    ws.append(HEADERS)
    for inscription in queryset.iterator(chunk_size=500):
        row = []
        for value in inscription_row(inscription):
            if isinstance(value, dt.date):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "DD/MM/YYYY"
                row.append(cell)
            else:
                row.append(safe_cell(value))
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return f"inscriptions_{timezone.localdate():%Y%m%d}.xlsx", XLSX, buffer.getvalue()
