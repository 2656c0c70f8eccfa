"""Thin Celery entry points for large import files: they take ids and call candidats.imports
(whose steps are idempotent: a job already validated or imported is left alone)."""

from celery import shared_task

from . import imports


@shared_task(name="candidats.tasks.validate_import")
def validate_import(job_id: int) -> None:
    imports.validate_job(job_id)


@shared_task(name="candidats.tasks.confirm_import")
def confirm_import(job_id: int, by_id: int | None, confirm_warnings: bool) -> None:
    imports.confirm_job(job_id, by_id=by_id, confirm_warnings=confirm_warnings)
