"""The test day and after: virtual candidates and absences.

Absences are declared from the session date until the mise en correction (status Inscriptions closes).
The session-wide declaration ("Déclarer les absents") stamps the session even when nobody was absent:
the readiness check of the mise en correction needs to know the centre did it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from core.errors import BusinessError
from core.models import next_numbers
from sessions_app.models import Session, SessionStatus

from .codes import new_unique_access_code
from .models import Candidat, Inscription, InscriptionEpreuve, InscriptionSource, InscriptionStatus
from .services import lock_session

VIRTUAL_NOM = "VIRTUEL"
VIRTUAL_PRENOM = "Candidat"
MAX_VIRTUAL_AT_ONCE = 20
# Virtual candidates stand in for a real one (a failed capture, a test run): before the correction only.
VIRTUAL_STATUSES = frozenset({SessionStatus.OUVERTE, SessionStatus.CLOSE})


def cannot_add_virtual(session: Session) -> str | None:
    """Why no virtual candidate can be added now (French), or None."""
    if session.statut not in VIRTUAL_STATUSES:
        return (
            f"La session est « {session.get_statut_display()} » : les candidats virtuels s'ajoutent tant que "
            "la session n'est pas mise en correction."
        )
    return None


def can_add_virtual(session: Session) -> bool:
    return cannot_add_virtual(session) is None


@transaction.atomic
def add_virtual_candidates(session: Session, count: int, *, by=None) -> list[Inscription]:
    """Add `count` virtual candidates ("Candidat 1 VIRTUEL", 2…, named like everyone by person_name, numbering continued per session), with every
    épreuve of the product. They are free and take no place; each one used must be justified on the feuille
    d'anomalies."""
    if not 1 <= count <= MAX_VIRTUAL_AT_ONCE:
        raise BusinessError(f"Indiquez un nombre de candidats virtuels entre 1 et {MAX_VIRTUAL_AT_ONCE}.")
    locked = lock_session(session)
    if (refusal := cannot_add_virtual(locked)) is not None:
        raise BusinessError(refusal)
    already = Inscription.objects.filter(session=locked, virtuel=True).count()
    epreuves = list(locked.produit.epreuves.all())
    numbers = next_numbers("inscription", count)
    created = []
    for index, numero in enumerate(numbers, start=already + 1):
        candidat = Candidat.objects.create(
            centre=locked.centre, nom=VIRTUAL_NOM, prenom=f"{VIRTUAL_PRENOM} {index}", virtuel=True
        )
        inscription = Inscription.objects.create(
            numero=numero,
            session=locked,
            candidat=candidat,
            code_acces=new_unique_access_code(),
            source=InscriptionSource.VIRTUEL,
            virtuel=True,
            prix_total=0,
            created_by=by,
        )
        InscriptionEpreuve.objects.bulk_create(
            [InscriptionEpreuve(inscription=inscription, epreuve=e, prix=0) for e in epreuves]
        )
        created.append(inscription)
    return created


def check_absences_open(session: Session, today=None) -> None:
    today = today or timezone.localdate()
    if session.date > today:
        raise BusinessError(
            f"Les absences se déclarent à partir du jour de la session ({session.date:%d/%m/%Y})."
        )
    if session.statut != SessionStatus.CLOSE:
        raise BusinessError(
            f"La session est « {session.get_statut_display()} » : les absences ne peuvent plus être modifiées."
        )


def absences_open(session: Session) -> bool:
    try:
        check_absences_open(session)
    except BusinessError:
        return False
    return True


def _apply_absences(inscription: Inscription, absent_epreuve_ids: Iterable[int]) -> int:
    """Mark exactly these épreuves of the enrolment absent (the others present); return how many changed."""
    absent = set(absent_epreuve_ids)
    changed = 0
    for ie in inscription.epreuves.all():
        if ie.absent != (ie.epreuve_id in absent):
            ie.absent = ie.epreuve_id in absent
            ie.save(update_fields=["absent"])
            changed += 1
    return changed


def _absent_ids(inscription: Inscription, epreuve_ids: Iterable[int] | None, whole: bool) -> set[int]:
    chosen = {ie.epreuve_id for ie in inscription.epreuves.all()}
    if not inscription.session.produit.modulaire:
        # A non-modular product is sat as a whole: absent from one épreuve is absent from all.
        return chosen if (whole or epreuve_ids) else set()
    ids = set(epreuve_ids or ())
    unknown = ids - chosen
    if unknown:
        raise BusinessError("Une épreuve cochée n'a pas été choisie par ce candidat.")
    return chosen if whole else ids


@transaction.atomic
def set_absence(
    inscription: Inscription, *, epreuve_ids: Iterable[int] | None = None, whole: bool = False, by=None
) -> int:
    """ "Gérer l'absence" of one candidate: absent from `epreuve_ids` (modular product) or from the whole session."""
    locked_session = lock_session(inscription.session)
    check_absences_open(locked_session)
    inscription = (
        Inscription.objects.select_related("session__produit")
        .prefetch_related("epreuves")
        .get(pk=inscription.pk)
    )
    if inscription.statut != InscriptionStatus.INSCRIT:
        raise BusinessError(f"L'inscription {inscription.numero} est « {inscription.get_statut_display()} ».")
    return _apply_absences(inscription, _absent_ids(inscription, epreuve_ids, whole))


@transaction.atomic
def declare_absences(session: Session, absents: Mapping[int, Iterable[int]], *, by=None) -> int:
    """ "Déclarer les absents" for the whole session: `absents` maps an enrolment's id to the ids of the
    épreuves it missed (every other enrolment is present). Stamps the session as declared."""
    locked = lock_session(session)
    check_absences_open(locked)
    inscriptions = (
        Inscription.objects.filter(session=locked, statut=InscriptionStatus.INSCRIT)
        .select_related("session__produit")
        .prefetch_related("epreuves")
    )
    by_id = {i.pk: i for i in inscriptions}
    if set(absents) - set(by_id):
        raise BusinessError("Un candidat coché n'est pas inscrit à cette session.")
    changed = sum(
        _apply_absences(i, _absent_ids(i, absents.get(pk, ()), whole=False)) for pk, i in by_id.items()
    )
    locked.absences_declarees_le = timezone.now()
    locked.absences_declarees_par = by
    locked.save(update_fields=["absences_declarees_le", "absences_declarees_par"])
    session.absences_declarees_le, session.absences_declarees_par = locked.absences_declarees_le, by
    return changed
