"""Registration rules as data (issue 17), on the catalogue's products shipped by the migrations: TEF
Canada = the four épreuves or CO + EO; TEFAQ 1 to 4 independent épreuves; the waiting period's boundary
day and its scope; enforced through candidats.services.clean_epreuves at every entry point."""

import datetime as dt
from decimal import Decimal

import pytest

from candidats import services
from candidats.models import Candidat, Inscription, PreInscription
from candidats.services import EnrolRow, RowsInvalid, enrol, enrol_many
from core.errors import BusinessError
from sessions_app.models import SessionTarif
from tarifs.models import Produit
from tests.candidats.conftest import data, eps
from tests.factories import CandidatFactory, InscriptionFactory, SessionFactory, future_date

pytestmark = pytest.mark.django_db

TWO_CHOICES = (
    "Pour le TEF Canada, les épreuves possibles sont : Les quatre épreuves CE, CO, EE et EO (immigration "
    "fédérale) ou CO et EO (citoyenneté canadienne). Aucune autre combinaison n'est acceptée"
)


def open_session(centre, code, days=30):
    produit = Produit.objects.get(code=code)
    session = SessionFactory(centre=centre, produit=produit, nb_places=10, date=future_date(days))
    for e in produit.epreuves.all():
        SessionTarif.objects.create(session=session, epreuve=e, montant=Decimal("40.00"))
    return session


@pytest.fixture
def tefcan(centre_a):
    return open_session(centre_a, "TEFCAN")


@pytest.mark.parametrize("motivation", ["I", "C", "A"])
@pytest.mark.parametrize("codes", [("CE", "CO", "EE", "EO"), ("CO", "EO")])
def test_tef_canada_accepts_the_four_epreuves_or_co_eo(tefcan, motivation, codes):
    inscription = enrol(
        session=tefcan, candidat_data=data(motivation=motivation), epreuves=eps(*codes)
    ).inscription
    assert sorted(ie.epreuve.code for ie in inscription.epreuves.all()) == sorted(codes)


@pytest.mark.parametrize("codes", [("CE",), ("CO",), ("CE", "CO"), ("CO", "EE", "EO"), ("CE", "CO", "EO")])
def test_tef_canada_refuses_any_other_combination_naming_the_two_choices(tefcan, codes):
    with pytest.raises(BusinessError) as exc:
        enrol(session=tefcan, candidat_data=data(motivation="I"), epreuves=eps(*codes))
    assert exc.value.message.startswith(TWO_CHOICES)
    assert not Inscription.objects.exists() and not Candidat.objects.exists()


@pytest.mark.parametrize(
    "codes", [("CE",), ("EO",), ("CO", "EE"), ("CE", "CO", "EE"), ("CE", "CO", "EE", "EO")]
)
def test_tefaq_epreuves_are_independent(centre_a, codes):
    session = open_session(centre_a, "TEFAQ")
    inscription = enrol(session=session, candidat_data=data(motivation="Q"), epreuves=eps(*codes)).inscription
    assert inscription.epreuves.count() == len(codes)


def test_tef_irn_takes_the_four_epreuves(centre_a):
    session = open_session(centre_a, "TEFIRN")
    inscription = enrol(session=session, candidat_data=data(motivation="N"), epreuves=eps("CE")).inscription
    assert sorted(ie.epreuve.code for ie in inscription.epreuves.all()) == ["CE", "CO", "EE", "EO"]


def test_the_import_refuses_the_row_with_the_same_message(tefcan, responsable):
    rows = [
        EnrolRow(ligne=2, data=data(nom="Un"), epreuves=eps("CE", "CO", "EE", "EO")),
        EnrolRow(ligne=3, data=data(nom="Deux"), epreuves=eps("CE")),
    ]
    with pytest.raises(RowsInvalid) as exc:
        enrol_many(session=tefcan, rows=rows, by=responsable)
    assert [(e.ligne, e.message[: len(TWO_CHOICES)]) for e in exc.value.errors] == [(3, TWO_CHOICES)]
    assert not Inscription.objects.exists()


def test_the_public_site_refuses_a_wrong_combination(centre_a, tefcan):
    with pytest.raises(BusinessError, match="les épreuves possibles sont"):
        services.create_pre_inscription(centre=centre_a, session=tefcan, data=data(), epreuves=eps("CE"))
    assert not PreInscription.objects.exists()
    pre = services.create_pre_inscription(
        centre=centre_a, session=tefcan, data=data(), epreuves=eps("CO", "EO")
    )
    assert sorted(e.code for e in pre.epreuves.all()) == ["CO", "EO"]


def test_the_transfer_and_the_edit_apply_the_rule(centre_a, tefcan, responsable):
    pre = services.create_pre_inscription(centre=centre_a, session=None, data=data())
    with pytest.raises(BusinessError, match="les épreuves possibles sont"):
        services.transfer_pre_inscription(pre, session=tefcan, epreuves=eps("CE", "EO"), by=responsable)
    inscription = services.transfer_pre_inscription(
        pre, session=tefcan, epreuves=eps("CO", "EO"), by=responsable
    ).inscription
    with pytest.raises(BusinessError, match="les épreuves possibles sont"):
        services.update_inscription(inscription, data=data(), epreuves=eps("CO", "EO", "EE"))


# --- The waiting period ---------------------------------------------------------------------------


@pytest.fixture
def refusing():
    for produit in Produit.objects.filter(gamme="TEF"):
        produit.regle_delai = Produit.RegleDelai.REFUSER
        produit.save()


@pytest.mark.parametrize("gap, refused", [(29, True), (30, False), (-29, True), (-30, False)])
def test_the_boundary_day_of_the_waiting_period(centre_a, tefcan, refusing, gap, refused):
    """30 days: after a session on day D the candidate may sit again from D + 30 (and before, up to D − 30)."""
    other = SessionFactory(centre=centre_a, produit=tefcan.produit, date=tefcan.date + dt.timedelta(days=gap))
    InscriptionFactory(
        session=other,
        candidat=CandidatFactory(
            centre=centre_a, nom="Dupont", prenom="Marcel", date_naissance=dt.date(1965, 1, 1)
        ),
    )
    if refused:
        with pytest.raises(
            BusinessError, match="le délai de 30 jours entre deux passages n'est pas respecté"
        ):
            enrol(session=tefcan, candidat_data=data(), epreuves=eps("CO", "EO"))
    else:
        assert enrol(session=tefcan, candidat_data=data(), epreuves=eps("CO", "EO")).warnings == []


@pytest.mark.parametrize("portee, refused", [("produit", False), ("tef", True)])
def test_the_scope_of_the_waiting_period_is_a_product_setting(centre_a, tefcan, refusing, portee, refused):
    Produit.objects.filter(pk=tefcan.produit_id).update(portee_delai=portee)
    tefcan.produit.refresh_from_db()
    tefaq = open_session(centre_a, "TEFAQ", days=40)
    enrol(session=tefaq, candidat_data=data(motivation="Q"), epreuves=eps("CO"))
    if refused:
        with pytest.raises(BusinessError) as exc:
            enrol(session=tefcan, candidat_data=data(), epreuves=eps("CO", "EO"))
        assert "déjà inscrit(e) au TEF Québec" in exc.value.message
    else:
        assert enrol(session=tefcan, candidat_data=data(), epreuves=eps("CO", "EO")).inscription.pk


def test_the_motivation_migration_moves_tef_irn_citizenship_to_naturalisation(centre_a, tefcan):
    import importlib

    from django.apps import apps

    irn = open_session(centre_a, "TEFIRN")
    naturalisation = InscriptionFactory(
        session=irn, candidat=CandidatFactory(centre=centre_a, motivation="C")
    ).candidat
    canadian = InscriptionFactory(
        session=tefcan, candidat=CandidatFactory(centre=centre_a, motivation="C")
    ).candidat
    both = InscriptionFactory(session=irn, candidat=CandidatFactory(centre=centre_a, motivation="C")).candidat
    InscriptionFactory(session=tefcan, candidat=both)
    migration = importlib.import_module("candidats.migrations.0007_motivations_citoyennete_naturalisation")
    migration.forwards(apps, None)
    motivations = dict(Candidat.objects.values_list("pk", "motivation"))
    assert (motivations[naturalisation.pk], motivations[canadian.pk], motivations[both.pk]) == ("N", "C", "C")
