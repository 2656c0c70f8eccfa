"""The D-2 rule: enrolments close at 00:00 Europe/Paris two calendar days before the session date."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from candidats.documents import close_due_sessions
from sessions_app.closure import closes_at_for
from sessions_app.models import SessionStatus
from tests.factories import SessionFactory

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def paris_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=PARIS)


def hours_before_session_midnight(day: dt.date) -> float:
    # In UTC: Python subtracts two datetimes sharing one tzinfo as wall-clock times (always 48 h).
    return (paris_midnight(day).astimezone(UTC) - closes_at_for(day).astimezone(UTC)).total_seconds() / 3600


def every_day(year: int):
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("year", [2026, 2027])
def test_it_closes_at_paris_midnight_two_calendar_days_before_every_date_of_the_year(year):
    for day in every_day(year):
        closes = closes_at_for(day).astimezone(PARIS)
        assert closes.date() == day - dt.timedelta(days=2), day
        assert (closes.hour, closes.minute, closes.second) == (0, 0, 0), day
        # Stored in UTC, the instant is 22:00 or 23:00 UTC the evening before, depending on the season.
        utc = closes.astimezone(UTC)
        assert utc.date() == day - dt.timedelta(days=3) and utc.hour in (22, 23), day


@pytest.mark.parametrize(
    ("year", "short", "long"),
    [
        # Summer time starts on 29/03/2026 and 28/03/2027; winter time on 25/10/2026 and 31/10/2027.
        (2026, [dt.date(2026, 3, 30), dt.date(2026, 3, 31)], [dt.date(2026, 10, 26), dt.date(2026, 10, 27)]),
        (2027, [dt.date(2027, 3, 29), dt.date(2027, 3, 30)], [dt.date(2027, 11, 1), dt.date(2027, 11, 2)]),
    ],
)
def test_only_the_dst_weekends_shorten_or_lengthen_the_delay(year, short, long):
    delays = {day: hours_before_session_midnight(day) for day in every_day(year)}
    assert sorted(d for d, h in delays.items() if h == 47) == short
    assert sorted(d for d, h in delays.items() if h == 49) == long
    assert all(h == 48 for d, h in delays.items() if d not in short + long)


def test_the_guide_example_a_tuesday_session_closes_in_the_night_from_saturday_to_sunday():
    tuesday = dt.date(2026, 10, 6)
    closes = closes_at_for(tuesday).astimezone(PARIS)
    assert closes == dt.datetime(2026, 10, 4, 0, 0, tzinfo=PARIS)
    assert closes.strftime("%A") == "Sunday"


@pytest.mark.parametrize(
    ("session_date", "last_second"),
    [
        (dt.date(2026, 10, 6), dt.datetime(2026, 10, 3, 23, 59, 59, tzinfo=PARIS)),
        (dt.date(2026, 3, 31), dt.datetime(2026, 3, 28, 23, 59, 59, tzinfo=PARIS)),  # DST weekend
        (dt.date(2026, 10, 27), dt.datetime(2026, 10, 24, 23, 59, 59, tzinfo=PARIS)),  # DST weekend
    ],
)
def test_enrolment_is_accepted_at_23_59_59_and_refused_at_midnight_whatever_the_job_did(
    db, session_date, last_second
):
    with time_machine.travel(dt.datetime(2026, 1, 5, 12, 0, tzinfo=PARIS), tick=False):
        session = SessionFactory(date=session_date, statut=SessionStatus.OUVERTE)
    with time_machine.travel(last_second, tick=False):
        assert session.enrolment_open()
        assert close_due_sessions() == []
    with time_machine.travel(last_second + dt.timedelta(seconds=1), tick=False):
        # The beat job has not run: the status still says "open", the write-time check refuses anyway.
        session.refresh_from_db()
        assert session.statut == SessionStatus.OUVERTE
        assert not session.enrolment_open()


def test_the_job_closes_at_midnight_not_one_second_before(db, django_capture_on_commit_callbacks):
    with time_machine.travel(dt.datetime(2026, 9, 1, 12, 0, tzinfo=PARIS), tick=False):
        session = SessionFactory(date=dt.date(2026, 10, 6))
    with time_machine.travel(dt.datetime(2026, 10, 3, 23, 59, 59, tzinfo=PARIS), tick=False):
        assert close_due_sessions() == []
    with time_machine.travel(dt.datetime(2026, 10, 4, 0, 0, 0, tzinfo=PARIS), tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            assert close_due_sessions() == [session.numero]
    session.refresh_from_db()
    assert session.statut == SessionStatus.CLOSE


def test_the_write_time_check_gives_a_french_reason(db):
    from core.errors import BusinessError
    from sessions_app.services import check_enrolment_open

    with time_machine.travel(dt.datetime(2026, 9, 1, 12, 0, tzinfo=PARIS), tick=False):
        session = SessionFactory(date=dt.date(2026, 10, 6))
    with time_machine.travel(dt.datetime(2026, 10, 3, 23, 59, 59, tzinfo=PARIS), tick=False):
        check_enrolment_open(session)
    with time_machine.travel(dt.datetime(2026, 10, 4, 0, 0, 0, tzinfo=PARIS), tick=False):
        with pytest.raises(BusinessError, match="closes depuis le 04/10/2026 à 00h00"):
            check_enrolment_open(session)
    session.statut = SessionStatus.ANNULEE
    with pytest.raises(BusinessError, match="« Annulée » : elle n'accepte plus d'inscription"):
        check_enrolment_open(session)
