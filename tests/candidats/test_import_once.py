"""A 5,000-row import reads its file once (make bench): the confirmation enrols the rows validation
converted, and reads the file again only when the cache has lost them."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from candidats import imports
from candidats.models import ImportJob, ImportJobStatusChange, Inscription
from tests.candidats.test_imports import ROW, filled_template

ROWS = [ROW + ["O", "O", "O", "O"], ["Martin", "Léa", *ROW[2:], "O", "O", "O", "O"]]


def validated(session, by):
    content = filled_template(session, ROWS)
    job = imports.start_import(session=session, upload=SimpleUploadedFile("candidats.xlsx", content), by=by)
    job = imports.validate_job(job.pk)
    assert job.statut == ImportJob.Statut.A_CONFIRMER
    return imports.claim_for_import(job)


def test_the_confirmation_enrols_the_validated_rows_without_reading_the_file_again(
    session_canada, responsable, monkeypatch
):
    job = validated(session_canada, responsable)

    def no_second_read(*args, **kwargs):
        pytest.fail("le fichier a été relu")

    monkeypatch.setattr(imports, "parse_file", no_second_read)
    job = imports.confirm_job(job.pk, by_id=responsable.pk, confirm_warnings=False)
    assert job.statut == ImportJob.Statut.TERMINE
    assert Inscription.objects.filter(session=session_canada).count() == 2


def test_without_the_cached_rows_the_file_is_read_again(session_canada, responsable):
    job = validated(session_canada, responsable)
    cache.delete(imports.parsed_key(job))
    job = imports.confirm_job(job.pk, by_id=responsable.pk, confirm_warnings=False)
    assert job.statut == ImportJob.Statut.TERMINE
    assert sorted(
        Inscription.objects.filter(session=session_canada).values_list("candidat__nom", flat=True)
    ) == [
        "Dupont",
        "Martin",
    ]


def _queries_of_an_import(session, by, rows) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    content = filled_template(session, rows)
    with CaptureQueriesContext(connection) as queries:
        job = imports.start_import(session=session, upload=SimpleUploadedFile("c.xlsx", content), by=by)
        job = imports.validate_job(job.pk)
        imports.claim_for_import(job, by=by)
        job = imports.confirm_job(job.pk, by_id=by.pk, confirm_warnings=True)
    assert job.statut == ImportJob.Statut.TERMINE
    history = [q for q in queries if ImportJobStatusChange._meta.db_table in q["sql"]]
    assert len(history) == 5  # déposé, en cours, prêt à confirmer, en cours, terminé: one INSERT each
    return len(queries)


def test_status_changes_cost_no_query_per_row(centre_a, tef_canada, responsable):
    """Only the job's status changes go through the workflow (a few queries per job), never its progress."""
    from tests.factories import SessionFactory

    few = SessionFactory(centre=centre_a, produit=tef_canada, nb_places=300)
    many = SessionFactory(centre=centre_a, produit=tef_canada, nb_places=300)
    rows = [[f"Nom{i}", "Léa", *ROW[2:], "O", "O", "O", "O"] for i in range(200)]
    five = _queries_of_an_import(few, responsable, rows[:5])
    two_hundred = _queries_of_an_import(many, responsable, rows)
    # The same work whatever the size (a time-throttled progress UPDATE or two aside): 195 more rows
    # would cost 195 queries or more if anything ran per row.
    assert two_hundred - five < 10
