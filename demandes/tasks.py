"""Thin Celery entry points of the requests."""

from celery import shared_task

from . import correction, emails

RETRIED = {"autoretry_for": (Exception,), "retry_backoff": 30, "max_retries": 5}


@shared_task(name="demandes.tasks.send_decision_email", **RETRIED)
def send_decision_email(demande_id: int) -> None:
    emails.send_decision_email(demande_id)


@shared_task(name="demandes.tasks.render_anomalies_sheet", **RETRIED)
def render_anomalies_sheet(session_id: int) -> None:
    correction.render_anomalies_sheet(session_id)
