"""Session business actions: creation, the status workflow (ONE transition table), the D-2 closure and
the session documents (bon de commande, codes d'accès).

Every status change goes through `transition()`: row lock, check against TRANSITIONS, `update_fields`,
one SessionStatusChange row. Named actions (open_enrolment, cancel_session, close_enrolment, …) add
their own guards on top. Side effects (PDF rendering) are queued with `transaction.on_commit`."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from core.errors import BusinessError
from core.models import next_number
from tarifs.models import Epreuve, Produit

from .closure import PARIS, closes_at_for
from .models import (
    OPEN_STATUSES,
    BonDeCommande,
    Document,
    DocumentKind,
    Session,
    SessionStatus,
    SessionStatusChange,
    SessionTarif,
)
from .selectors import commande_for

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


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())


def _lock(session: Session) -> Session:
    return Session.objects.select_for_update().get(pk=session.pk)


@transaction.atomic
def transition(session: Session, to: str, *, by=None, comment: str = "") -> SessionStatusChange:
    """Move `session` to status `to` if the table allows it; lock the row, record who/when/from/to."""
    locked = _lock(session)
    from_status = locked.statut
    if not can_transition(from_status, to):
        raise BusinessError(
            f"La session {locked.numero} est « {S(from_status).label} » : "
            f"elle ne peut pas passer au statut « {S(to).label} ».",
            code="transition",
        )
    locked.statut = to
    locked.save(update_fields=["statut"])
    session.statut = to
    return SessionStatusChange.objects.create(
        session=locked, from_status=from_status, to_status=to, by=by, comment=comment
    )


# --- Creation -------------------------------------------------------------------------------------


def earliest_session_date(now: dt.datetime | None = None) -> dt.date:
    """The first date whose D-2 closure instant is still ahead: today (Paris) + 3 days."""
    now = now or timezone.now()
    day = timezone.localtime(now, PARIS).date()
    while closes_at_for(day) <= now:
        day += dt.timedelta(days=1)
    return day


def check_session_date(date: dt.date, now: dt.datetime | None = None) -> None:
    """A session must be created before its D-2 closure instant (else nobody could ever enrol)."""
    now = now or timezone.now()
    today = timezone.localtime(now, PARIS).date()
    if date < today:
        raise BusinessError("La date de la session est passée : choisissez une date à venir.", code="date")
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


def expected_tarif_keys(produit: Produit) -> list[Epreuve | None]:
    """One price per épreuve for a modular product, one single price (None) otherwise."""
    if produit.modulaire:
        return sorted(produit.epreuves.all(), key=lambda e: (e.ordre, e.code))
    return [None]


def clean_tarifs(produit: Produit, tarifs: Mapping[int | None, Decimal | None]) -> dict[int | None, Decimal]:
    """Check that every expected price is given, positive, with at most 2 decimals."""
    cleaned: dict[int | None, Decimal] = {}
    for epreuve in expected_tarif_keys(produit):
        key = epreuve.pk if epreuve else None
        amount = tarifs.get(key)
        what = f"l'épreuve {epreuve.code}" if epreuve else "le tarif unique"
        if amount in (None, ""):
            raise BusinessError(f"Le prix est manquant pour {what}.", code="tarif")
        amount = Decimal(amount)
        if amount <= 0:
            raise BusinessError(f"Le prix de {what} doit être supérieur à zéro.", code="tarif")
        if amount != amount.quantize(Decimal("0.01")):
            raise BusinessError(f"Le prix de {what} doit avoir au plus deux décimales.", code="tarif")
        cleaned[key] = amount.quantize(Decimal("0.01"))
    return cleaned


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
def update_session(session: Session, *, by=None, **changes) -> Session:
    """Change the FDA-editable fields of a session (row locked, `check_session_changes`); the D-2
    closure instant follows the date. The status never changes here (see the named transitions)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"update_session() cannot change {sorted(unknown)}")
    locked = _lock(session)
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
    SessionStatusChange.objects.create(
        session=session, from_status="", to_status=S.PLANIFIEE, by=by, comment="Création de la session."
    )
    transition(session, S.OUVERTE, by=by, comment="Inscriptions ouvertes à la création.")
    if enregistrer_tarif:
        from tarifs.services import set_tarifs

        set_tarifs(centre=centre, produit=produit, montants=montants, by=by)
    return session


def check_enrolment_open(session: Session, now: dt.datetime | None = None) -> None:
    """The write-time D-2 check every enrolment path calls (with the session row locked): it never
    depends on the beat job having run."""
    if not session.enrolment_open(now):
        if session.statut in OPEN_STATUSES:
            closes = timezone.localtime(session.closes_at, PARIS)
            raise BusinessError(
                f"Les inscriptions de la session {session.numero} sont closes depuis le "
                f"{closes:%d/%m/%Y} à 00h00 (heure de Paris).",
                code="closed",
            )
        raise BusinessError(
            f"La session {session.numero} est « {session.get_statut_display()} » : "
            "elle n'accepte plus d'inscription.",
            code="closed",
        )


# --- Named transitions ----------------------------------------------------------------------------


def open_enrolment(session: Session, *, by=None) -> SessionStatusChange:
    with transaction.atomic():
        locked = _lock(session)
        if locked.statut == S.PLANIFIEE and not locked.enrolment_open():
            raise BusinessError(
                "La date de clôture des inscriptions est passée : elles ne peuvent plus être ouvertes."
            )
        return transition(session, S.OUVERTE, by=by, comment="Ouverture des inscriptions.")


def cancel_session(session: Session, *, by=None, comment: str = "") -> SessionStatusChange:
    """A session can be cancelled while its enrolments are open (before the D-2 closure instant)."""
    with transaction.atomic():
        locked = _lock(session)
        if locked.statut not in OPEN_STATUSES or not locked.enrolment_open():
            raise BusinessError(
                f"La session {locked.numero} ne peut plus être annulée : ses inscriptions sont closes.",
                code="cancel",
            )
        return transition(session, S.ANNULEE, by=by, comment=comment or "Session annulée par le centre.")


def close_enrolment(session: Session, *, by=None, comment: str = "", now: dt.datetime | None = None) -> bool:
    """Close enrolments (the D-2 job, or FDA forcing it) and queue the session documents.

    Idempotent: returns False and changes nothing when the session is no longer open."""
    with transaction.atomic():
        locked = _lock(session)
        if locked.statut not in OPEN_STATUSES:
            session.statut = locked.statut
            return False
        transition(locked, S.CLOSE, by=by, comment=comment or "Clôture des inscriptions (J-2).")
        session.statut = locked.statut
        queue_session_documents(locked.pk)
    return True


def _check_date_passed(session: Session) -> None:
    if session.date >= timezone.localdate():
        raise BusinessError("La mise en correction n'est possible qu'une fois la date de la session passée.")


def declare_anomalies(session: Session, *, by=None, comment: str = "") -> SessionStatusChange:
    _check_date_passed(session)
    return transition(session, S.ANOMALIES, by=by, comment=comment or "Anomalies déclarées par le centre.")


def start_correction(session: Session, *, by=None, comment: str = "") -> SessionStatusChange:
    if session.statut == S.CLOSE:
        _check_date_passed(session)
    return transition(session, S.CORRECTION, by=by, comment=comment or "Mise en correction.")


def publish_results(session: Session, *, by=None, comment: str = "") -> SessionStatusChange:
    return transition(session, S.RESULTATS, by=by, comment=comment or "Résultats disponibles.")


def archive_session(session: Session, *, by=None, comment: str = "") -> SessionStatusChange:
    return transition(session, S.CLOTUREE, by=by, comment=comment or "Session clôturée.")


# --- The D-2 job ----------------------------------------------------------------------------------


CLOSURE_BATCH = 10000
CLOSURE_COMMENT = "Clôture automatique des inscriptions (J-2)."


def close_due_sessions(now: dt.datetime | None = None) -> list[int]:
    """Close every session whose D-2 instant has passed; returns the numbers closed by this run.

    Set-based, by batches: lock the due rows (SKIP LOCKED on PostgreSQL: a row another run holds is
    being closed by it), one UPDATE, one INSERT of their history rows (a single statement on
    PostgreSQL), one task that queues their documents. After an outage 10,000 due sessions close in about the time of a
    bare UPDATE, not in 10,000 transactions. The statuses moved are those the TRANSITIONS table lets
    go to "close", so running twice (or twice at once) changes nothing more. Closed sessions still
    without their documents (a failed render) get their rendering queued again."""
    now = now or timezone.now()
    missing = list(
        Session.objects.filter(statut=S.CLOSE, bon_de_commande__isnull=True).values_list("pk", flat=True)
    )
    closable = [status for status in OPEN_STATUSES if can_transition(status, S.CLOSE)]
    close_batch = _close_batch_postgresql if connection.vendor == "postgresql" else _close_batch_orm
    closed: list[int] = []
    while True:
        with transaction.atomic():
            batch = close_batch(now, closable)
            if batch:
                queue_documents_of_sessions([pk for pk, _ in batch])
        closed.extend(numero for _, numero in batch)
        # A short batch was the last one: asking again would only walk the index entries just closed.
        if len(batch) < CLOSURE_BATCH:
            break
    if missing:
        queue_documents_of_sessions(missing)
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


def queue_session_documents(session_id: int) -> None:
    from .tasks import render_session_documents

    transaction.on_commit(lambda: render_session_documents.delay(session_id))


def queue_documents_of_sessions(session_ids: list[int]) -> None:
    """One message for a whole batch; the worker fans it out into one rendering task per session."""
    from .tasks import render_documents_of_sessions

    ids = list(session_ids)
    transaction.on_commit(lambda: render_documents_of_sessions.delay(ids))


# --- Documents ------------------------------------------------------------------------------------


def _store(document: Document, filename: str, content: bytes) -> str | None:
    """Put new content in the document's file; returns the old file name to delete after commit."""
    old = document.fichier.name or None
    document.fichier.save(filename, ContentFile(content), save=False)
    return old


def _delete_after_commit(storage, name: str | None) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def render_session_documents(session_id: int) -> None:
    """Render `<numero>_bon_commande.pdf` and `codes_acces_<numero>.pdf` once per session.

    The session row lock serialises concurrent runs; the second one finds the documents and stops
    (the conditional unique constraint on Document(session, kind) is the last guard)."""
    from . import pdf

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
            filename, mimetype, content = pdf.bon_de_commande_pdf(session, bon, commande)
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
            filename, mimetype, content = pdf.codes_acces_pdf(session)
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
    from . import pdf

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
        filename, mimetype, content = pdf.bon_de_commande_pdf(bon.session, bon, commande)
        old = _store(document, filename, content)
        document.save(update_fields=["fichier"])
        bon.montant_total = commande.total
        bon.save(update_fields=["montant_total"])
        _delete_after_commit(document.fichier.storage, old)


BON_TRANSITIONS = {BonDeCommande.Statut.NON_SIGNE: {BonDeCommande.Statut.SIGNE}}


@transaction.atomic
def sign_bon_de_commande(session: Session, *, by) -> BonDeCommande:
    """ "Signer": the bon de commande goes from Devis non-signé to Devis signé (who, when), and its PDF is
    re-rendered after commit."""
    bon = BonDeCommande.objects.select_for_update().filter(session=session).first()
    if bon is None:
        raise BusinessError("Le bon de commande de cette session n'est pas encore disponible.")
    if BonDeCommande.Statut.SIGNE not in BON_TRANSITIONS.get(bon.statut, set()):
        raise BusinessError("Ce bon de commande est déjà signé.")
    # What is signed is what the re-rendered PDF will show: today's lines at FDA's prices.
    commande = commande_for(session)
    if commande.prix_manquants:
        raise BusinessError(
            "Des prix du Français des affaires manquent pour la date de cette session : le bon de commande "
            "ne peut pas encore être signé. Contactez votre chargé(e) de clientèle."
        )
    bon.statut = BonDeCommande.Statut.SIGNE
    bon.signed_by = by
    bon.signed_at = timezone.now()
    bon.montant_total = commande.total
    bon.save(update_fields=["statut", "signed_by", "signed_at", "montant_total"])
    session_id = session.pk

    from .tasks import rerender_bon_de_commande as task

    transaction.on_commit(lambda: task.delay(session_id))
    return bon
