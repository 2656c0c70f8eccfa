import pytest
from django.urls import reverse

from centres.roles import Role
from tests.factories import PASSWORD, CentreFactory, MembershipFactory, SessionFactory, StaffFactory


@pytest.fixture(autouse=True, scope="session")
def _no_flushdb_of_the_shared_redis():
    """`cache.clear()` on the Redis cache is a FLUSHDB of the database that the Celery broker and the other
    test process (pytest-xdist) share: it empties the queues and the unacknowledged messages of the real
    workers (tests/workers.py), so that a task held by a killed worker is never given again
    (tests/test_celery_worker_killed.py). A test empties its own keys: tests.cache.clear_own_cache()."""
    from django.core.cache.backends.redis import RedisCache

    def clear(self):
        raise AssertionError(
            "cache.clear() would FLUSHDB the Redis database shared with the Celery broker and the other "
            "test process: use tests.cache.clear_own_cache()"
        )

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RedisCache, "clear", clear)
        yield


@pytest.fixture
def centre_a(db):
    return CentreFactory(nom="Centre A", code="A001")


@pytest.fixture
def centre_b(db):
    return CentreFactory(nom="Centre B", code="B001")


@pytest.fixture
def responsable(centre_a):
    return MembershipFactory(centre=centre_a, role=Role.RESPONSABLE, user__email="resp@a.test").user


@pytest.fixture
def administratif(centre_a):
    return MembershipFactory(centre=centre_a, role=Role.ADMINISTRATIF, user__email="admin@a.test").user


@pytest.fixture
def evaluateur(centre_a):
    return MembershipFactory(centre=centre_a, role=Role.EVALUATEUR, user__email="eval@a.test").user


class Login:
    """`login(user)`: the test client, logged in (Django's `force_login`), for every page test;
    `login.with_password(email, password)`: the login form's answer, for the tests of the form itself.
    The back office's password + TOTP login lives in tests/admin_auth.py."""

    def __init__(self, client):
        self.client = client

    def __call__(self, user):
        self.client.force_login(user)
        return self.client

    def with_password(self, email: str, password: str = PASSWORD):
        return self.client.post(reverse("login"), {"username": email, "password": password})


@pytest.fixture
def login(client) -> Login:
    """THE way a test logs a centre user into the portal (see `Login`)."""
    return Login(client)


@pytest.fixture
def logged(login, responsable):
    """The test client logged in as the responsable of centre A."""
    return login(responsable)


@pytest.fixture
def logged_administratif(login, administratif):
    """The test client logged in as the administratif of centre A."""
    return login(administratif)


@pytest.fixture
def responsable_b(centre_b):
    return MembershipFactory(centre=centre_b, role=Role.RESPONSABLE, user__email="resp@b.test").user


@pytest.fixture
def fda_agent(db):
    return StaffFactory(email="agent@fda.test")


@pytest.fixture
def session_a(centre_a):
    return SessionFactory(centre=centre_a)


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 (tests/smtpserver.py), the portal's e-mail settings pointed at it."""
    from tests.smtpserver import SmtpServer

    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield server
    server.stop()
