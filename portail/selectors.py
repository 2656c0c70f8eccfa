"""What the dashboard and the search page read: a fixed number of queries whatever the data size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from candidats.models import Inscription
from candidats.selectors import name_matches, pending_contact_requests_count, pending_pre_inscriptions_count
from core.text import as_number, clean
from demandes.models import Notification
from messagerie.models import Conversation
from sessions_app.models import BonDeCommande, Session, SessionStatus


@dataclass(frozen=True)
class Todo:
    """One line of RESTE À TRAITER: a count, the guide's sentence, where to go."""

    kind: str
    count: int
    label: str
    url: str | None


def safe_url(name: str, query: dict | None = None, **kwargs) -> str | None:
    """The URL of a page of the portal, or None while that page does not exist yet."""
    try:
        url = reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def _plural(n: int, singular: str, plural: str) -> str:
    return singular if n <= 1 else plural


def informations(centre, limit: int = 10) -> QuerySet[Notification]:
    """INFORMATIONS: FDA's decisions on the centre's requests, newest first."""
    return Notification.objects.for_centre(centre).order_by("-created_at", "-pk")[:limit]


def prochaines_sessions(centre, limit: int = 5) -> QuerySet[Session]:
    return (
        Session.objects.for_centre(centre)
        .upcoming()
        .select_related("produit")
        .order_by("date", "heure")[:limit]
    )


def reste_a_traiter(centre, today: dt.date | None = None) -> list[Todo]:
    """RESTE À TRAITER: every kind of to-do with a count (one COUNT query each, five in all)."""
    today = today or timezone.localdate()
    # The candidats pages show the same counts: one definition of "à traiter", theirs.
    contacts = pending_contact_requests_count(centre)
    pre = pending_pre_inscriptions_count(centre)
    # Sessions whose test day has passed and still wait for the centre: absences, then mise en correction.
    past_close = safe_url(
        "sessions:list",
        {"statut": SessionStatus.CLOSE.value, "au": (today - dt.timedelta(days=1)).isoformat()},
    )
    passees = (
        Session.objects.for_centre(centre)
        .filter(date__lt=today, statut=SessionStatus.CLOSE)
        .aggregate(
            absences=Count("pk", filter=Q(absences_declarees_le__isnull=True)),
            correction=Count("pk", filter=Q(absences_declarees_le__isnull=False)),
        )
    )
    bons = BonDeCommande.objects.for_centre(centre).filter(statut=BonDeCommande.Statut.NON_SIGNE).count()
    non_lus = Conversation.objects.for_centre(centre).unread_by_centre().count()
    todos = [
        Todo(
            "contacts",
            contacts,
            f"Vous avez {contacts} {_plural(contacts, 'demande de contact', 'demandes de contact')} à traiter",
            safe_url("candidats:contacts"),
        ),
        Todo(
            "pre_inscriptions",
            pre,
            f"Vous avez {pre} {_plural(pre, 'pré-inscription', 'pré-inscriptions')} à transférer",
            safe_url("candidats:pre_inscriptions"),
        ),
        Todo(
            "sessions_passees",
            passees["absences"],
            f"{passees['absences']} "
            f"{_plural(passees['absences'], 'session dont la date est passée', 'sessions dont la date est passée')}"
            " à traiter : absences à déclarer",
            past_close,
        ),
        Todo(
            "sessions_a_corriger",
            passees["correction"],
            f"{passees['correction']} {_plural(passees['correction'], 'session', 'sessions')} à mettre en correction",
            past_close,
        ),
        Todo(
            "bons_de_commande",
            bons,
            f"{bons} {_plural(bons, 'bon de commande', 'bons de commande')} à signer",
            safe_url("sessions:list", {"statut": SessionStatus.CLOSE.value}),
        ),
        Todo(
            "messages",
            non_lus,
            f"{non_lus} {_plural(non_lus, 'message non lu', 'messages non lus')}",
            safe_url("messagerie:list"),
        ),
    ]
    return [todo for todo in todos if todo.count]


def search_sessions(centre, q: str) -> QuerySet[Session]:
    """A session by its number (the whole number, or its start), within the centre only."""
    digits = clean(q)
    if as_number(digits) is None:
        return Session.objects.none()
    return (
        Session.objects.for_centre(centre)
        .filter(Q(numero=as_number(digits)) | Q(numero__startswith=digits))
        .select_related("produit")
        .order_by("-date", "-numero")
    )


def search_inscriptions(centre, q: str) -> QuerySet[Inscription]:
    """Candidates of the centre by nom, prénom, "prénom nom", numéro d'inscription or e-mail."""
    q = clean(q)
    condition = Q()
    if as_number(q) is not None:
        condition |= Q(numero=as_number(q))
    words = q.split()
    if words:
        name = Q()
        for word in words[:4]:
            name &= name_matches(word)
        condition |= name
    if "@" in q or "." in q:
        condition |= Q(candidat__email__icontains=q)
    return (
        Inscription.objects.for_centre(centre)
        .filter(condition)
        .select_related("candidat", "session__produit")
        .order_by("candidat__nom", "candidat__prenom", "-numero")
    )
