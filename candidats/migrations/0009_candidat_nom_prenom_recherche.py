"""Names folded for case and accents (core.text.fold) stored beside nom and prénom, filled for the existing
rows here and by every write afterwards (core.fields.FoldedCharField): the searches compare them, so
"lefèvre", "LEFEVRE" and "Lefèvre" find the same candidates on SQLite and on PostgreSQL. The trigram index
of migration 0003 moves from upper(nom), upper(prenom) to the folded columns (e-mail unchanged)."""

from django.db import migrations

import core.fields
from core.text import fold

INDEX = "candidats_candidat_recherche_trgm"
BATCH = 10_000


def fill(apps, schema_editor):
    """One UPDATE per batch of distinct (nom, prénom) pairs: a national table holds far fewer pairs than rows."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT nom, prenom FROM candidats_candidat")
        pairs = cursor.fetchall()
        for start in range(0, len(pairs), BATCH):
            batch = pairs[start : start + BATCH]
            if connection.vendor == "postgresql":
                cursor.execute(
                    "UPDATE candidats_candidat c SET nom_recherche = m.fn, prenom_recherche = m.fp "
                    "FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[]) AS m(n, p, fn, fp) "
                    "WHERE c.nom = m.n AND c.prenom = m.p",
                    [
                        [n for n, _ in batch],
                        [p for _, p in batch],
                        [fold(n)[:150] for n, _ in batch],
                        [fold(p)[:150] for _, p in batch],
                    ],
                )
            else:
                cursor.executemany(
                    "UPDATE candidats_candidat SET nom_recherche = %s, prenom_recherche = %s "
                    "WHERE nom = %s AND prenom = %s",
                    [(fold(n)[:150], fold(p)[:150], n, p) for n, p in batch],
                )


def move_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(
        f"CREATE INDEX {INDEX} ON candidats_candidat USING gin ("
        "centre_id, nom_recherche gin_trgm_ops, prenom_recherche gin_trgm_ops, upper(email::text) gin_trgm_ops)"
    )


def restore_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(
        f"CREATE INDEX {INDEX} ON candidats_candidat USING gin ("
        "centre_id, upper(nom::text) gin_trgm_ops, upper(prenom::text) gin_trgm_ops, "
        "upper(email::text) gin_trgm_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("candidats", "0008_status_history")]

    operations = [
        migrations.AddField(
            model_name="candidat",
            name="nom_recherche",
            field=core.fields.FoldedCharField(max_length=150, source="nom", verbose_name="nom (recherche)"),
        ),
        migrations.AddField(
            model_name="candidat",
            name="prenom_recherche",
            field=core.fields.FoldedCharField(max_length=150, source="prenom", verbose_name="prénom (recherche)"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(move_index, restore_index, elidable=False),
    ]
