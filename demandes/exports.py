"""Excel export of the back office's request lists, declared once as a core.exports kind (a worker writes
it above EXPORT_INLINE_MAX_ROWS rows; rows read in chunks by core.exports.in_chunks)."""

from core.exports import ExportKind, in_chunks, register
from core.spreadsheets import Column

from .models import Demande

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
FIELDS = (
    "kind",
    "sous_type",
    "epreuve__code",
    "centre__nom",
    "inscription__session__numero",
    "inscription__session__date",
    "inscription__numero",
    "inscription__candidat__nom",
    "inscription__candidat__prenom",
    "description",
    "created_at",
    "statut",
    "decided_at",
    "decision_comment",
)


def demande_rows(queryset):
    kinds = dict(Demande._meta.get_field("kind").choices)
    statuts = dict(Demande._meta.get_field("statut").choices)
    for chunk in in_chunks(queryset, *FIELDS, key="numero"):
        for numero, kind, sous_type, epreuve, centre, session, date, inscription, nom, *rest in chunk:
            prenom, description, created, statut, decided, comment = rest
            yield [
                numero,
                kinds.get(kind, kind),
                sous_type,
                epreuve,
                centre,
                session,
                date,
                inscription,
                nom.upper(),
                prenom,
                description,
                created,
                statuts.get(statut, statut),
                decided,
                comment,
            ]


DEMANDES = register(
    ExportKind(
        name="demandes",
        title="Demandes",
        sheet="Demandes",
        filename=lambda queryset: "demandes.xlsx",
        table=lambda queryset: (COLUMNS, demande_rows(queryset)),
    )
)
