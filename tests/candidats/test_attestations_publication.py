"""Issue 20, part 3: the publication hands the attestations to the workers. A dispatcher
(candidats.tasks.publish_attestations) lists the enrolments still without one and fans out chunk tasks that
several workers share; a chunk run twice, or by two workers at once, makes one attestation per candidate; the
chunk that sees nothing left has the notices sent, once per candidate. With BACKGROUND_THREADS (the demo) the
publishing request returns before any attestation exists."""

import os
import threading
import time

import pytest
from django.core import mail
from django.db import connection
from django.db.models import Count
from django.test import override_settings

from candidats import attestations, notices, results, tasks
from candidats.models import AvisResultats, InscriptionStatus, Resultat
from sessions_app.models import Document, DocumentKind, SessionStatus
from tests.factories import InscriptionFactory, epreuve, past_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def celery_join_state():
    """Eager tasks run in other threads leave Celery's process-global "join will block" flag set: restore it."""
    from celery._state import _set_task_join_will_block, task_join_will_block

    before = task_join_will_block()
    yield
    _set_task_join_will_block(before)


def needs_postgresql():
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() in {"1", "true", "yes", "on"}:
            pytest.fail("CI=true : ce test exige PostgreSQL (verrou de ligne SELECT … FOR UPDATE).")
        pytest.skip("PostgreSQL requis (verrou de ligne SELECT … FOR UPDATE)")


def scored(session, n, **kwargs):
    """`n` enrolments of the session with a CE score (the épreuves of the session's product)."""
    made = []
    for _ in range(n):
        inscription = InscriptionFactory(session=session, **kwargs)
        Resultat.objects.create(inscription=inscription, epreuve=epreuve("CE"), score=300)
        made.append(inscription)
    return made


def of(session):
    return Document.objects.filter(session=session, kind=DocumentKind.ATTESTATION)


def one_each(session) -> bool:
    return set(of(session).values("inscription").annotate(n=Count("pk")).values_list("n", flat=True)) <= {1}


class Recorder:
    """Stands in for a task: records what would have been queued."""

    def __init__(self):
        self.calls = []

    def apply_async(self, args=(), **options):
        self.calls.append(list(args))

    def delay(self, *args):
        self.calls.append(list(args))


@pytest.fixture
def published(centre_a):
    return past_session(centre_a, statut=SessionStatus.RESULTATS)


def test_chunks_are_twenty_enrolments_the_last_one_shorter():
    assert attestations.CHUNK_SIZE == 20
    parts = attestations.chunks(list(range(45)))
    assert [len(p) for p in parts] == [20, 20, 5] and sum(parts, []) == list(range(45))
    assert attestations.chunks([]) == []


def test_the_dispatcher_hands_out_the_enrolments_still_without_one_in_chunks(published, monkeypatch):
    monkeypatch.setattr(attestations, "CHUNK_SIZE", 2)
    wanted = scored(published, 5)
    scored(published, 1, virtuel=True)
    scored(published, 1, statut=InscriptionStatus.ANNULE)
    InscriptionFactory(session=published)  # no score: nothing to attest
    [done] = scored(published, 1)
    Document.objects.create(
        centre=published.centre,
        session=published,
        inscription=done,
        kind=DocumentKind.ATTESTATION,
        nom="a.pdf",
    )
    chunk, notice = Recorder(), Recorder()
    monkeypatch.setattr(tasks, "render_attestation_chunk", chunk)
    monkeypatch.setattr(tasks, "send_results_notices", notice)

    assert tasks.publish_attestations.apply(args=[published.pk]).get() == 3
    ids = sorted(i.pk for i in wanted)
    assert chunk.calls == [[published.pk, ids[0:2]], [published.pk, ids[2:4]], [published.pk, ids[4:]]]
    assert notice.calls == []  # the last chunk sends them
    assert attestations.progress(published) == attestations.Progress(ready=1, expected=6)


def test_the_dispatcher_with_nothing_to_render_sends_the_notices(published, monkeypatch):
    chunk, notice = Recorder(), Recorder()
    monkeypatch.setattr(tasks, "render_attestation_chunk", chunk)
    monkeypatch.setattr(tasks, "send_results_notices", notice)
    assert tasks.publish_attestations.apply(args=[published.pk]).get() == 0
    assert chunk.calls == [] and notice.calls == [[published.pk]]


def test_nothing_is_handed_out_before_publication(centre_a):
    session = past_session(centre_a, statut=SessionStatus.CORRECTION)
    scored(session, 2)
    assert attestations.missing_ids(session.pk) == []
    assert attestations.render_attestation_chunk(session.pk, [i.pk for i in session.inscriptions.all()]) == 0
    assert not of(session).exists()


def test_a_chunk_given_twice_or_overlapping_another_makes_one_attestation_each(published, centre_b):
    first, second, third = scored(published, 3)
    [foreign] = scored(past_session(centre_b, statut=SessionStatus.RESULTATS), 1)
    # Another worker rendered the first one meanwhile: the chunk leaves it alone.
    assert attestations.render_attestation_chunk(published.pk, [first.pk]) == 1
    assert attestations.render_attestation_chunk(published.pk, [first.pk, second.pk, foreign.pk]) == 1
    assert attestations.render_attestation_chunk(published.pk, [first.pk, second.pk]) == 0  # re-delivered
    assert of(published).count() == 2 and one_each(published)
    assert not Document.objects.filter(inscription=foreign).exists()  # another session's enrolment
    assert attestations.progress(published) == attestations.Progress(ready=2, expected=3)
    assert not attestations.all_rendered(published.pk)
    assert attestations.missing_ids(published.pk) == [third.pk]


def test_a_chunk_skips_an_enrolment_cancelled_meanwhile(published):
    kept, cancelled = scored(published, 2)
    cancelled.statut = InscriptionStatus.ANNULE
    cancelled.save(update_fields=["statut"])
    assert attestations.render_attestation_chunk(published.pk, [kept.pk, cancelled.pk]) == 1
    assert attestations.all_rendered(published.pk)


def test_the_last_chunk_sends_the_notices_once(published, monkeypatch):
    monkeypatch.setattr(attestations, "CHUNK_SIZE", 2)
    a, b, c = scored(published, 3)
    tasks.render_attestation_chunk.apply(args=[published.pk, [a.pk, b.pk]]).get()
    assert of(published).count() == 2 and not AvisResultats.objects.exists() and mail.outbox == []

    tasks.render_attestation_chunk.apply(args=[published.pk, [c.pk]]).get()
    assert of(published).count() == 3
    assert AvisResultats.objects.count() == 3 and len(mail.outbox) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(i.candidat.email for i in (a, b, c))

    # A chunk given again, the dispatcher given again, the notices task twice: nobody is told twice.
    tasks.render_attestation_chunk.apply(args=[published.pk, [c.pk]]).get()
    tasks.publish_attestations.apply(args=[published.pk]).get()
    assert notices.send_results_notices(published.pk) == 0
    assert AvisResultats.objects.count() == 3 and len(mail.outbox) == 3


def test_publication_renders_every_attestation_through_the_chunks(
    centre_a, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(attestations, "CHUNK_SIZE", 2)
    session = past_session(centre_a, statut=SessionStatus.CORRECTION)
    inscriptions = scored(session, 3)
    seen = []
    original = attestations.render_attestation_chunk

    def spy(session_id, ids):
        seen.append(ids)
        return original(session_id, ids)

    monkeypatch.setattr(attestations, "render_attestation_chunk", spy)
    with django_capture_on_commit_callbacks(execute=True):
        results.publish(session, allow_missing=True)
    ids = sorted(i.pk for i in inscriptions)
    assert seen == [ids[:2], ids[2:]]
    assert of(session).count() == 3 and one_each(session)
    assert AvisResultats.objects.count() == 3 and len(mail.outbox) == 3


def test_the_whole_session_task_still_renders_everything_then_tells_the_candidates(published):
    scored(published, 2)
    assert tasks.render_attestations.apply(args=[published.pk]).get() == 2
    assert of(published).count() == 2 and AvisResultats.objects.count() == 2
    assert tasks.render_attestations.apply(args=[published.pk]).get() == 0 and len(mail.outbox) == 2


# --- Concurrency and the background thread (committed data, PostgreSQL) -----------------------------------


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes, errors = [], []

    def run(call):
        try:
            barrier.wait()
            outcomes.append(call())
        except Exception as exc:  # reported by the assertions
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_chunk_make_one_attestation_each_and_one_notice_each(
    centre_a, monkeypatch, media_in_tmp
):
    needs_postgresql()
    session = past_session(centre_a, statut=SessionStatus.RESULTATS)
    ids = [i.pk for i in scored(session, 3)]
    original = attestations.attestation_pdf

    def slow_pdf(*args):
        time.sleep(0.2)  # the window in which the other worker would render the same candidate
        return original(*args)

    monkeypatch.setattr(attestations, "attestation_pdf", slow_pdf)
    made, errors = run_together(
        lambda: attestations.render_attestation_chunk(session.pk, ids),
        lambda: attestations.render_attestation_chunk(session.pk, list(reversed(ids))),
    )
    assert errors == []
    assert sum(made) == 3 and of(session).count() == 3 and one_each(session)

    sent, errors = run_together(
        lambda: notices.send_results_notices(session.pk), lambda: notices.send_results_notices(session.pk)
    )
    assert errors == [] and sum(sent) == 3
    assert AvisResultats.objects.filter(inscription__session=session).count() == 3 and len(mail.outbox) == 3


def background_threads():
    return [t for t in threading.enumerate() if t.name.startswith("background candidats.tasks.")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_background_threads_publishing_returns_before_the_attestations_exist(
    centre_a, monkeypatch, media_in_tmp, celery_join_state
):
    needs_postgresql()
    session = past_session(centre_a, statut=SessionStatus.CORRECTION)
    scored(session, 3)
    gate = threading.Event()
    original = attestations.attestation_pdf

    def gated_pdf(*args):
        gate.wait(60)  # the "worker" holds until the request has returned
        return original(*args)

    monkeypatch.setattr(attestations, "attestation_pdf", gated_pdf)
    with override_settings(BACKGROUND_THREADS=True):
        results.publish(session, allow_missing=True)
        session.refresh_from_db()
        assert session.statut == SessionStatus.RESULTATS
        assert of(session).count() == 0
        assert attestations.progress(session) == attestations.Progress(ready=0, expected=3)
        assert background_threads(), "no background thread runs the publication"
        gate.set()
        deadline = time.monotonic() + 90
        while AvisResultats.objects.filter(inscription__session=session).count() < 3:
            assert time.monotonic() < deadline, f"{of(session).count()} / 3 attestations after 90 s"
            time.sleep(0.2)
        for thread in background_threads():
            thread.join(timeout=30)
    assert of(session).count() == 3 and one_each(session)
    assert attestations.progress(session).complete and len(mail.outbox) == 3
