"""Session business actions: creation, the status workflow (ONE transition table), the D-2 closure and
the session documents (bon de commande, codes d'accès).

Every status change goes through `SESSIONS.transition()` (core.workflow): row lock, check against
TRANSITIONS, `update_fields`, one SessionStatusChange row, side effects after commit. Named actions
(open_enrolment, cancel_session, close_enrolment, …) add their own preconditions on top, each stated once
in a `cannot_<action>()` function that says why (French) or returns None; the pages ask the same function
(`can_<action>()`) to show or hide the button."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from core.errors import BusinessError
from core.formats import euros
from core.models import next_number
from core.text import clean
from core.workflow import Workflow
from tarifs.keys import clean_tarifs
from tarifs.models import Epreuve, Produit
from tarifs.services import set_tarifs

from .closure import PARIS, closes_at_for
from .models import (
    OPEN_STATUSES,
    BonDeCommande,
    BonDeCommandeStatusChange,
    Document,
    Session,
    SessionStatus,
    SessionStatusChange,
    SessionTarif,
)

logger = logging.getLogger(__name__)
S = SessionStatus

# The one table of allowed session status changes (PRODUCT.md §3).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANIFIEE: frozenset({S.OUVERTE, S.CLOSE, S.ANNULEE}),
    S.OUVERTE: frozenset({S.CLOSE, S.ANNULEE}),
    S.CLOSE: frozenset({S.ANOMALIES, S.CORRECTION}),
    S.ANOMALIES: frozenset({S.CORRECTION}),
    S.CORRECTION: frozenset({S.RESULTATS}),
    S.RESULTATS: frozenset({S.CLOTUREE}),
    S.CLOTUREE: frozenset(),
    S.ANNULEE: frozenset(),
}

SESSIONS = Workflow(
    Session,
    transitions=TRANSITIONS,
    history=SessionStatusChange,
    noun=lambda session: f"La session {session.numero}",
)


# --- Creation -------------------------------------------------------------------------------------


def earliest_session_date(now: dt.datetime | None = None) -> dt.date:
    """The first date whose D-2 closure instant is still ahead: today (Paris) + 3 days."""
    now = now or timezone.now()
    day = timezone.localtime(now, PARIS).date()
    while closes_at_for(day) <= now:
        day += dt.timedelta(days=1)
    return day


def session_horizon(today: dt.date) -> dt.date:
    """The last date a session may be created for."""
    years = settings.SESSION_HORIZON_YEARS
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def check_session_date(date: dt.date, now: dt.datetime | None = None) -> None:
    """A session must be created before its D-2 closure instant (else nobody could ever enrol), and no
    further ahead than SESSION_HORIZON_YEARS (3 by default: a year 9999 is a typing slip, not a plan)."""
    now = now or timezone.now()
    today = timezone.localtime(now, PARIS).date()
    if date < today:
        raise BusinessError("La date de la session est passée : choisissez une date à venir.", code="date")
    last = session_horizon(today)
    if date > last:
        raise BusinessError(
            f"La date de la session est trop lointaine : une session se crée au plus "
            f"{settings.SESSION_HORIZON_YEARS} ans à l'avance (jusqu'au {last:%d/%m/%Y}).",
            code="date_horizon",
        )
    if closes_at_for(date) <= now:
        first = earliest_session_date(now)
        raise BusinessError(
            "Les inscriptions de cette session seraient déjà closes : elles ferment deux jours calendaires "
            "avant la session, à minuit (heure de Paris). "
            f"Première date possible : {first:%d/%m/%Y}.",
            code="date_closure",
        )


def check_produit(produit: Produit, date: dt.date | None = None) -> None:
    if not produit.is_active:
        raise BusinessError(f"Le produit « {produit.nom} » est inactif : aucune session ne peut être créée.")
    if date is not None:
        if produit.date_debut and date < produit.date_debut:
            raise BusinessError(
                f"Le produit « {produit.nom} » n'est proposé qu'à partir du {produit.date_debut:%d/%m/%Y}."
            )
        if produit.date_fin and date > produit.date_fin:
            raise BusinessError(
                f"Le produit « {produit.nom} » n'est plus proposé après le {produit.date_fin:%d/%m/%Y}."
            )


def check_nb_places(nb_places: int | None) -> None:
    if not nb_places or nb_places < 1:
        raise BusinessError("Le nombre de places disponibles doit être d'au moins 1.", code="places")


def check_new_session(
    *, produit: Produit, date: dt.date, heure: dt.time | None, lieu: str, nb_places: int
) -> str:
    """The checks of a new session (product offered at the date, date before its D-2 closure, places,
    place and time given), without the tarifs; returns the cleaned `lieu`. Raises BusinessError."""
    check_produit(produit, date)
    check_session_date(date)
    check_nb_places(nb_places)
    lieu = (lieu or "").strip()
    if not lieu:
        raise BusinessError("Le lieu de passation est obligatoire.", code="lieu")
    if heure is None:
        raise BusinessError("L'heure de la session est obligatoire.", code="heure")
    return lieu


EDITABLE_FIELDS = ("centre", "produit", "date", "heure", "lieu", "nb_places", "afficher_en_ligne")


def check_session_changes(session: Session, changes: Mapping[str, object]) -> None:
    """What the FDA may change on an existing session (back office), checked against the stored row.

    Centre and product stay once candidates are enrolled (their épreuves and prices follow them); the
    date, time and product change only while enrolments are open, to a date that keeps them open;
    the places never go below the places taken; the place of the test is never blank."""
    changed = {name: value for name, value in changes.items() if getattr(session, name) != value}
    has_enrolments = session.inscriptions.exists()
    for name, label in (("centre", "le centre"), ("produit", "le produit")):
        if name in changed and has_enrolments:
            raise BusinessError(
                f"Des candidats sont inscrits à la session {session.numero} : {label} ne peut plus changer.",
                code=name,
            )
    if {"date", "heure", "produit"} & set(changed):
        if session.statut not in OPEN_STATUSES:
            raise BusinessError(
                f"La session {session.numero} est « {session.get_statut_display()} » : sa date, son heure "
                "et son produit ne changent plus.",
                code="date",
            )
        check_produit(changes.get("produit", session.produit), changes.get("date", session.date))
        if "date" in changed:
            check_session_date(changes["date"])
    if "nb_places" in changed:
        check_nb_places(changes["nb_places"])
        taken = session.count_places_taken()
        if changes["nb_places"] < taken:
            raise BusinessError(
                f"{taken} candidats occupent déjà une place : le nombre de places ne peut pas descendre "
                "en dessous.",
                code="places",
            )
    if "lieu" in changed and not (changes["lieu"] or "").strip():
        raise BusinessError("Le lieu de passation est obligatoire.", code="lieu")


@transaction.atomic
def update_session_as_fda(session: Session, *, by=None, **changes) -> Session:
    """The back office's edition of a session: FDA may also move it to another centre or product (not the
    centre's own « Modifier la session », `update_session`, which changes places, time, place, online display,
    date and tarifs). Row locked, `check_session_changes`; the D-2 closure instant follows the date. The
    status never changes here (see the named transitions)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"update_session_as_fda() cannot change {sorted(unknown)}")
    locked = SESSIONS.lock(session)
    check_session_changes(locked, changes)
    if "lieu" in changes:
        changes["lieu"] = changes["lieu"].strip()
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save()
    for name in (*changes, "closes_at"):
        setattr(session, name, getattr(locked, name))
    return locked


@transaction.atomic
def create_session(
    *,
    centre,
    produit: Produit,
    date: dt.date,
    heure: dt.time,
    lieu: str,
    nb_places: int,
    afficher_en_ligne: bool,
    tarifs: Mapping[int | None, Decimal | None],
    by=None,
    enregistrer_tarif: bool = False,
) -> Session:
    """Create a session with its number (7000001+), its tarifs and its first history rows.

    Initial status: the session is recorded "Planifiée" then opened at once ("Inscriptions ouvertes"),
    both changes in its history: the centre creates a session to enrol candidates in it. The centre's
    wizard and the FDA back office both create sessions here."""
    lieu = check_new_session(produit=produit, date=date, heure=heure, lieu=lieu, nb_places=nb_places)
    montants = clean_tarifs(produit, tarifs)

    session = Session.objects.create(
        numero=next_number("session"),
        centre=centre,
        produit=produit,
        date=date,
        heure=heure,
        lieu=lieu,
        nb_places=nb_places,
        afficher_en_ligne=afficher_en_ligne,
        statut=S.PLANIFIEE,
        created_by=by,
    )
    SessionTarif.objects.bulk_create(
        [SessionTarif(session=session, epreuve_id=key, montant=amount) for key, amount in montants.items()]
    )
    SESSIONS.record_creation(session, by=by, comment="Création de la session.")
    SESSIONS.transition(session, S.OUVERTE, by=by, comment="Inscriptions ouvertes à la création.")
    if enregistrer_tarif:
        set_tarifs(centre=centre, produit=produit, montants=montants, by=by)
    return session


# --- "Modifier la session" -------------------------------------------------------------------------

# Places, time, place and online display can change until the test day, even once enrolments are closed
# (a room changes, a place frees up); the date only while enrolments are open.
EDITABLE_STATUSES = (S.PLANIFIEE, S.OUVERTE, S.CLOSE)
MAX_PLACES = 10000


def session_edit_refusal(session: Session, now: dt.datetime | None = None) -> str | None:
    """Why `session` can no longer be changed (French), or None: shared by the page's button and
    `update_session()`."""
    now = now or timezone.now()
    if session.statut not in EDITABLE_STATUSES:
        return (
            f"La session {session.numero} est « {session.get_statut_display()} » : "
            "elle ne peut plus être modifiée."
        )
    if session.date < timezone.localtime(now, PARIS).date():
        return f"La session {session.numero} a eu lieu : elle ne peut plus être modifiée."
    return None


def date_edit_refusal(session: Session, now: dt.datetime | None = None) -> str | None:
    """The date moves only while the session takes enrolments (its closing instant moves with it)."""
    reason = enrolment_closed_reason(session, now)
    if reason:
        return f"La date ne peut plus être modifiée : {reason[0].lower()}{reason[1:]}"
    return None


def tarifs_edit_refusal(nb_inscrits: int) -> str | None:
    """The session's prices are what its candidates pay: fixed once someone is enrolled."""
    if nb_inscrits:
        return (
            f"Les tarifs ne peuvent plus être modifiés : {nb_inscrits} candidat{'s' if nb_inscrits > 1 else ''} "
            f"{'sont' if nb_inscrits > 1 else 'est'} déjà inscrit{'s' if nb_inscrits > 1 else ''}."
        )
    return None


def _places_taken(session: Session) -> int:
    """Places taken, by the session's one definition (`Session.count_places_taken()`), read while the row
    is locked: enrolments lock the same row before counting, so none slips in meanwhile."""
    return session.count_places_taken()


def _tarif_label(key: int | None, epreuves: Mapping[int, Epreuve]) -> str:
    return epreuves[key].code if key is not None else "tarif unique"


@transaction.atomic
def update_session(
    session: Session,
    *,
    by,
    nb_places: int | None = None,
    heure: dt.time | None = None,
    lieu: str | None = None,
    afficher_en_ligne: bool | None = None,
    date: dt.date | None = None,
    tarifs: Mapping[int | None, Decimal | None] | None = None,
    now: dt.datetime | None = None,
) -> list[str]:
    """ "Modifier la session": change what is given (None = unchanged), check everything before writing,
    record one history row per field changed ("Places : 20 → 25"). Returns those comments.

    - places: at least the places already taken, at most 10 000;
    - date: only while enrolments are open, with the rules of creation (`check_session_date`,
      `check_produit`); the D-2 closing instant is recomputed by `Session.save()`; the enrolled candidates
      and their data are kept as they are;
    - tarifs: only while nobody is enrolled (`clean_tarifs`, as at creation)."""
    now = now or timezone.now()
    locked = Session.objects.select_for_update().select_related("produit").get(pk=session.pk)
    refusal = session_edit_refusal(locked, now)
    if refusal:
        raise BusinessError(refusal, code="locked")

    changes: list[tuple[str, str]] = []  # (field, history comment)
    fields: list[str] = []

    if nb_places is not None and nb_places != locked.nb_places:
        if nb_places < 1:
            raise BusinessError("Le nombre de places disponibles doit être d'au moins 1.", code="places")
        if nb_places > MAX_PLACES:
            raise BusinessError("Le nombre de places est limité à 10 000.", code="places")
        taken = _places_taken(locked)
        if nb_places < taken:
            raise BusinessError(
                f"Le nombre de places ne peut pas descendre à {nb_places} : {taken} places sont déjà prises "
                "par des candidats inscrits.",
                code="places",
            )
        changes.append(("nb_places", f"Places : {locked.nb_places} → {nb_places}"))
        locked.nb_places = nb_places
        fields.append("nb_places")

    if heure is not None and heure != locked.heure:
        changes.append(("heure", f"Heure : {locked.heure:%Hh%M} → {heure:%Hh%M}"))
        locked.heure = heure
        fields.append("heure")

    if lieu is not None:
        lieu = clean(lieu)
        if not lieu:
            raise BusinessError("Le lieu de passation est obligatoire.", code="lieu")
        if lieu != locked.lieu:
            changes.append(("lieu", f"Lieu de passation : {locked.lieu} → {lieu}"))
            locked.lieu = lieu
            fields.append("lieu")

    if afficher_en_ligne is not None and afficher_en_ligne != locked.afficher_en_ligne:
        yes_no = {True: "oui", False: "non"}
        changes.append(
            (
                "afficher_en_ligne",
                f"Afficher en ligne : {yes_no[locked.afficher_en_ligne]} → {yes_no[afficher_en_ligne]}",
            )
        )
        locked.afficher_en_ligne = afficher_en_ligne
        fields.append("afficher_en_ligne")

    if date is not None and date != locked.date:
        refusal = date_edit_refusal(locked, now)
        if refusal:
            raise BusinessError(refusal, code="date_locked")
        check_session_date(date, now)
        check_produit(locked.produit, date)
        old_closes = timezone.localtime(locked.closes_at, PARIS)
        new_closes = closes_at_for(date)
        changes.append(
            (
                "date",
                f"Date : {locked.date:%d/%m/%Y} → {date:%d/%m/%Y} (clôture des inscriptions : "
                f"{old_closes:%d/%m/%Y} → {new_closes:%d/%m/%Y} à {new_closes:%Hh%M})",
            )
        )
        locked.date = date
        fields += ["date", "closes_at"]  # Session.save() derives closes_at from the date

    new_tarifs: dict[int | None, Decimal] | None = None
    if tarifs is not None:
        current = {t.epreuve_id: t.montant for t in locked.tarifs.all()}
        cleaned = clean_tarifs(locked.produit, tarifs)
        if cleaned != current:
            refusal = tarifs_edit_refusal(_places_taken(locked))
            if refusal:
                raise BusinessError(refusal, code="tarifs_locked")
            epreuves = {e.pk: e for e in locked.produit.epreuves.all()}
            lines = [
                f"{_tarif_label(key, epreuves)} {euros(current.get(key)) or '—'} → {euros(amount)}"
                for key, amount in cleaned.items()
                if current.get(key) != amount
            ]
            changes.append(("tarifs", "Tarifs : " + " ; ".join(lines)))
            new_tarifs = cleaned

    if fields:
        locked.save(update_fields=fields)
    if new_tarifs is not None:
        # The product's expected keys, exactly: a price for an épreuve the product no longer has goes.
        SessionTarif.objects.filter(session=locked).delete()
        SessionTarif.objects.bulk_create(
            [
                SessionTarif(session=locked, epreuve_id=key, montant=amount)
                for key, amount in new_tarifs.items()
            ]
        )
    SessionStatusChange.objects.bulk_create(
        [
            SessionStatusChange(
                session=locked,
                from_status=locked.statut,
                to_status=locked.statut,
                by=by,
                at=now,
                comment=comment,
            )
            for _, comment in changes
        ]
    )
    for name in fields:
        setattr(session, name, getattr(locked, name))
    return [comment for _, comment in changes]


def enrolment_closed_reason(session: Session, now: dt.datetime | None = None) -> str | None:
    """Why `session` takes no enrolment now (French, with the closing date), or None while it does.

    The one answer to "may I enrol here?": the enrolment services refuse with this message and the
    enrolment, import and transfer forms are shown disabled with it."""
    if session.enrolment_open(now):
        return None
    if session.statut in OPEN_STATUSES:
        closes = timezone.localtime(session.closes_at, PARIS)
        return (
            f"Les inscriptions de la session {session.numero} sont closes depuis le "
            f"{closes:%d/%m/%Y} à {closes:%Hh%M} (heure de Paris)."
        )
    return (
        f"La session {session.numero} est « {session.get_statut_display()} » : "
        "elle n'accepte plus d'inscription."
    )


def check_enrolment_open(session: Session, now: dt.datetime | None = None) -> None:
    """The write-time D-2 check every enrolment path calls (with the session row locked): it never
    depends on the beat job having run."""
    reason = enrolment_closed_reason(session, now)
    if reason:
        raise BusinessError(reason, code="closed")


# --- Named transitions ----------------------------------------------------------------------------


def cannot_open_enrolment(session: Session) -> str | None:
    """Why "Ouvrir les inscriptions" is refused now (French), or None when it is possible."""
    if session.statut == S.PLANIFIEE and not session.enrolment_open():
        return "La date de clôture des inscriptions est passée : elles ne peuvent plus être ouvertes."
    return SESSIONS.refusal(session, S.OUVERTE)


def can_open_enrolment(session: Session) -> bool:
    return cannot_open_enrolment(session) is None


def open_enrolment(session: Session, *, by=None) -> SessionStatusChange:
    with transaction.atomic():
        locked = SESSIONS.lock(session)
        if (refusal := cannot_open_enrolment(locked)) is not None:
            raise BusinessError(refusal, code="open")
        change = SESSIONS.transition(
            locked, S.OUVERTE, by=by, comment="Ouverture des inscriptions.", locked=True
        )
    session.statut = locked.statut
    return change


def cannot_cancel(session: Session) -> str | None:
    """A session can be cancelled while its enrolments are open (before the D-2 closure instant)."""
    if session.statut not in OPEN_STATUSES or not session.enrolment_open():
        return f"La session {session.numero} ne peut plus être annulée : ses inscriptions sont closes."
    return None


def can_cancel(session: Session) -> bool:
    return cannot_cancel(session) is None


def cancel_session(session: Session, *, by=None, comment: str = "") -> SessionStatusChange:
    with transaction.atomic():
        locked = SESSIONS.lock(session)
        if (refusal := cannot_cancel(locked)) is not None:
            raise BusinessError(refusal, code="cancel")
        change = SESSIONS.transition(
            locked, S.ANNULEE, by=by, comment=comment or "Session annulée par le centre.", locked=True
        )
    session.statut = locked.statut
    return change


def close_enrolment(
    session: Session,
    *,
    queue_documents: Callable[[list[int]], None],
    by=None,
    comment: str = "",
    now: dt.datetime | None = None,
) -> bool:
    """Close enrolments (the D-2 job, or FDA forcing it) and queue the session documents through
    `queue_documents` (the documents list candidates: candidats.documents passes its queue).

    Idempotent: returns False and changes nothing when the session is no longer open."""
    with transaction.atomic():
        locked = SESSIONS.lock(session)
        if locked.statut not in OPEN_STATUSES:
            session.statut = locked.statut
            return False
        SESSIONS.transition(
            locked, S.CLOSE, by=by, comment=comment or "Clôture des inscriptions (J-2).", locked=True
        )
        session.statut = locked.statut
        queue_documents([locked.pk])
    return True


# --- The D-2 job ----------------------------------------------------------------------------------


CLOSURE_BATCH = 10000
CLOSURE_COMMENT = "Clôture automatique des inscriptions (J-2)."


def close_due_sessions(
    now: dt.datetime | None = None, *, queue_documents: Callable[[list[int]], None]
) -> list[int]:
    """Close every session whose D-2 instant has passed; returns the numbers closed by this run.

    Set-based, by batches: lock the due rows (SKIP LOCKED on PostgreSQL: a row another run holds is
    being closed by it), one UPDATE, one INSERT of their history rows (a single statement on
    PostgreSQL), one task that queues their documents. After an outage 10,000 due sessions close in about the time of a
    bare UPDATE, not in 10,000 transactions: the one set-based path beside SESSIONS.transition(), it
    writes the same history rows. The statuses moved are those the TRANSITIONS table lets
    go to "close", so running twice (or twice at once) changes nothing more. Closed sessions still
    without their documents (a failed render) get their rendering queued again."""
    now = now or timezone.now()
    missing = list(
        Session.objects.filter(statut=S.CLOSE, bon_de_commande__isnull=True).values_list("pk", flat=True)
    )
    closable = [status for status in OPEN_STATUSES if SESSIONS.allows(status, S.CLOSE)]
    close_batch = _close_batch_postgresql if connection.vendor == "postgresql" else _close_batch_orm
    closed: list[int] = []
    while True:
        with transaction.atomic():
            batch = close_batch(now, closable)
            if batch:
                queue_documents([pk for pk, _ in batch])
        closed.extend(numero for _, numero in batch)
        # A short batch was the last one: asking again would only walk the index entries just closed.
        if len(batch) < CLOSURE_BATCH:
            break
    if missing:
        queue_documents(missing)
    return closed


def _close_batch_orm(now: dt.datetime, closable: list[str]) -> list[tuple[int, int]]:
    """Lock a batch of due sessions, close them, write their history rows: (pk, numero) of each."""
    batch = list(
        Session.objects.due_for_closure(now)
        .filter(statut__in=closable)
        .select_for_update(skip_locked=connection.features.has_select_for_update_skip_locked)
        .order_by("pk")
        .values_list("pk", "numero", "statut")[:CLOSURE_BATCH]
    )
    if batch:
        Session.objects.filter(pk__in=[pk for pk, _, _ in batch]).update(statut=S.CLOSE)
        at = timezone.now()
        SessionStatusChange.objects.bulk_create(
            SessionStatusChange(
                session_id=pk, from_status=statut, to_status=S.CLOSE, at=at, comment=CLOSURE_COMMENT
            )
            for pk, _, statut in batch
        )
    return [(pk, numero) for pk, numero, _ in batch]


def _close_batch_postgresql(now: dt.datetime, closable: list[str]) -> list[tuple[int, int]]:
    """The same in one PostgreSQL statement (lock with SKIP LOCKED, UPDATE … RETURNING the former
    status, INSERT of the history rows): no round trip of ids through Python, about the cost of the
    bare UPDATE plus the history rows. In no particular order: sorting the batch and the result cost
    6 % of the statement (make bench) and nothing depends on it."""
    sessions, history = Session._meta.db_table, SessionStatusChange._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH due AS (
                SELECT id, statut FROM {sessions}
                WHERE statut = ANY(%s) AND closes_at <= %s
                LIMIT %s FOR UPDATE SKIP LOCKED
            ), closed AS (
                UPDATE {sessions} AS s SET statut = %s FROM due WHERE s.id = due.id
                RETURNING s.id, s.numero, due.statut AS from_status
            ), logged AS (
                INSERT INTO {history} (session_id, from_status, to_status, at, comment)
                SELECT id, from_status, %s, %s, %s FROM closed
            )
            SELECT id, numero FROM closed
            """,
            [closable, now, CLOSURE_BATCH, S.CLOSE, S.CLOSE, timezone.now(), CLOSURE_COMMENT],
        )
        return cursor.fetchall()


# --- Documents ------------------------------------------------------------------------------------


def _store(document: Document, filename: str, content: bytes) -> str | None:
    """Put new content in the document's file; returns the old file name to delete after commit."""
    old = document.fichier.name or None
    document.fichier.save(filename, ContentFile(content), save=False)
    return old


def _delete_after_commit(storage, name: str | None) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


BON_TRANSITIONS = {BonDeCommande.Statut.NON_SIGNE: {BonDeCommande.Statut.SIGNE}}

BONS = Workflow(
    BonDeCommande,
    transitions=BON_TRANSITIONS,
    history=BonDeCommandeStatusChange,
    noun=lambda bon: "Ce bon de commande",
    pronoun="il",
)


def cannot_sign(bon: BonDeCommande | None, commande=None) -> str | None:
    """Why "Signer" is refused for this bon de commande (French), or None. With its order lines
    (`commande_for(session)`), FDA's prices missing for the session's date refuse it too."""
    if bon is None:
        return "Le bon de commande de cette session n'est pas encore disponible."
    if not BONS.allows(bon.statut, BonDeCommande.Statut.SIGNE):
        return "Ce bon de commande est déjà signé."
    if commande is not None and commande.prix_manquants:
        return (
            "Des prix du Français des affaires manquent pour la date de cette session : le bon de commande "
            "ne peut pas encore être signé. Contactez votre chargé(e) de clientèle."
        )
    return None


def can_sign(bon: BonDeCommande | None, commande=None) -> bool:
    return cannot_sign(bon, commande) is None
