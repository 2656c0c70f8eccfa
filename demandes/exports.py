"""Excel export of the back office's request lists (every text cell through safe_cell)."""

import io

from openpyxl import Workbook

from core.spreadsheets import safe_cell

HEADERS = [
    "N° demande",
    "Type",
    "Nature",
    "Épreuve",
    "Centre",
    "Session",
    "Date de session",
    "N° inscription",
    "Nom",
    "Prénom",
    "Description",
    "Déposée le",
    "Statut",
    "Décidée le",
    "Commentaire",
]


def demandes_xlsx(queryset) -> tuple[str, str, bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Demandes")
    sheet.append(HEADERS)
    rows = queryset.select_related(
        "centre", "epreuve", "inscription__candidat", "inscription__session"
    ).order_by("numero")
    for d in rows.iterator(chunk_size=2000):
        i = d.inscription
        sheet.append(
            [
                d.numero,
                d.get_kind_display(),
                safe_cell(d.sous_type),
                d.epreuve.code if d.epreuve else None,
                safe_cell(d.centre.nom),
                i.session.numero,
                i.session.date,
                i.numero,
                safe_cell(i.candidat.nom.upper()),
                safe_cell(i.candidat.prenom),
                safe_cell(d.description),
                d.created_at.replace(tzinfo=None),
                d.get_statut_display(),
                d.decided_at.replace(tzinfo=None) if d.decided_at else None,
                safe_cell(d.decision_comment),
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return (
        "demandes.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        out.getvalue(),
    )
