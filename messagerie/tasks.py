"""Thin Celery entry points of the messagerie: they take ids."""

import smtplib

from celery import shared_task

from . import emails


@shared_task(
    name="messagerie.tasks.send_new_message_email",
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=30,
    max_retries=5,
)
def send_new_message_email(message_id: int) -> None:
    """E-mail the other side of a new message (a message deleted meanwhile is skipped)."""
    emails.send_new_message_email(message_id)
