"""Search of "Toutes les inscriptions" and the header box at national scale: a trigram index over the
centre's candidates (nom, prénom, e-mail as Django's icontains compares them, in upper case).

PostgreSQL only (pg_trgm and btree_gin, shipped with PostgreSQL's contrib); on SQLite the search
simply scans, as it always did. Not in the model's Meta: the portable schema stays portable."""

from django.db import migrations

INDEX = "candidats_candidat_recherche_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON candidats_candidat USING gin ("
        "centre_id, upper(nom::text) gin_trgm_ops, upper(prenom::text) gin_trgm_ops, "
        "upper(email::text) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("candidats", "0002_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
