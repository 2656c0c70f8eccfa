from celery import shared_task

from .statistics import refresh_network_statistics


@shared_task
def refresh_statistics() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): rebuild the network's summary table; returns its row count."""
    rows, _seconds = refresh_network_statistics()
    return rows
