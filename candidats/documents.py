"""The session documents that list its candidates — bon de commande and codes d'accès — rendered once the
enrolments close, and the bon de commande's signature. The D-2 closure itself is the session's
(sessions_app.services); the entry points here close and then queue these documents."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.errors import BusinessError
from core.pdf import PDF_MIMETYPE, render_pdf
from sessions_app import services as session_services
from sessions_app.models import BonDeCommande, Document, DocumentKind, Session, SessionStatus
from sessions_app.services import BONS, OPEN_STATUSES, _delete_after_commit, _store, cannot_sign

from . import tasks
from .billing import commande_for, enrolled_for_documents

S = SessionStatus


def close_enrolment(session: Session, *, by=None, comment: str = "", now: dt.datetime | None = None) -> bool:
    """Close the session's enrolments (FDA forcing it, or the D-2 job) and queue its documents."""
    return session_services.close_enrolment(
        session, by=by, comment=comment, now=now, queue_documents=queue_documents_of_sessions
    )


def close_due_sessions(now: dt.datetime | None = None) -> list[int]:
    """The D-2 job: close every session that is due, and queue the documents of those closed."""
    return session_services.close_due_sessions(now, queue_documents=queue_documents_of_sessions)


def queue_session_documents(session_id: int) -> None:
    transaction.on_commit(lambda: tasks.render_session_documents.delay(session_id))


def queue_documents_of_sessions(session_ids: list[int]) -> None:
    """One message for a whole batch; the worker fans it out into one rendering task and one convocation
    task per session (idempotent: a session queued again sends no convocation twice)."""
    ids = list(session_ids)
    transaction.on_commit(lambda: tasks.render_documents_of_sessions.delay(ids))


def bon_de_commande_filename(session: Session) -> str:
    return f"{session.numero}_bon_commande.pdf"


def codes_acces_filename(session: Session) -> str:
    return f"codes_acces_{session.numero}.pdf"


def bon_de_commande_pdf(session: Session, bon: BonDeCommande | None = None, commande=None):
    """Returns (filename, mimetype, bytes); `commande` (selectors.commande_for) may be given to avoid
    computing it twice."""
    commande = commande or commande_for(session)
    content = render_pdf(
        "pdf/bon_de_commande.html",
        {"session": session, "centre": session.centre, "bon": bon, "commande": commande},
    )
    return bon_de_commande_filename(session), PDF_MIMETYPE, content


def codes_acces_pdf(session: Session):
    inscriptions = enrolled_for_documents(session)
    for insc in inscriptions:
        insc.codes_epreuves = ", ".join(ie.epreuve.code for ie in insc.epreuves.all() if not ie.dispense)
    content = render_pdf(
        "pdf/codes_acces.html", {"session": session, "centre": session.centre, "inscriptions": inscriptions}
    )
    return codes_acces_filename(session), PDF_MIMETYPE, content


def render_session_documents(session_id: int) -> None:
    """Render `<numero>_bon_commande.pdf` and `codes_acces_<numero>.pdf` once per session.

    The session row lock serialises concurrent runs; the second one finds the documents and stops
    (the conditional unique constraint on Document(session, kind) is the last guard)."""
    with transaction.atomic():
        session = (
            Session.objects.select_for_update(of=("self",))
            .select_related("centre", "produit")
            .filter(pk=session_id)
            .first()
        )
        if session is None or session.statut in OPEN_STATUSES or session.statut == S.ANNULEE:
            return
        existing = set(
            Document.objects.filter(
                session=session, kind__in=[DocumentKind.BON_COMMANDE, DocumentKind.CODES_ACCES]
            ).values_list("kind", flat=True)
        )
        if DocumentKind.BON_COMMANDE not in existing:
            bon = BonDeCommande.objects.filter(session=session).first() or BonDeCommande(session=session)
            commande = commande_for(session)
            filename, mimetype, content = bon_de_commande_pdf(session, bon, commande)
            document = Document(
                centre=session.centre,
                session=session,
                kind=DocumentKind.BON_COMMANDE,
                nom=filename,
                content_type=mimetype,
            )
            _store(document, filename, content)
            document.save()
            bon.document = document
            bon.montant_total = commande.total
            bon.save()
        if DocumentKind.CODES_ACCES not in existing:
            filename, mimetype, content = codes_acces_pdf(session)
            document = Document(
                centre=session.centre,
                session=session,
                kind=DocumentKind.CODES_ACCES,
                nom=filename,
                content_type=mimetype,
            )
            _store(document, filename, content)
            document.save()


def rerender_bon_de_commande(session_id: int) -> None:
    """Re-render the bon de commande in place (after signature: the PDF then shows who signed, when)."""
    with transaction.atomic():
        bon = (
            BonDeCommande.objects.select_for_update(of=("self",))
            .select_related("session__centre", "session__produit", "document", "signed_by")
            .filter(session_id=session_id)
            .first()
        )
        if bon is None or bon.document is None:
            return
        document = bon.document
        commande = commande_for(bon.session)
        filename, mimetype, content = bon_de_commande_pdf(bon.session, bon, commande)
        old = _store(document, filename, content)
        document.save(update_fields=["fichier"])
        bon.montant_total = commande.total
        bon.save(update_fields=["montant_total"])
        _delete_after_commit(document.fichier.storage, old)


@transaction.atomic
def sign_bon_de_commande(session: Session, *, by) -> BonDeCommande:
    """ "Signer": the bon de commande goes from Devis non-signé to Devis signé (who, when), and its PDF is
    re-rendered after commit. What is signed is what the re-rendered PDF will show: today's lines at
    FDA's prices."""
    bon = BonDeCommande.objects.select_for_update().filter(session=session).first()
    commande = (
        commande_for(session) if bon is not None and bon.statut == BonDeCommande.Statut.NON_SIGNE else None
    )
    if (refusal := cannot_sign(bon, commande)) is not None:
        raise BusinessError(refusal, code="sign")
    session_id = session.pk

    BONS.transition(
        bon,
        BonDeCommande.Statut.SIGNE,
        by=by,
        comment="Bon de commande signé par le centre.",
        changes={"signed_by": by, "signed_at": timezone.now(), "montant_total": commande.total},
        locked=True,
        after_commit=[lambda: tasks.rerender_bon_de_commande.delay(session_id)],
    )
    return bon
