"""Thin Celery entry points: they take ids and call the services (which are idempotent)."""

from celery import shared_task

from . import services


@shared_task(name="sessions_app.tasks.close_due_sessions")
def close_due_sessions() -> list[int]:
    """Beat, every 5 minutes (settings.CELERY_BEAT_SCHEDULE): close what is due, queue the documents."""
    return services.close_due_sessions()


@shared_task(
    name="sessions_app.tasks.render_session_documents",
    autoretry_for=(Exception,),
    retry_backoff=30,
    max_retries=5,
)
def render_session_documents(session_id: int) -> None:
    services.render_session_documents(session_id)


@shared_task(name="sessions_app.tasks.render_documents_of_sessions")
def render_documents_of_sessions(session_ids: list[int]) -> None:
    """After a closure batch: one rendering task per session, each with its own retries."""
    for session_id in session_ids:
        render_session_documents.delay(session_id)


@shared_task(
    name="sessions_app.tasks.rerender_bon_de_commande",
    autoretry_for=(Exception,),
    retry_backoff=30,
    max_retries=5,
)
def rerender_bon_de_commande(session_id: int) -> None:
    services.rerender_bon_de_commande(session_id)


@shared_task(
    name="sessions_app.tasks.render_anomalies_sheet",
    autoretry_for=(Exception,),
    retry_backoff=30,
    max_retries=5,
)
def render_anomalies_sheet(session_id: int) -> None:
    from . import correction

    correction.render_anomalies_sheet(session_id)


@shared_task(
    name="sessions_app.tasks.render_attestations",
    autoretry_for=(Exception,),
    retry_backoff=30,
    max_retries=5,
)
def render_attestations(session_id: int) -> int:
    from . import attestations

    return attestations.render_attestations(session_id)
