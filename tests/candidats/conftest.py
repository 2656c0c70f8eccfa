import datetime as dt
from decimal import Decimal

import pytest

from candidats.services import CandidatData
from sessions_app.models import SessionTarif
from tarifs.models import RegleEpreuves
from tests.factories import ProduitFactory, SessionFactory, epreuve


def data(nom="Dupont", prenom="Marcel", naissance=dt.date(1965, 1, 1), **extra) -> CandidatData:
    values = dict(
        nom=nom,
        prenom=prenom,
        date_naissance=naissance,
        genre="H",
        langue_maternelle="ara",
        email="m@d.fr",
        nationalite="DZ",
        motivation="I",
        numero_piece_identite="123456",
    )
    values.update(extra)
    return CandidatData(**values)


def eps(*codes):
    return [epreuve(c) for c in codes]


@pytest.fixture
def tef_canada(db):
    """A modular product with per-motivation required épreuves (rules as data). Not the catalogue's TEF
    Canada, whose only combinations are the four épreuves or CO + EO (test_registration_rules.py): the
    tests of duplicates and waiting periods enrol a single épreuve."""
    produit = ProduitFactory(nom="TEF Canada", code="TEFCAN-ESSAI", modulaire=True)
    regle = RegleEpreuves.objects.create(produit=produit, motivation="I")
    regle.epreuves.set(eps("CE", "CO", "EE", "EO"))
    regle = RegleEpreuves.objects.create(produit=produit, motivation="C")
    regle.epreuves.set(eps("CO", "EO"))
    return produit


@pytest.fixture
def irn(db):
    return ProduitFactory(nom="TEF IRN", code="TEFIRN", modulaire=False)


@pytest.fixture
def session_canada(centre_a, tef_canada):
    session = SessionFactory(centre=centre_a, produit=tef_canada, nb_places=10)
    for code, amount in (("CE", "40.00"), ("CO", "45.00"), ("EE", "50.00"), ("EO", "55.00")):
        SessionTarif.objects.create(session=session, epreuve=epreuve(code), montant=Decimal(amount))
    return session


@pytest.fixture
def session_irn(centre_a, irn):
    session = SessionFactory(centre=centre_a, produit=irn, nb_places=10)
    SessionTarif.objects.create(session=session, montant=Decimal("150.00"))
    return session
