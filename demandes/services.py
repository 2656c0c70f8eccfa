"""Requests of a centre about one enrolment, and FDA's decisions on them.

Filing checks the moment (each kind has its window in the session's life), one open request of a kind per
enrolment, and the justificatifs (checked like any attachment). A decision goes through one TRANSITIONS table,
writes the history, applies its effect on the enrolment (tiers-temps, dispense, fraude), and notifies the
centre (a line in INFORMATIONS and an e-mail after commit). A validated report lets the centre re-enrol the
candidate in another session of the same product without paying twice."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from candidats import convocations
from candidats import tasks as candidats_tasks
from candidats.models import Inscription, InscriptionEpreuve, InscriptionSource, InscriptionStatus
from core.errors import BusinessError
from core.models import next_number
from core.uploads import safe_filename, validate_attachment
from core.workflow import Workflow
from sessions_app.models import BonDeCommande, Document, DocumentKind, Session, SessionStatus

from . import tasks
from .models import Demande, DemandeKind, DemandeStatus, DemandeStatusChange, Notification

K, D, S = DemandeKind, DemandeStatus, SessionStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    D.EN_COURS: frozenset({D.VALIDEE, D.REFUSEE}),
    D.VALIDEE: frozenset(),
    D.REFUSEE: frozenset(),
}
DEMANDES = Workflow(
    Demande,
    transitions=TRANSITIONS,
    history=DemandeStatusChange,
    noun=lambda demande: f"La demande n°{demande.numero}",
)

# When each kind may be filed, and what the centre reads otherwise.
WINDOWS: dict[str, tuple[frozenset[str], str]] = {
    K.AMENAGEMENT: (
        frozenset({S.OUVERTE}),
        "Une demande d'aménagement n'est possible que tant que les inscriptions de la session sont ouvertes.",
    ),
    K.DISPENSE: (
        frozenset({S.OUVERTE}),
        "Une demande de dispense n'est possible que tant que les inscriptions de la session sont ouvertes.",
    ),
    K.REPORT: (
        frozenset({S.PLANIFIEE, S.OUVERTE, S.CLOSE, S.ANOMALIES, S.CORRECTION}),
        "Une demande de report n'est possible qu'avant la publication des résultats de la session.",
    ),
    K.FRAUDE: (
        frozenset({S.CLOSE, S.ANOMALIES, S.CORRECTION, S.RESULTATS}),
        "Une fraude ou un incident se signale à partir du jour de la session.",
    ),
    K.RECOURS: (frozenset({S.RESULTATS}), "Un recours n'est possible qu'une fois les résultats publiés."),
}
SOUS_TYPES = {K.AMENAGEMENT: Demande.Amenagement, K.FRAUDE: Demande.Incident}
MAX_JUSTIFICATIFS = 5

# The guide's INFORMATIONS lines: "Votre demande de report concernant la session 7000023 - TEF Intégration
# Résidence Nationalité - 30/06/2023 et le candidat Asmaa BOUIRI a été validée.", "Votre fraude concernant …
# est en cours d'étude par le FDA." — the noun and its agreement, per kind.
NOUNS = {
    K.REPORT: ("Votre demande de report", "e"),
    K.AMENAGEMENT: ("Votre demande d'aménagement", "e"),
    K.DISPENSE: ("Votre dispense", "e"),
    K.FRAUDE: ("Votre fraude", "e"),
    K.RECOURS: ("Votre recours", ""),
}


def check_can_file(inscription: Inscription, kind: str, today=None) -> None:
    """Raises BusinessError (French, says why) when `kind` cannot be filed for this enrolment now."""
    today = today or timezone.localdate()
    if kind not in WINDOWS:
        raise BusinessError("Type de demande inconnu.")
    if inscription.statut != InscriptionStatus.INSCRIT:
        raise BusinessError(
            f"L'inscription {inscription.numero} est « {inscription.get_statut_display()} » : aucune demande ne "
            "peut plus y être faite."
        )
    statuses, why = WINDOWS[kind]
    session = inscription.session
    # Enrolment windows end at D-2 even before the closure job has moved the session to Inscriptions closes.
    too_late = kind in (K.AMENAGEMENT, K.DISPENSE) and not session.enrolment_open()
    if session.statut not in statuses or too_late or (kind == K.FRAUDE and session.date > today):
        raise BusinessError(f"{why} (session {session.numero} : « {session.get_statut_display()} »)")
    if Demande.objects.filter(inscription=inscription, kind=kind, statut=D.EN_COURS).exists():
        raise BusinessError(
            f"Une demande de ce type est déjà en cours de traitement pour l'inscription {inscription.numero}."
        )


@transaction.atomic
def file_demande(
    inscription: Inscription,
    kind: str,
    *,
    by,
    description: str,
    sous_type: str = "",
    epreuve=None,
    justificatifs: Iterable = (),
) -> Demande:
    inscription = (
        Inscription.objects.select_for_update(of=("self",))
        .select_related("session__produit")
        .get(pk=inscription.pk)
    )
    check_can_file(inscription, kind)
    description = (description or "").strip()
    if not description:
        raise BusinessError("La description de la demande est obligatoire.")
    if kind in SOUS_TYPES and sous_type not in SOUS_TYPES[kind].values:
        raise BusinessError("Choisissez la nature de la demande.")
    if kind not in SOUS_TYPES:
        sous_type = ""
    if kind == K.DISPENSE:
        if epreuve is None or not inscription.epreuves.filter(epreuve=epreuve, dispense=False).exists():
            raise BusinessError("Choisissez une épreuve choisie par le candidat et non encore dispensée.")
    else:
        epreuve = None
    justificatifs = list(justificatifs or ())
    if len(justificatifs) > MAX_JUSTIFICATIFS:
        raise BusinessError(f"Joignez au plus {MAX_JUSTIFICATIFS} justificatifs.")
    types = [validate_attachment(f) for f in justificatifs]
    if kind in (K.AMENAGEMENT, K.DISPENSE, K.REPORT) and not justificatifs:
        raise BusinessError("Joignez un justificatif (certificat, attestation…) à la demande.")
    demande = Demande.objects.create(
        numero=next_number("demande"),
        kind=kind,
        centre=inscription.session.centre,
        inscription=inscription,
        sous_type=sous_type,
        epreuve=epreuve,
        description=description,
        created_by=by,
    )
    for upload, content_type in zip(justificatifs, types, strict=True):
        name = safe_filename(upload.name)
        document = Document(
            centre=inscription.session.centre,
            session=inscription.session,
            inscription=inscription,
            kind=DocumentKind.JUSTIFICATIF,
            nom=name,
            content_type=content_type,
            uploaded_by=by,
        )
        document.fichier.save(name, upload, save=False)
        document.save()
        demande.justificatifs.add(document)
    DEMANDES.record_creation(demande, by=by, comment="Demande déposée par le centre.")
    if kind == K.FRAUDE:
        # The guide shows a declared fraude in INFORMATIONS at once: "… est en cours d'étude par le FDA."
        _notify_centre(demande)
    return demande


def notification_text(demande: Demande) -> str:
    """The guide's sentence for the request's current status (see NOUNS), with FDA's comment if any."""
    noun, agreement = NOUNS[demande.kind]
    session = demande.inscription.session
    candidat = demande.inscription.candidat
    if demande.statut == D.EN_COURS:
        outcome = "est en cours d'étude par le FDA"
    else:
        outcome = f"a été {'validé' if demande.statut == D.VALIDEE else 'refusé'}{agreement}"
    text = (
        f"{noun} concernant la session {session.numero} - {session.produit.nom} - {session.date:%d/%m/%Y} "
        f"et le candidat {candidat} {outcome}."
    )
    if demande.decision_comment:
        text += f" Commentaire du FDA : {demande.decision_comment}"
    return text


def _notify_centre(demande: Demande) -> None:
    """A line in the centre's INFORMATIONS, linking to the candidate's page (where the request shows)."""
    Notification.objects.create(
        centre_id=demande.centre_id,
        demande=demande,
        message=notification_text(demande),
        url=reverse("candidats:inscription", kwargs={"numero": demande.inscription.numero}),
    )


def _apply(demande: Demande, inscription: Inscription) -> None:
    """What a validated request changes on the enrolment."""
    if demande.kind == K.AMENAGEMENT and demande.sous_type == Demande.Amenagement.TIERS_TEMPS:
        inscription.tiers_temps = True
        inscription.save(update_fields=["tiers_temps"])
    elif demande.kind == K.FRAUDE:
        inscription.fraude = True
        inscription.save(update_fields=["fraude"])
    elif demande.kind == K.DISPENSE and demande.epreuve_id:
        InscriptionEpreuve.objects.filter(inscription=inscription, epreuve_id=demande.epreuve_id).update(
            dispense=True
        )
        # The centre is no longer charged for it: the bon de commande (if already made) is re-rendered.
        session_id = inscription.session_id
        if BonDeCommande.objects.filter(session_id=session_id, document__isnull=False).exists():
            transaction.on_commit(lambda: candidats_tasks.rerender_bon_de_commande.delay(session_id))


def cannot_decide(demande: Demande) -> str | None:
    """Why FDA cannot accept or refuse this request now (French), or None: it is decided once."""
    if not DEMANDES.allows(demande.statut, D.VALIDEE):
        return f"La demande n°{demande.numero} est déjà « {demande.get_statut_display()} »."
    return None


def can_decide(demande: Demande) -> bool:
    return cannot_decide(demande) is None


@transaction.atomic
def decide(demande: Demande, *, accept: bool, by, comment: str = "") -> Demande:
    """Accept or refuse a request; refused when it was already decided."""
    locked = (
        Demande.objects.select_for_update(of=("self",))
        .select_related("inscription__candidat", "inscription__session__produit", "centre")
        .get(pk=demande.pk)
    )
    if (refusal := cannot_decide(locked)) is not None:
        raise BusinessError(refusal, code="transition")
    demande_id = locked.pk
    comment = (comment or "").strip()
    DEMANDES.transition(
        locked,
        D.VALIDEE if accept else D.REFUSEE,
        by=by,
        comment=comment,
        changes={"decided_by": by, "decided_at": timezone.now(), "decision_comment": comment},
        locked=True,
        after_commit=[lambda: tasks.send_decision_email.delay(demande_id)],
    )
    if accept:
        _apply(locked, Inscription.objects.select_for_update(of=("self",)).get(pk=locked.inscription_id))
    _notify_centre(locked)
    demande.statut, demande.decided_by, demande.decided_at = locked.statut, by, locked.decided_at
    return locked


def reinscription_sessions(demande: Demande):
    """Sessions the candidate may be re-enrolled in: the centre's open sessions of the same product."""
    old = demande.inscription.session
    return (
        Session.objects.for_centre(demande.centre_id)
        .open_for_enrolment()
        .filter(produit_id=old.produit_id)
        .exclude(pk=old.pk)
        .with_places()
        .select_related("produit")
        .order_by("date", "heure")
    )


def cannot_reinscribe(demande: Demande) -> str | None:
    """Why "Réinscrire le candidat" is refused (French), or None: a validated report, once."""
    if demande.kind != K.REPORT or demande.statut != D.VALIDEE:
        return "Seule une demande de report validée permet de réinscrire le candidat."
    if demande.inscription.statut != InscriptionStatus.INSCRIT:
        return f"Le candidat de l'inscription {demande.inscription.numero} a déjà été réinscrit."
    return None


def can_reinscribe(demande: Demande) -> bool:
    return cannot_reinscribe(demande) is None


def check_can_reinscribe(demande: Demande) -> None:
    if (refusal := cannot_reinscribe(demande)) is not None:
        raise BusinessError(refusal, code="reinscription")


@transaction.atomic
def reinscrire(demande: Demande, session: Session, *, by) -> Inscription:
    """ "Réinscrire le candidat" in another open session of the same product: the old enrolment becomes
    Reporté, the new one is made by the enrolment service (places, D-2, rules) at no charge."""
    from candidats.services import enrol

    demande = (
        Demande.objects.select_for_update(of=("self",))
        .select_related("inscription__session")
        .get(pk=demande.pk)
    )
    old = (
        Inscription.objects.select_for_update(of=("self",))
        .select_related("session", "candidat")
        .get(pk=demande.inscription_id)
    )
    demande.inscription = old
    check_can_reinscribe(demande)
    if (
        session.centre_id != demande.centre_id
        or session.produit_id != old.session.produit_id
        or session.pk == old.session_id
    ):
        raise BusinessError("Choisissez une autre session ouverte du même produit dans votre centre.")
    epreuves = [ie.epreuve for ie in old.epreuves.select_related("epreuve") if not ie.dispense]
    old.statut = InscriptionStatus.REPORTE
    old.save(update_fields=["statut"])
    result = enrol(
        session=session,
        candidat=old.candidat,
        epreuves=epreuves,
        source=InscriptionSource.REPORT,
        by=by,
        confirm_warnings=True,
        reporte_depuis=old,
    )
    new = result.inscription
    # Carried over from the first enrolment: what FDA granted stays granted.
    new.tiers_temps = old.tiers_temps
    new.save(update_fields=["tiers_temps"])
    # Enrolled in a session whose enrolment is already closed: its convocation goes at once.
    convocations.queue_convocation(new)
    return new
