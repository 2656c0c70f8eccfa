"""schemathesis against the served OpenAPI schema: generated requests on every operation, authenticated with
a real token; no server error, every response (status, body) matching the schema.

The examples are derandomized (the same ones on every run) and the shapes that once failed by chance are kept
as explicit cases, so the suite never passes or fails by luck."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from api.models import ApiToken
from tests.factories import InscriptionFactory, MembershipFactory, SessionFactory


@pytest.fixture
def api_schema(db, settings):
    settings.ALLOWED_HOSTS = ["localhost"]  # the host schemathesis' in-process WSGI client sends
    # In-process requests share the test's database connection: like Django's test client, do not let
    # the end of each request close it.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db, centre_a):
    from centres.roles import Role

    InscriptionFactory(session=SessionFactory(centre=centre_a))
    user = MembershipFactory(centre=centre_a, role=Role.EVALUATEUR).user
    return {"Authorization": f"Bearer {ApiToken.issue(user)[1]}"}


def test_every_operation_conforms_to_the_schema(api_schema, bearer):
    # Driven through hypothesis directly: schemathesis' pytest plugin does not run under pytest 9 yet.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 6  # token, tokens, revoke, sessions, enrolments, upload
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=15,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=True,
        )
        def check(case):
            case.call_and_validate(headers=bearer)

        check()


# A negative number matches no route (`<int:…>` takes digits only): once drawn by chance, it got Django's HTML
# 404 instead of the API's JSON error. Zero and numbers past any column's range are kept beside it.
ODD_NUMBERS = [-960042366, -1, 0, 2**31, 2**63, 10**30]


@pytest.mark.parametrize("numero", ODD_NUMBERS)
def test_odd_session_numbers_conform_to_the_schema(api_schema, bearer, numero):
    operation = api_schema["/api/v1/sessions/{numero}/inscriptions/"]["GET"]
    response = operation.Case(path_parameters={"numero": numero}).call_and_validate(headers=bearer)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Introuvable."}
