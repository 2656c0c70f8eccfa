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
