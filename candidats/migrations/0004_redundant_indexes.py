"""Indexes nobody reads, each written by every enrolment (an import of 5,000 rows wrote 31 MB of WAL,
21 MB without them; make bench): the foreign keys whose column already starts a composite index, and
PostgreSQL's `varchar_pattern_ops` copy of the access code's unique index (codes are only ever looked
up whole, never by LIKE)."""

import django.db.models.deletion
from django.db import migrations, models


def drop_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS candidats_inscription_code_acces_6e7e057d_like")


def create_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS candidats_inscription_code_acces_6e7e057d_like "
            "ON candidats_inscription (code_acces varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("candidats", "0003_candidat_search_trigram_index"),
        ("centres", "0002_initial"),
        ("sessions_app", "0003_absences_declarees_and_code_verification"),
    ]

    operations = [
        migrations.RunPython(drop_like_index, create_like_index, elidable=False),
        migrations.AlterField(
            model_name="candidat",
            name="centre",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="candidats",
                to="centres.centre",
            ),
        ),
        migrations.AlterField(
            model_name="inscription",
            name="candidat",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="inscriptions",
                to="candidats.candidat",
            ),
        ),
        migrations.AlterField(
            model_name="inscription",
            name="session",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="inscriptions",
                to="sessions_app.session",
            ),
        ),
        migrations.AlterField(
            model_name="inscriptionepreuve",
            name="inscription",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="epreuves",
                to="candidats.inscription",
            ),
        ),
    ]
