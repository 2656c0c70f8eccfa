"""Results notices: once FDA has published a session's results and its attestations are rendered, each
candidate with an e-mail is told the results are available at their centre. The centre chooses on its
fiche (Centre.attestation_avec_resultats) whether the e-mail carries the attestation PDF.

Once per enrolment (AvisResultats is one-to-one, written under the enrolment's row lock): the task that
follows the rendering of the attestations may run twice without a second e-mail."""

from __future__ import annotations

from django.db import transaction

from core import emails
from core.pdf import PDF_MIMETYPE
from sessions_app.models import Document, DocumentKind, Session

from . import attestations
from .models import AvisResultats, ConvocationStatus, Inscription, InscriptionStatus

St = ConvocationStatus


def send_results_notice(inscription_id: int) -> AvisResultats | None:
    with transaction.atomic():
        inscription = (
            Inscription.objects.select_for_update(of=("self",))
            .select_related("candidat", "session__centre", "session__produit")
            .filter(pk=inscription_id, statut=InscriptionStatus.INSCRIT, virtuel=False)
            .first()
        )
        if inscription is None or not attestations.results_published(inscription.session):
            return None
        if AvisResultats.objects.filter(inscription=inscription).exists():
            return None
        session, candidat, centre = inscription.session, inscription.candidat, inscription.session.centre
        attestation = (
            Document.objects.filter(inscription=inscription, kind=DocumentKind.ATTESTATION)
            .order_by("-created_at")
            .first()
        )
        if attestation is None:  # nobody sat it, nothing was scored: nothing to announce
            return None
        attachments = []
        if centre.attestation_avec_resultats:
            with attestation.fichier.open("rb") as f:
                attachments.append((attestation.nom, f.read(), PDF_MIMETYPE))
        status = St.NO_EMAIL
        if candidat.email:
            delivery = emails.send(
                "resultats_disponibles",
                {"session": session, "centre": centre, "candidat": candidat, "attached": bool(attachments)},
                [candidat.email],
                reply_to=centre.email or None,
                attachments=attachments,
            )
            status = St.BOUNCED if delivery.bounced else St.SENT
        return AvisResultats.objects.create(
            inscription=inscription, status=status, email=candidat.email, with_attestation=bool(attachments)
        )


def send_results_notices(session_id: int) -> int:
    session = Session.objects.filter(pk=session_id).first()
    if session is None or not attestations.results_published(session):
        return 0
    pending = (
        Inscription.objects.filter(session=session, statut=InscriptionStatus.INSCRIT, virtuel=False)
        .exclude(avis_resultats__isnull=False)
        .values_list("pk", flat=True)
    )
    return sum(send_results_notice(pk) is not None for pk in list(pending))
