"""The centre's sessions in a month view, and each user's private iCalendar feed (a secret URL).

The feed's token is the only credential of the URL: 256 bits from `secrets`, one live token per user,
revoked by renewal (the old URL then answers 404)."""

from __future__ import annotations

import calendar
import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import JetonCalendrier, Session, SessionStatus

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip
WEEKDAYS = ["Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"]
# The feed: sessions from 3 months back (a calendar keeps recent history) to any date ahead.
FEED_PAST_DAYS = 92
SESSION_DURATION = dt.timedelta(hours=3)


@dataclass
class Jour:
    date: dt.date
    in_month: bool
    sessions: list


def parse_month(value: str | None, today: dt.date | None = None) -> dt.date:
    """'2026-12' → 1 December 2026; anything else → the current month."""
    today = today or timezone.localdate()
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return dt.date(year, month, 1) if 2000 <= year <= 2100 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


def shift_month(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_title(month: dt.date) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def month_weeks(centre, month: dt.date) -> list[list[Jour]]:
    """The weeks (Monday first) of `month`, each day with the centre's sessions and their places taken."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    sessions = (
        Session.objects.for_centre(centre)
        .filter(date__gte=weeks[0][0], date__lte=weeks[-1][-1])
        .select_related("produit")
        .with_places()
        .order_by("date", "heure", "numero")
    )
    by_day: dict[dt.date, list] = {}
    for session in sessions:
        by_day.setdefault(session.date, []).append(session)
    return [[Jour(day, day.month == month.month, by_day.get(day, [])) for day in week] for week in weeks]


def token_for(user) -> JetonCalendrier:
    """The user's live calendar token, created on first use."""
    token = JetonCalendrier.objects.actifs().filter(user=user).first()
    return token or renew_token(user)


@transaction.atomic
def renew_token(user) -> JetonCalendrier:
    """Revoke the user's live token (its URL answers 404 from now on) and create a new one."""
    # The user's row serialises two renewals; the partial unique constraint is the last guard.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    JetonCalendrier.objects.actifs().filter(user=user).update(revoque_le=timezone.now())
    return JetonCalendrier.objects.create(user=user, jeton=secrets.token_urlsafe(32))


def user_for_token(jeton: str):
    """The user of a live token whose account may still use the portal, else None."""
    token = (
        JetonCalendrier.objects.actifs()
        .filter(jeton=jeton, user__is_active=True)
        .select_related("user")
        .first()
    )
    return token.user if token else None


def feed(user, site_url: str | None = None) -> bytes:
    """The iCalendar feed of the sessions of the user's active centres (one query for the memberships,
    one for the sessions)."""
    from icalendar import Calendar, Event

    site_url = (site_url or getattr(settings, "SITE_URL", "")).rstrip("/")
    centres = [m.centre_id for m in user.portal_memberships()]
    since = timezone.localdate() - dt.timedelta(days=FEED_PAST_DAYS)
    sessions = (
        Session.objects.filter(centre_id__in=centres, date__gte=since)
        .select_related("produit", "centre")
        .with_places()
        .order_by("date", "heure", "numero")
    )
    cal = Calendar()
    cal.add("prodid", "-//CCI Paris Ile-de-France Education//Portail centres//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Sessions — Portail centres")
    tz = timezone.get_current_timezone()
    stamp = timezone.now()
    for session in sessions:
        start = dt.datetime.combine(session.date, session.heure, tzinfo=tz)
        event = Event()
        event.add("uid", f"session-{session.numero}@portail-centres")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + SESSION_DURATION)
        event.add("summary", f"{session.produit.nom} — session {session.numero}")
        event.add("location", f"{session.lieu}, {session.centre.nom}")
        taken, left = session.nb_inscrits, session.places_restantes
        event.add(
            "description",
            f"{session.get_statut_display()} · {taken} inscrit{'s' if taken > 1 else ''} · "
            f"{left} place{'s' if left > 1 else ''} restante{'s' if left > 1 else ''} sur {session.nb_places}",
        )
        if site_url:
            event.add("url", f"{site_url}/sessions/{session.numero}/")
        event.add("status", "CANCELLED" if session.statut == SessionStatus.ANNULEE else "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
