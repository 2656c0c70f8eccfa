"""Thin Celery entry points of the kernel."""

from celery import shared_task

from . import exports


@shared_task(name="core.tasks.run_export")
def run_export(export_id: int) -> None:
    exports.run_export(export_id)


@shared_task(name="core.tasks.purge_exports")
def purge_exports() -> int:
    """Beat, daily (settings.CELERY_BEAT_SCHEDULE): exports are kept EXPORT_KEEP_DAYS days."""
    return exports.purge_expired()
