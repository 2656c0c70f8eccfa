"""Mise en correction: the readiness check, the feuille d'anomalies, and FDA's processing of it.

After the test day (status Inscriptions closes, date passed) the centre puts its session in correction:
- the readiness check lists what is missing: absences not declared, bon de commande not signed, photos
  or signatures missing for present candidates. The centre may go on anyway with an explicit reason
  (kept in the session's history). A virtual candidate used (not declared absent) is different: it must
  be justified by a line of the feuille d'anomalies, no reason replaces that.
- without anomaly lines the session goes straight to En correction; with lines it waits in
  "Anomalies en cours de traitement" until the chargé(e) de clientèle has processed every line in the
  admin, then goes to En correction by itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from candidats.models import Inscription, InscriptionStatus
from core.errors import BusinessError
from core.pdf import PDF_MIMETYPE, render_pdf
from core.workflow import Workflow
from sessions_app.models import BonDeCommande, Document, DocumentKind, Session, SessionStatus
from sessions_app.services import SESSIONS, _delete_after_commit, _store
from tarifs.models import Epreuve

from . import tasks
from .models import Anomalie, AnomalieStatusChange

S = SessionStatus

# The one table of an anomaly line's statuses: declared by the centre, processed by the chargé(e).
ANOMALIE_TRANSITIONS = {Anomalie.Statut.EN_COURS: {Anomalie.Statut.TRAITEE}}
ANOMALIES = Workflow(
    Anomalie,
    transitions=ANOMALIE_TRANSITIONS,
    history=AnomalieStatusChange,
    noun=lambda anomalie: f"L'anomalie « {anomalie.get_kind_display()} »",
)


@dataclass(frozen=True)
class AnomalyLine:
    """One line of the feuille d'anomalies as the centre fills it."""

    kind: str
    description: str
    inscription: Inscription | None = None
    epreuve: Epreuve | None = None


@dataclass
class Readiness:
    """What the readiness check found: `missing` may be overridden with a reason, `blocking` may not."""

    missing: list[str] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)
    unjustified_virtuals: list[Inscription] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.missing and not self.blocking


def _names(inscriptions: Sequence[Inscription], limit: int = 5) -> str:
    names = [f"{i.candidat} ({i.numero})" for i in inscriptions[:limit]]
    more = len(inscriptions) - limit
    return ", ".join(names) + (f" et {more} autre{'s' if more > 1 else ''}" if more > 0 else "")


def present_inscriptions(session: Session) -> list[Inscription]:
    """Enrolments that sat at least one épreuve (not absent from all of them)."""
    inscriptions = (
        Inscription.objects.filter(session=session, statut=InscriptionStatus.INSCRIT)
        .select_related("candidat")
        .prefetch_related("epreuves")
        .order_by("candidat__nom", "candidat__prenom", "numero")
    )
    return [i for i in inscriptions if any(not ie.absent for ie in i.epreuves.all())]


def readiness(session: Session, lines: Sequence[AnomalyLine] = ()) -> Readiness:
    result = Readiness()
    if session.absences_declarees_le is None:
        result.missing.append("Les absences n'ont pas été déclarées (« Déclarer les absents »).")
    bon = BonDeCommande.objects.filter(session=session).first()
    if bon is None or bon.statut != BonDeCommande.Statut.SIGNE:
        result.missing.append("Le bon de commande n'est pas signé.")
    present = present_inscriptions(session)
    real = [i for i in present if not i.virtuel]
    without_photo = [i for i in real if not i.photo]
    without_signature = [i for i in real if not i.signature]
    if without_photo:
        n = len(without_photo)
        result.missing.append(
            f"{n} candidat{'s' if n > 1 else ''} présent{'s' if n > 1 else ''} sans photo : {_names(without_photo)}."
        )
    if without_signature:
        n = len(without_signature)
        result.missing.append(
            f"{n} candidat{'s' if n > 1 else ''} présent{'s' if n > 1 else ''} sans signature : "
            f"{_names(without_signature)}."
        )
    justified = {
        line.inscription.pk
        for line in lines
        if line.inscription and line.kind == Anomalie.Kind.CANDIDAT_VIRTUEL
    }
    justified |= set(
        Anomalie.objects.filter(session=session, kind=Anomalie.Kind.CANDIDAT_VIRTUEL).values_list(
            "inscription_id", flat=True
        )
    )
    result.unjustified_virtuals = [i for i in present if i.virtuel and i.pk not in justified]
    if result.unjustified_virtuals:
        result.blocking.append(
            "Chaque candidat virtuel utilisé doit être justifié sur la feuille d'anomalies "
            f"(nature « {Anomalie.Kind.CANDIDAT_VIRTUEL.label} ») : {_names(result.unjustified_virtuals)}."
        )
    return result


def _check_lines(session: Session, lines: Sequence[AnomalyLine]) -> None:
    for number, line in enumerate(lines, start=1):
        if line.kind not in Anomalie.Kind.values:
            raise BusinessError(f"Anomalie {number} : choisissez la nature de l'anomalie.")
        if not (line.description or "").strip():
            raise BusinessError(f"Anomalie {number} : la description est obligatoire.")
        if line.inscription is not None and line.inscription.session_id != session.pk:
            raise BusinessError(f"Anomalie {number} : ce candidat n'est pas inscrit à cette session.")
        if line.epreuve is not None and not session.produit.epreuves.filter(pk=line.epreuve.pk).exists():
            raise BusinessError(
                f"Anomalie {number} : cette épreuve n'appartient pas au produit de la session."
            )
        if line.kind == Anomalie.Kind.CANDIDAT_VIRTUEL and (
            line.inscription is None or not line.inscription.virtuel
        ):
            raise BusinessError(f"Anomalie {number} : choisissez le candidat virtuel utilisé.")


def cannot_put_in_correction(session: Session, today=None) -> str | None:
    """Why "Mettre en correction" is refused now (French), or None: the session page shows the button,
    the correction page and the action refuse, all from this one answer."""
    today = today or timezone.localdate()
    if session.statut != S.CLOSE:
        return (
            f"La session est « {session.get_statut_display()} » : seule une session aux inscriptions closes "
            "peut être mise en correction."
        )
    if session.date >= today:
        return "La mise en correction n'est possible qu'une fois la date de la session passée."
    return None


def can_put_in_correction(session: Session, today=None) -> bool:
    return cannot_put_in_correction(session, today) is None


@transaction.atomic
def put_in_correction(
    session: Session, *, lines: Sequence[AnomalyLine] = (), reason: str = "", by=None
) -> str:
    """ "Mettre en correction". Returns the new status (En correction, or Anomalies en cours de traitement)."""
    locked = Session.objects.select_for_update().select_related("produit", "centre").get(pk=session.pk)
    if (refusal := cannot_put_in_correction(locked)) is not None:
        raise BusinessError(refusal, code="correction")
    lines = list(lines)
    _check_lines(locked, lines)
    check = readiness(locked, lines)
    if check.blocking:
        raise BusinessError(" ".join(check.blocking))
    reason = (reason or "").strip()
    if check.missing and not reason:
        raise BusinessError(
            "La session n'est pas prête pour la correction : "
            + " ".join(check.missing)
            + " Complétez ce qui manque, ou indiquez la raison pour laquelle vous la mettez en correction quand même."
        )
    comment = "Mise en correction par le centre."
    if check.missing:
        comment += " Points manquants : " + " ".join(check.missing) + f" Raison donnée : {reason}"
    if not lines:
        SESSIONS.transition(locked, S.CORRECTION, by=by, comment=comment, locked=True)
    else:
        created = Anomalie.objects.bulk_create(
            [
                Anomalie(
                    session=locked,
                    inscription=line.inscription,
                    epreuve=line.epreuve,
                    kind=line.kind,
                    description=line.description.strip(),
                    created_by=by,
                )
                for line in lines
            ]
        )
        ANOMALIES.record_creation(
            *created, by=by, comment="Déclarée par le centre sur la feuille d'anomalies."
        )
        n = len(lines)
        session_id = locked.pk
        SESSIONS.transition(
            locked,
            S.ANOMALIES,
            by=by,
            comment=f"{comment} Feuille d'anomalies : {n} ligne{'s' if n > 1 else ''}.",
            locked=True,
            after_commit=[lambda: tasks.render_anomalies_sheet.delay(session_id)],
        )
    session.statut = locked.statut
    return locked.statut


def cannot_process(anomalie: Anomalie) -> str | None:
    """Why this line cannot be marked processed (French), or None."""
    if not ANOMALIES.allows(anomalie.statut, Anomalie.Statut.TRAITEE):
        return (
            f"L'anomalie « {anomalie.get_kind_display()} » de la session {anomalie.session.numero} est déjà "
            "traitée."
        )
    return None


def can_process(anomalie: Anomalie) -> bool:
    return cannot_process(anomalie) is None


def check_processing_comment(comment: str) -> str:
    """The comment sent to the centre with the feuille d'anomalies is required to close a line."""
    comment = (comment or "").strip()
    if not comment:
        raise BusinessError("Écrivez le commentaire envoyé au centre avec la feuille d'anomalies.")
    return comment


@transaction.atomic
def process_anomalie(anomalie: Anomalie, *, by, comment: str) -> bool:
    """The chargé(e) marks one line processed, with the comment sent to the centre. Returns True when it
    was the last one and the session went to En correction."""
    comment = check_processing_comment(comment)
    session = Session.objects.select_for_update().get(pk=anomalie.session_id)
    locked = Anomalie.objects.select_for_update().get(pk=anomalie.pk)
    locked.session = session
    if (refusal := cannot_process(locked)) is not None:
        raise BusinessError(refusal, code="transition")
    session_id = session.pk
    comment = (comment or "").strip()
    ANOMALIES.transition(
        locked,
        Anomalie.Statut.TRAITEE,
        by=by,
        comment=comment,
        changes={"processed_by": by, "processed_at": timezone.now(), "processing_comment": comment},
        locked=True,
        # The sheet shows the processing.
        after_commit=[lambda: tasks.render_anomalies_sheet.delay(session_id)],
    )
    anomalie.statut = locked.statut
    remaining = Anomalie.objects.filter(session=session, statut=Anomalie.Statut.EN_COURS).exists()
    if session.statut == S.ANOMALIES and not remaining:
        SESSIONS.transition(
            session,
            S.CORRECTION,
            by=by,
            comment="Anomalies traitées par le FDA : session en correction.",
            locked=True,
        )
        return True
    return False


def render_anomalies_sheet(session_id: int) -> None:
    """The feuille d'anomalies PDF of the session (one document, re-rendered in place)."""

    with transaction.atomic():
        session = (
            Session.objects.select_for_update(of=("self",))
            .select_related("centre", "produit")
            .filter(pk=session_id)
            .first()
        )
        if session is None:
            return
        anomalies = list(
            Anomalie.objects.filter(session=session).select_related(
                "inscription__candidat", "epreuve", "created_by"
            )
        )
        if not anomalies:
            return
        content = render_pdf(
            "pdf/anomalies.html",
            {
                "session": session,
                "centre": session.centre,
                "anomalies": anomalies,
                "declared_by": anomalies[0].created_by,
            },
        )
        filename = f"{session.numero}_feuille_anomalies.pdf"
        document = Document.objects.filter(session=session, kind=DocumentKind.ANOMALIES).first() or Document(
            centre=session.centre,
            session=session,
            kind=DocumentKind.ANOMALIES,
            nom=filename,
            content_type=PDF_MIMETYPE,
        )
        old = _store(document, filename, content)
        document.save()
        if old and old != document.fichier.name:
            _delete_after_commit(document.fichier.storage, old)
