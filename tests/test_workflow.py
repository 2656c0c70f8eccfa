"""core.workflow: the one helper every status machine goes through (table, row lock, history, after commit).

Tried on a real machine (the session's) against PostgreSQL: the helper itself knows no portal app."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from core.errors import BusinessError
from core.workflow import Workflow
from messagerie.models import Conversation, ConversationStatusChange
from sessions_app.closure import PARIS
from sessions_app.models import Session, SessionStatus, SessionStatusChange
from sessions_app.services import SESSIONS
from tests.factories import SessionFactory, conversation

S = SessionStatus
NOW = dt.datetime(2026, 9, 1, 10, 0, tzinfo=PARIS)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def session(centre_a):
    return SessionFactory(centre=centre_a, statut=S.PLANIFIEE, date=dt.date(2026, 10, 6))


def test_an_allowed_transition_writes_who_when_from_to_and_comment(session, responsable):
    row = SESSIONS.transition(session, S.OUVERTE, by=responsable, comment="  Ouverture.  ")
    assert session.statut == S.OUVERTE  # the caller's instance follows
    assert Session.objects.get(pk=session.pk).statut == S.OUVERTE
    saved = SessionStatusChange.objects.get(session=session)
    assert saved == row
    assert (saved.from_status, saved.to_status, saved.by, saved.at, saved.comment) == (
        S.PLANIFIEE,
        S.OUVERTE,
        responsable,
        NOW,
        "Ouverture.",
    )


def test_a_forbidden_transition_raises_the_french_reason_and_changes_nothing(session, responsable):
    with pytest.raises(BusinessError) as refused:
        SESSIONS.transition(session, S.RESULTATS, by=responsable, changes={"lieu": "Ailleurs"})
    assert refused.value.message == (
        f"La session {session.numero} est « Planifiée » : elle ne peut pas passer au statut "
        "« Résultats disponibles »."
    )
    assert refused.value.code == "transition"
    stored = Session.objects.get(pk=session.pk)
    assert (stored.statut, stored.lieu) == (S.PLANIFIEE, session.lieu)
    assert not SessionStatusChange.objects.filter(session=session).exists()


def test_the_check_reads_the_locked_row_not_the_callers_stale_copy(session):
    stale = Session.objects.get(pk=session.pk)
    SESSIONS.transition(session, S.ANNULEE)
    with pytest.raises(
        BusinessError, match="« Annulée » : elle ne peut pas passer au statut « Inscriptions ouvertes »"
    ):
        SESSIONS.transition(stale, S.OUVERTE)  # stale still says Planifiée
    assert Session.objects.get(pk=session.pk).statut == S.ANNULEE


def test_other_fields_change_with_the_status_in_the_same_save(centre_a, responsable, fda_agent):
    conv = conversation(centre_a, by=responsable)
    flow = Workflow(
        Conversation,
        transitions={Conversation.Statut.OUVERTE: {Conversation.Statut.FERMEE}},
        history=ConversationStatusChange,
    )
    flow.transition(conv, Conversation.Statut.FERMEE, by=fda_agent, changes={"closed_at": NOW})
    conv.refresh_from_db()
    assert (conv.statut, conv.closed_at) == (Conversation.Statut.FERMEE, NOW)


def test_side_effects_run_only_after_commit(session, django_capture_on_commit_callbacks):
    ran = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        SESSIONS.transition(session, S.OUVERTE, after_commit=[lambda: ran.append("rendu")])
        assert ran == []  # still inside the transaction
    assert len(callbacks) == 1 and ran == ["rendu"]


def test_side_effects_of_a_rolled_back_transition_never_run(session, django_capture_on_commit_callbacks):
    ran = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            SESSIONS.transition(session, S.OUVERTE, after_commit=[lambda: ran.append("rendu")])
            raise RuntimeError("a later step of the action fails")
    assert callbacks == [] and ran == []
    assert Session.objects.get(pk=session.pk).statut == S.PLANIFIEE
    assert not SessionStatusChange.objects.filter(session=session).exists()


def test_the_creation_row_and_an_anonymous_author(session):
    (row,) = SESSIONS.record_creation(session, by=AnonymousUser(), comment="Reçue du site public.")
    assert (row.from_status, row.to_status, row.by, row.comment) == (
        "",
        S.PLANIFIEE,
        None,
        "Reçue du site public.",
    )


def test_the_table_is_read_both_ways_and_checked_against_the_choices():
    assert SESSIONS.allows(S.OUVERTE, S.CLOSE) and not SESSIONS.allows(S.CLOSE, S.OUVERTE)
    assert set(SESSIONS.sources(S.CLOSE)) == {S.PLANIFIEE, S.OUVERTE}
    assert SESSIONS.sources(S.PLANIFIEE) == []
    with pytest.raises(ValueError, match="unknown statuses"):
        Workflow(Session, transitions={S.OUVERTE: {"archivee"}}, history=SessionStatusChange)
