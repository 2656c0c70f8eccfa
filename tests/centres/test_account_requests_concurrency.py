"""Two FDA agents click "Créer le compte" at the same instant: one account, one membership, one reply;
the other agent is told the request was already processed. Two requests for the same e-mail (two
centres) processed at once give one user with two memberships."""

import os
import threading

import pytest
from django.db import connection

from centres.models import Membership, User
from centres.roles import Role
from core.errors import BusinessError
from messagerie import account_requests as services
from messagerie.models import Message
from tests.factories import CentreFactory, MembershipFactory, StaffFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def needs_postgresql():
    if connection.vendor != "postgresql":
        if os.environ.get("CI", "").lower() in {"1", "true", "yes", "on"}:
            pytest.fail("CI=true : ce test exige PostgreSQL (verrou de ligne SELECT … FOR UPDATE).")
        pytest.skip("PostgreSQL requis (verrou de ligne SELECT … FOR UPDATE)")


@pytest.fixture(autouse=True)
def celery_join_state():
    """Eager tasks in two threads leave Celery's process-global "join will block" flag set: restore it."""
    from celery._state import _set_task_join_will_block, task_join_will_block

    before = task_join_will_block()
    yield
    _set_task_join_will_block(before)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def in_parallel(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def worker(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except BusinessError as exc:
            outcomes.append(exc.message)
        except Exception as exc:  # reported by the assertions
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def ask(centre, email="asmaa@exemple.test"):
    responsable = MembershipFactory(centre=centre, role=Role.RESPONSABLE).user
    return services.request_account(
        centre=centre,
        by=responsable,
        first_name="Asmaa",
        last_name="Bouiri",
        email=email,
        role=Role.ADMINISTRATIF,
    )


def test_two_agents_creating_the_same_account_at_once(db):
    request = ask(CentreFactory())
    agents = [StaffFactory(), StaffFactory()]
    outcomes = in_parallel(*(lambda a=a: services.create_account_from_request(request, by=a) for a in agents))
    assert outcomes.count("ok") == 1, outcomes
    assert "a déjà été traitée : le compte a déjà été créé." in next(o for o in outcomes if o != "ok")
    assert User.objects.filter(email="asmaa@exemple.test").count() == 1
    assert Membership.objects.filter(user__email="asmaa@exemple.test").count() == 1
    assert Message.objects.filter(body=services.ACCOUNT_CREATED_REPLY).count() == 1


def test_two_centres_requests_for_one_email_processed_at_once(db):
    first, second = ask(CentreFactory()), ask(CentreFactory())
    agent = StaffFactory()
    outcomes = in_parallel(
        lambda: services.create_account_from_request(first, by=agent),
        lambda: services.create_account_from_request(second, by=agent),
    )
    assert outcomes == ["ok", "ok"]
    user = User.objects.get(email="asmaa@exemple.test")
    assert user.memberships.count() == 2
