"""The D-2 rule: enrolments close at 00:00 Europe/Paris, two calendar days before the session date."""

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
CLOSURE_DAYS_BEFORE = 2


def closes_at_for(session_date: dt.date) -> dt.datetime:
    """A Tuesday session closes at midnight Paris time on the Sunday before (the night from Saturday to
    Sunday). Built from the local calendar date, so DST changes shorten or lengthen the delay, never move
    the wall-clock instant."""
    closing_day = session_date - dt.timedelta(days=CLOSURE_DAYS_BEFORE)
    return dt.datetime.combine(closing_day, dt.time(0, 0), tzinfo=PARIS)
