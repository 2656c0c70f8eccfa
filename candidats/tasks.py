"""Thin Celery entry points of the candidates' layer: they take ids and call the services, whose steps are
idempotent (a job already validated or imported, a document already rendered, is left alone)."""

from celery import shared_task

from . import attestations, convocations, documents, imports, notices

RETRIED = {"autoretry_for": (Exception,), "retry_backoff": 30, "max_retries": 5}


def _same_queue(task) -> dict:
    """The follow-up tasks go to the queue this one came from (a worker pool of its own, a test's private
    queue); eagerly run or on the default queue, the default."""
    queue = (task.request.delivery_info or {}).get("routing_key")
    return {"queue": queue} if queue else {}


@shared_task(name="candidats.tasks.validate_import")
def validate_import(job_id: int) -> None:
    imports.validate_job(job_id)


@shared_task(name="candidats.tasks.confirm_import")
def confirm_import(job_id: int, by_id: int | None, confirm_warnings: bool) -> None:
    imports.confirm_job(job_id, by_id=by_id, confirm_warnings=confirm_warnings)


@shared_task(name="candidats.tasks.close_due_sessions")
def close_due_sessions() -> list[int]:
    """Beat, every 5 minutes (settings.CELERY_BEAT_SCHEDULE): close what is due, queue the documents."""
    return documents.close_due_sessions()


@shared_task(name="candidats.tasks.render_session_documents", **RETRIED)
def render_session_documents(session_id: int) -> None:
    documents.render_session_documents(session_id)


@shared_task(name="candidats.tasks.render_documents_of_sessions")
def render_documents_of_sessions(session_ids: list[int]) -> None:
    """After a closure batch: per session, one rendering task and one convocation task (own retries)."""
    for session_id in session_ids:
        render_session_documents.delay(session_id)
        send_convocations_of_session.delay(session_id)


@shared_task(name="candidats.tasks.rerender_bon_de_commande", **RETRIED)
def rerender_bon_de_commande(session_id: int) -> None:
    documents.rerender_bon_de_commande(session_id)


@shared_task(name="candidats.tasks.publish_attestations", bind=True, **RETRIED)
def publish_attestations(self, session_id: int) -> int:
    """At publication (candidats.results.publish): the enrolments still without an attestation, handed out in
    chunks that the workers share. Returns how many chunks were queued. Nothing to render: the notices go."""
    ids = attestations.missing_ids(session_id)
    parts = attestations.chunks(ids)
    for part in parts:
        render_attestation_chunk.apply_async(args=[session_id, part], **_same_queue(self))
    if not parts:
        send_results_notices.apply_async(args=[session_id], **_same_queue(self))
    return len(parts)


@shared_task(name="candidats.tasks.render_attestation_chunk", bind=True, **RETRIED)
def render_attestation_chunk(self, session_id: int, inscription_ids: list[int]) -> int:
    made = attestations.render_attestation_chunk(session_id, inscription_ids)
    # The chunk that sees nothing left has the candidates told (the notice may carry their attestation). Two
    # chunks finishing together may both queue it: the notices are sent once per enrolment (notices.py).
    if attestations.all_rendered(session_id):
        send_results_notices.apply_async(args=[session_id], **_same_queue(self))
    return made


@shared_task(name="candidats.tasks.render_attestations", bind=True, **RETRIED)
def render_attestations(self, session_id: int) -> int:
    """Every missing attestation of the session in one task (the whole-session fallback, e.g. given again by
    hand after an incident), then the notices."""
    made = attestations.render_attestations(session_id)
    send_results_notices.apply_async(args=[session_id], **_same_queue(self))
    return made


@shared_task(name="candidats.tasks.send_results_notices", **RETRIED)
def send_results_notices(session_id: int) -> int:
    return notices.send_results_notices(session_id)


@shared_task(name="candidats.tasks.send_convocations_of_session", **RETRIED)
def send_convocations_of_session(session_id: int) -> int:
    return convocations.send_convocations_of_session(session_id)


@shared_task(name="candidats.tasks.send_convocation", **RETRIED)
def send_convocation(inscription_id: int, kind: str = "initial", by_id: int | None = None) -> None:
    convocations.send_convocation(inscription_id, kind=kind, by_id=by_id)


@shared_task(name="candidats.tasks.resend_convocations")
def resend_convocations(inscription_ids: list[int], by_id: int | None = None) -> None:
    for inscription_id in inscription_ids:
        send_convocation.delay(inscription_id, kind="resend", by_id=by_id)
