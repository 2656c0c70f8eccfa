"""Excel export of the back office's request lists (core.spreadsheets.xlsx_table: text cells through
safe_cell(), dates and instants as formatted dates, readable header)."""

from core.spreadsheets import XLSX, Column, xlsx_table

COLUMNS = [
    Column("N° demande", "integer"),
    Column("Type"),
    Column("Nature"),
    Column("Épreuve"),
    Column("Centre"),
    Column("Session", "integer"),
    Column("Date de session", "date"),
    Column("N° inscription", "integer"),
    Column("Nom"),
    Column("Prénom"),
    Column("Description"),
    Column("Déposée le", "datetime"),
    Column("Statut"),
    Column("Décidée le", "datetime"),
    Column("Commentaire"),
]
HEADERS = [c.title for c in COLUMNS]


def demandes_xlsx(queryset) -> tuple[str, str, bytes]:
    rows = queryset.select_related(
        "centre", "epreuve", "inscription__candidat", "inscription__session"
    ).order_by("numero")
    lines = (
        [
            d.numero,
            d.get_kind_display(),
            d.sous_type,
            d.epreuve.code if d.epreuve else None,
            d.centre.nom,
            d.inscription.session.numero,
            d.inscription.session.date,
            d.inscription.numero,
            d.inscription.candidat.nom.upper(),
            d.inscription.candidat.prenom,
            d.description,
            d.created_at,
            d.get_statut_display(),
            d.decided_at,
            d.decision_comment,
        ]
        for d in rows.iterator(chunk_size=2000)
    )
    return "demandes.xlsx", XLSX, xlsx_table("Demandes", COLUMNS, lines)
