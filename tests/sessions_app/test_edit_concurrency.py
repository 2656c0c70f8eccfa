"""Lowering a session's places while a candidate is being enrolled: update_session() counts the places
taken under the session row lock that enrolment takes too, so the session never ends up overbooked.
Reading the row without `select_for_update()` in update_session() makes this test fail (4 enrolled for
3 places): it was checked by hand."""

import os
import threading
import time

import pytest
from django.db import connection

from candidats import services as enrolment
from candidats.models import Inscription
from core.errors import BusinessError
from sessions_app import services
from sessions_app.models import Session
from tests.candidats.conftest import data, eps
from tests.factories import CentreFactory, InscriptionFactory, ProduitFactory, SessionFactory, StaffFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def needs_postgresql():
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() in {"1", "true", "yes", "on"}:
            pytest.fail("CI=true : ce test exige PostgreSQL (verrou de ligne SELECT … FOR UPDATE).")
        pytest.skip("PostgreSQL requis (verrou de ligne SELECT … FOR UPDATE)")


def test_an_enrolment_during_a_places_cut_waits_and_finds_the_session_full(monkeypatch):
    session = SessionFactory(centre=CentreFactory(), produit=ProduitFactory(modulaire=True), nb_places=5)
    for _ in range(3):
        InscriptionFactory(session=session)
    by = StaffFactory()
    original = services._places_taken

    def slow_count(s):
        value = original(s)
        time.sleep(0.4)  # the window in which an unserialised enrolment would slip in
        return value

    monkeypatch.setattr(services, "_places_taken", slow_count)
    outcomes = {}

    def cut():
        try:
            outcomes["cut"] = services.update_session(session, by=by, nb_places=3)
        except BusinessError as exc:
            outcomes["cut"] = exc.message
        finally:
            connection.close()

    def enrol():
        time.sleep(0.1)  # the cut holds the lock by now
        try:
            enrolment.enrol(
                session=session, candidat_data=data(nom="Tardif", motivation="A"), epreuves=eps("CE")
            )
            outcomes["enrol"] = "ok"
        except BusinessError as exc:
            outcomes["enrol"] = exc.message
        finally:
            connection.close()

    threads = [threading.Thread(target=cut), threading.Thread(target=enrol)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert outcomes == {"cut": ["Places : 5 → 3"], "enrol": "La session est complète."}
    assert Session.objects.get(pk=session.pk).nb_places == 3
    assert Inscription.objects.filter(session=session).count() == 3
