"""A 5,000-row import reads its file once (make bench): the confirmation enrols the rows validation
converted, and reads the file again only when the cache has lost them."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from candidats import imports
from candidats.models import ImportJob, Inscription
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
