"""Convocations: when a session's enrolment closes (the D-2 job, candidats.documents), every enrolled
candidate with an e-mail receives an e-mail and a PDF (centre, address, date, time and place of each épreuve,
the documents to bring, the centre's own instructions from « Ma fiche centre »).

The task is idempotent: the initial sending of an enrolment is one ConvocationEnvoi row (unique), written
under the enrolment's row lock, so a task run twice sends nothing the second time. A resend is an explicit
action of the centre (`resend`, `resend_all`), recorded as its own row with who asked."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q

from core import emails
from core.errors import BusinessError
from core.pdf import PDF_MIMETYPE, render_pdf
from sessions_app.models import Session, SessionStatus

from . import tasks
from .billing import enrolled_for_documents
from .models import ConvocationEnvoi, ConvocationKind, ConvocationStatus, Inscription, InscriptionStatus

K, St = ConvocationKind, ConvocationStatus
DOCUMENTS_TO_BRING = [
    "une pièce d'identité officielle en cours de validité, avec photo (celle déclarée à l'inscription) ;",
    "cette convocation, imprimée ou sur votre téléphone ;",
    "de quoi écrire (stylo bleu ou noir).",
]
# A session whose enrolment is closed and which still takes place: convocations make sense.
CONVOKED_STATUSES = {SessionStatus.CLOSE}


def _epreuves(inscription: Inscription) -> list:
    return [ie.epreuve for ie in inscription.epreuves.all() if not ie.dispense]


def convocation_pdf(session: Session, inscriptions: list[Inscription]) -> bytes:
    """One page per candidate (one for one e-mail, all of them for the centre to print)."""
    for inscription in inscriptions:
        inscription.epreuves_convoquees = _epreuves(inscription)
    return render_pdf(
        "pdf/convocation.html",
        {
            "session": session,
            "centre": session.centre,
            "inscriptions": inscriptions,
            "documents_to_bring": DOCUMENTS_TO_BRING,
        },
    )


def convocation_filename(inscription: Inscription) -> str:
    return f"convocation_{inscription.session.numero}_{inscription.numero}.pdf"


def all_convocations_pdf(session: Session) -> tuple[str, str, bytes]:
    """« Toutes les convocations (PDF) »: every enrolled candidate, for those without e-mail."""
    return (
        f"convocations_{session.numero}.pdf",
        PDF_MIMETYPE,
        convocation_pdf(session, enrolled_for_documents(session)),
    )


def _enrolment(inscription_id: int) -> Inscription | None:
    return (
        Inscription.objects.select_for_update(of=("self",))
        .select_related("candidat", "session__centre", "session__produit")
        .prefetch_related("epreuves__epreuve")
        .filter(pk=inscription_id, statut=InscriptionStatus.INSCRIT, virtuel=False)
        .first()
    )


def send_convocation(inscription_id: int, *, kind: str = K.INITIAL, by_id: int | None = None):
    """Send (or record that there is no address for) one convocation. The initial one is sent once."""
    with transaction.atomic():
        inscription = _enrolment(inscription_id)
        if inscription is None or inscription.session.statut not in CONVOKED_STATUSES:
            return None
        if kind == K.INITIAL and inscription.convocations.filter(kind=K.INITIAL).exists():
            return None
        session, candidat = inscription.session, inscription.candidat
        status = St.NO_EMAIL
        if candidat.email:
            pdf = convocation_pdf(session, [inscription])
            delivery = emails.send(
                "convocation",
                {
                    "session": session,
                    "centre": session.centre,
                    "candidat": candidat,
                    "inscription": inscription,
                    "epreuves": inscription.epreuves_convoquees,
                    "documents_to_bring": DOCUMENTS_TO_BRING,
                },
                [candidat.email],
                reply_to=session.centre.email or None,
                attachments=[(convocation_filename(inscription), pdf, PDF_MIMETYPE)],
            )
            status = St.BOUNCED if delivery.bounced else St.SENT
        return ConvocationEnvoi.objects.create(
            inscription=inscription, kind=kind, status=status, email=candidat.email, by_id=by_id
        )


def send_convocations_of_session(session_id: int) -> int:
    """The initial convocations of a closed session: one per enrolment still without one."""
    pending = (
        Inscription.objects.filter(session_id=session_id, statut=InscriptionStatus.INSCRIT, virtuel=False)
        .exclude(convocations__kind=K.INITIAL)
        .values_list("pk", flat=True)
    )
    return sum(send_convocation(pk) is not None for pk in list(pending))


def queue_convocation(inscription: Inscription) -> None:
    """A candidate enrolled after the closure (réinscription): the convocation goes at once."""
    if inscription.session.statut in CONVOKED_STATUSES:
        pk = inscription.pk
        transaction.on_commit(lambda: tasks.send_convocation.delay(pk))


def cannot_resend(session: Session) -> str | None:
    if session.statut not in CONVOKED_STATUSES:
        return "Les convocations s'envoient une fois les inscriptions closes, avant la session."
    return None


def resend(inscription: Inscription, *, by) -> None:
    """« Renvoyer la convocation » of one candidate (recorded, with who asked)."""
    if reason := cannot_resend(inscription.session):
        raise BusinessError(reason)
    if not inscription.candidat.email:
        raise BusinessError(
            "Ce candidat n'a pas d'adresse e-mail : imprimez sa convocation (toutes les convocations en PDF, "
            "depuis la page de la session) ou ajoutez son adresse."
        )
    pk, by_id = inscription.pk, by.pk
    transaction.on_commit(lambda: tasks.send_convocation.delay(pk, kind=K.RESEND, by_id=by_id))


def resend_all(session: Session, *, by) -> int:
    """« Renvoyer toutes les convocations »: one resend per enrolled candidate."""
    if reason := cannot_resend(session):
        raise BusinessError(reason)
    ids = list(
        Inscription.objects.filter(
            session=session, statut=InscriptionStatus.INSCRIT, virtuel=False
        ).values_list("pk", flat=True)
    )
    by_id = by.pk
    transaction.on_commit(lambda: tasks.resend_convocations.delay(ids, by_id=by_id))
    return len(ids)


def summary(session: Session) -> dict:
    """What the session page shows: the latest sending of each enrolled candidate, counted by result."""
    # Virtual candidates (added on the day, on FDA's platform) are not convoked.
    enrolled = Inscription.objects.filter(session=session, statut=InscriptionStatus.INSCRIT, virtuel=False)
    latest = {}  # ordered oldest first: the last row of each enrolment wins
    for inscription_id, status in (
        ConvocationEnvoi.objects.filter(inscription__in=enrolled)
        .order_by("sent_at", "pk")
        .values_list("inscription_id", "status")
    ):
        latest[inscription_id] = status
    counts = enrolled.aggregate(
        total=Count("pk", distinct=True), resent=Count("convocations", filter=Q(convocations__kind=K.RESEND))
    )
    statuses = list(latest.values())
    return {
        "enrolled": counts["total"],
        "sent": statuses.count(St.SENT),
        "bounced": statuses.count(St.BOUNCED),
        "no_email": statuses.count(St.NO_EMAIL),
        "pending": counts["total"] - len(latest),
        "resent": counts["resent"],
    }
