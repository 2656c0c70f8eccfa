"""Thin Celery entry points of the requests."""

from celery import shared_task

from . import emails


@shared_task(
    name="demandes.tasks.send_decision_email", autoretry_for=(Exception,), retry_backoff=30, max_retries=5
)
def send_decision_email(demande_id: int) -> None:
    emails.send_decision_email(demande_id)
