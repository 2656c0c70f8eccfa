import pytest

from centres.roles import Role
from tests.factories import CentreFactory, MembershipFactory, SessionFactory, StaffFactory


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
