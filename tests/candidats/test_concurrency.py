"""Ten or more staff enrolling at the same instant into a session of three places: exactly three
enrolled, the others told "La session est complète." — and, with the session lock switched off, the
same test overbooks, which proves that it can fail."""

import os
import threading
import time

import pytest
from django.db import connection

from candidats import services
from candidats.models import Inscription
from core.errors import BusinessError
from sessions_app.models import Session
from tests.candidats.conftest import data, eps
from tests.factories import CentreFactory, ProduitFactory, SessionFactory

THREADS = 12
PLACES = 3

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def needs_postgresql():
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() in {"1", "true", "yes", "on"}:
            pytest.fail("CI=true : ce test exige PostgreSQL (verrou de ligne SELECT … FOR UPDATE).")
        pytest.skip("PostgreSQL requis (verrou de ligne SELECT … FOR UPDATE)")


def run_concurrently(session, monkeypatch):
    """Every thread enrols a different person at once; counting the places is slowed down so that
    the race window is wide open whenever the counts are not serialised by the lock."""
    original = Session.count_places_taken

    def slow_count(s):
        value = original(s)
        time.sleep(0.15)
        return value

    monkeypatch.setattr(Session, "count_places_taken", slow_count)
    barrier = threading.Barrier(THREADS)
    outcomes = []

    def worker(i):
        try:
            barrier.wait()
            services.enrol(
                session=session, candidat_data=data(nom=f"Candidat{i}", motivation="A"), epreuves=eps("CE")
            )
            outcomes.append("ok")
        except BusinessError as exc:
            outcomes.append(exc.message)
        except Exception as exc:  # reported by the assertions
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def make_session():
    produit = ProduitFactory(modulaire=True)
    return SessionFactory(centre=CentreFactory(), produit=produit, nb_places=PLACES)


def test_concurrent_enrolments_never_overbook(monkeypatch):
    session = make_session()
    outcomes = run_concurrently(session, monkeypatch)
    assert len(outcomes) == THREADS
    assert outcomes.count("ok") == PLACES
    assert sorted(set(outcomes) - {"ok"}) == ["La session est complète."]
    assert Inscription.objects.filter(session=session).count() == PLACES


def test_without_the_session_lock_the_same_test_overbooks(monkeypatch):
    monkeypatch.setattr(services, "_LOCK_SESSION", False)
    session = make_session()
    outcomes = run_concurrently(session, monkeypatch)
    assert Inscription.objects.filter(session=session).count() > PLACES
    assert outcomes.count("ok") > PLACES
