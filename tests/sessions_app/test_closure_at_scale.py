"""The D-2 job closes many due sessions set-based (make bench: 10,000 after an outage), still with one
history row per session and every session's documents queued."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from candidats import documents
from sessions_app import services
from sessions_app.models import SessionStatus, SessionStatusChange
from tests.factories import SessionFactory

PARIS = ZoneInfo("Europe/Paris")
BEFORE = dt.datetime(2026, 9, 1, 12, 0, tzinfo=PARIS)
AFTER_CLOSURE = dt.datetime(2026, 10, 5, 12, 0, tzinfo=PARIS)


def due_sessions(n, statut=SessionStatus.OUVERTE):
    with time_machine.travel(BEFORE, tick=False):
        return [SessionFactory(date=dt.date(2026, 10, 6), statut=statut) for _ in range(n)]


@pytest.fixture(params=["one statement on PostgreSQL", "ORM, any database"])
def small_batches(request, monkeypatch):
    """Batches of two, through each of the two ways of closing a batch (the ORM one is what SQLite
    runs; on PostgreSQL it is forced here so that CI checks both)."""
    monkeypatch.setattr(services, "CLOSURE_BATCH", 2)
    if request.param == "ORM, any database":
        monkeypatch.setattr(services, "_close_batch_postgresql", services._close_batch_orm)


def test_it_closes_every_due_session_batch_after_batch_with_one_history_row_each(
    db, small_batches, django_capture_on_commit_callbacks
):
    sessions = due_sessions(4) + due_sessions(1, SessionStatus.PLANIFIEE)
    not_due = SessionFactory(date=dt.date(2026, 12, 1), statut=SessionStatus.OUVERTE)
    with time_machine.travel(AFTER_CLOSURE, tick=False):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            closed = documents.close_due_sessions()
    assert sorted(closed) == sorted(s.numero for s in sessions)
    for session in sessions:
        session.refresh_from_db()
        assert session.statut == SessionStatus.CLOSE
        change = SessionStatusChange.objects.get(session=session, to_status=SessionStatus.CLOSE)
        assert change.comment == "Clôture automatique des inscriptions (J-2)."
    planned = SessionStatusChange.objects.get(session=sessions[-1], to_status=SessionStatus.CLOSE)
    assert planned.from_status == SessionStatus.PLANIFIEE
    not_due.refresh_from_db()
    assert not_due.statut == SessionStatus.OUVERTE
    assert len(callbacks) == 3  # one document task per batch of two, not one per session


def test_a_second_run_changes_nothing_more(db, django_capture_on_commit_callbacks):
    due_sessions(3)
    with time_machine.travel(AFTER_CLOSURE, tick=False):
        with django_capture_on_commit_callbacks(execute=False):
            assert len(documents.close_due_sessions()) == 3
            assert documents.close_due_sessions() == []
    assert SessionStatusChange.objects.filter(to_status=SessionStatus.CLOSE).count() == 3


def test_the_batch_task_renders_each_sessions_documents(db, django_capture_on_commit_callbacks):
    sessions = due_sessions(2)
    with time_machine.travel(AFTER_CLOSURE, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            documents.close_due_sessions()
    for session in sessions:
        assert sorted(session.documents.values_list("kind", flat=True)) == ["bon_commande", "codes_acces"]


@pytest.mark.parametrize("n", [2, 12])
def test_the_job_runs_the_same_queries_for_few_and_many_sessions(
    db, n, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    due_sessions(n)
    with time_machine.travel(AFTER_CLOSURE, tick=False):
        with django_capture_on_commit_callbacks(execute=False), django_assert_max_num_queries(10):
            assert len(documents.close_due_sessions()) == n
