"""A real worker killed (SIGKILL) in the middle of a session's attestations, over the real Redis broker and the
test's PostgreSQL database: once a worker runs again the task is given again (acks_late, reject on worker lost)
and finishes the job; nothing is lost, nothing is made twice."""

import os
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from candidats.models import Resultat
from sessions_app.models import Document, DocumentKind, SessionStatus
from tests.factories import InscriptionFactory, epreuve, past_session
from tests.workers import start_worker, wait_for

PROJECT_DIR = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes", "on"}
CANDIDATES = 24


def attestations(session):
    return Document.objects.filter(session=session, kind=DocumentKind.ATTESTATION)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_loses_nothing_and_duplicates_nothing(centre_a):
    if not REDIS_URL or connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI=true : ce test exige Redis et PostgreSQL", pytrace=False)
        pytest.skip("un vrai worker a besoin de Redis et de PostgreSQL")
    from candidats.tasks import render_attestations
    from portail.celery import app

    session = past_session(centre_a, statut=SessionStatus.RESULTATS)
    for _ in range(CANDIDATES):
        Resultat.objects.create(
            inscription=InscriptionFactory(session=session), epreuve=epreuve("CE"), score=300
        )
    queue = f"test-kill-{uuid.uuid4().hex}"
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    workers = []
    with tempfile.TemporaryFile(mode="w+") as log:
        try:
            workers.append(start_worker(queue, log))
            render_attestations.apply_async(args=[session.pk], queue=queue)
            started = wait_for(lambda: attestations(session).count() >= 3, 90)
            if not started:
                log.seek(0)
                print(log.read())
            assert started, "the first worker never started"
            workers[0].kill()  # SIGKILL: no chance to acknowledge or clean up
            workers[0].wait()
            done_when_killed = attestations(session).count()
            assert done_when_killed < CANDIDATES, "the task ended before the kill: make it longer"
            print(f"worker killed after {done_when_killed} of {CANDIDATES} attestations")

            workers.append(start_worker(queue, log))
            finished = wait_for(lambda: attestations(session).count() == CANDIDATES, 300)
            if not finished:
                log.seek(0)
                print(log.read())
            assert finished, f"{attestations(session).count()} / {CANDIDATES} after the restart"
            time.sleep(2)  # a duplicate would show up now
            per_candidate = attestations(session).values("inscription").annotate(n=Count("pk"))
            assert {row["n"] for row in per_candidate} == {1} and len(per_candidate) == CANDIDATES
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.terminate()
                    worker.wait(timeout=15)
            app.conf.task_always_eager = was_eager
