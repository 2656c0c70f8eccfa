"""Session creation and the status workflow (one transition table, guards, row locks, history)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from candidats import documents, results
from core.errors import BusinessError
from demandes import correction
from demandes.models import Anomalie
from sessions_app import services
from sessions_app.closure import PARIS
from sessions_app.models import Session, SessionStatus, SessionStatusChange
from tarifs.models import Produit, Tarif, TarifHistorique
from tests.factories import ProduitFactory, SessionFactory, TarifFactory

S = SessionStatus
NOW = dt.datetime(2026, 9, 1, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def modular(db):
    return ProduitFactory(nom="TEF Canada", modulaire=True)


@pytest.fixture
def single(db):
    return ProduitFactory(nom="TEF IRN", modulaire=False)


def prices(produit, amount="45.00"):
    if produit.modulaire:
        return {e.pk: Decimal(amount) for e in produit.epreuves.all()}
    return {None: Decimal(amount)}


def create(centre, produit, **overrides):
    args = dict(
        centre=centre,
        produit=produit,
        date=dt.date(2026, 10, 6),
        heure=dt.time(9, 30),
        lieu="Salle 2",
        nb_places=12,
        afficher_en_ligne=True,
        tarifs=prices(produit),
        by=None,
    )
    args.update(overrides)
    return services.create_session(**args)


def test_it_creates_a_session_open_for_enrolment_with_number_tarifs_and_history(
    centre_a, responsable, modular
):
    session = create(centre_a, modular, by=responsable)
    assert session.numero >= 7000001
    assert session.statut == S.OUVERTE
    assert session.closes_at == dt.datetime(2026, 10, 4, 0, 0, tzinfo=PARIS)
    assert sorted(session.tarifs.values_list("epreuve__code", "montant")) == [
        ("CE", Decimal("45.00")),
        ("CO", Decimal("45.00")),
        ("EE", Decimal("45.00")),
        ("EO", Decimal("45.00")),
    ]
    history = list(session.historique.values_list("from_status", "to_status", "by"))
    assert history == [("", S.PLANIFIEE, responsable.pk), (S.PLANIFIEE, S.OUVERTE, responsable.pk)]


def test_numbers_follow_each_other(centre_a, single):
    first, second = create(centre_a, single), create(centre_a, single)
    assert second.numero == first.numero + 1


def test_a_single_price_product_gets_one_tarif(centre_a, single):
    session = create(centre_a, single)
    assert list(session.tarifs.values_list("epreuve", "montant")) == [(None, Decimal("45.00"))]


def test_it_refuses_an_inactive_product(centre_a, modular):
    modular.statut = Produit.Statut.INACTIF
    modular.save()
    with pytest.raises(BusinessError, match="inactif"):
        create(centre_a, modular)
    assert not Session.objects.exists()


def test_it_refuses_a_date_in_the_past(centre_a, single):
    with pytest.raises(BusinessError, match="date de la session est passée"):
        create(centre_a, single, date=dt.date(2026, 8, 31))


@pytest.mark.parametrize("date", [dt.date(2026, 9, 1), dt.date(2026, 9, 2), dt.date(2026, 9, 3)])
def test_it_refuses_a_session_whose_enrolments_would_already_be_closed(centre_a, single, date):
    # On 01/09/2026 at 10:00, a session on 03/09 closed at 00:00 that very day: the first date is 04/09.
    with pytest.raises(BusinessError, match="Première date possible : 04/09/2026"):
        create(centre_a, single, date=date)


def test_the_first_possible_date_is_accepted(centre_a, single):
    assert create(centre_a, single, date=dt.date(2026, 9, 4)).enrolment_open()


@pytest.mark.parametrize("date", [dt.date(2029, 9, 2), dt.date(9999, 12, 31)])
def test_it_refuses_a_date_beyond_the_horizon_in_french(centre_a, single, date):
    with pytest.raises(
        BusinessError, match=r"trop lointaine : .* au plus 3 ans à l'avance \(jusqu'au 01/09/2029\)"
    ):
        create(centre_a, single, date=date)
    assert not Session.objects.exists()


def test_the_last_date_of_the_horizon_is_accepted(centre_a, single):
    assert create(centre_a, single, date=dt.date(2029, 9, 1)).date == dt.date(2029, 9, 1)


def test_it_refuses_no_places(centre_a, single):
    with pytest.raises(BusinessError, match="au moins 1"):
        create(centre_a, single, nb_places=0)


@pytest.mark.parametrize(
    ("tarifs", "message"),
    [
        ({}, "manquant pour le tarif unique"),
        ({None: Decimal("0")}, "supérieur à zéro"),
        ({None: Decimal("10.555")}, "deux décimales"),
    ],
)
def test_it_refuses_a_missing_or_wrong_price(centre_a, single, tarifs, message):
    with pytest.raises(BusinessError, match=message):
        create(centre_a, single, tarifs=tarifs)


def test_a_modular_product_needs_a_price_for_every_epreuve(centre_a, modular):
    tarifs = prices(modular)
    tarifs.pop(modular.epreuves.get(code="EO").pk)
    with pytest.raises(BusinessError, match="manquant pour l'épreuve EO"):
        create(centre_a, modular, tarifs=tarifs)


def test_it_can_save_the_prices_as_the_centres_tarif(centre_a, responsable, single):
    create(centre_a, single, enregistrer_tarif=True, by=responsable)
    tarif = Tarif.objects.get(centre=centre_a, produit=single)
    assert tarif.montant == Decimal("45.00")
    assert TarifHistorique.objects.filter(tarif=tarif, par=responsable).count() == 1


def test_a_session_price_differing_from_the_centre_tarif_leaves_the_tarif_alone(centre_a, single):
    TarifFactory(centre=centre_a, produit=single, montant=Decimal("90.00"))
    session = create(centre_a, single, tarifs={None: Decimal("70.00")})
    assert session.tarifs.get().montant == Decimal("70.00")
    assert Tarif.objects.get(centre=centre_a, produit=single).montant == Decimal("90.00")


# --- Transitions ------------------------------------------------------------------------------------


def test_the_table_allows_the_product_workflow_and_nothing_else():
    allowed = {(f, t) for f, tos in services.TRANSITIONS.items() for t in tos}
    assert allowed == {
        (S.PLANIFIEE, S.OUVERTE),
        (S.PLANIFIEE, S.CLOSE),
        (S.OUVERTE, S.CLOSE),
        (S.PLANIFIEE, S.ANNULEE),
        (S.OUVERTE, S.ANNULEE),
        (S.CLOSE, S.ANOMALIES),
        (S.CLOSE, S.CORRECTION),
        (S.ANOMALIES, S.CORRECTION),
        (S.CORRECTION, S.RESULTATS),
        (S.RESULTATS, S.CLOTUREE),
    }
    assert set(services.TRANSITIONS) == set(S.values)


def test_a_forbidden_transition_is_refused_and_not_recorded(centre_a):
    session = SessionFactory(centre=centre_a, statut=S.OUVERTE, date=dt.date(2026, 10, 6))
    with pytest.raises(BusinessError, match="ne peut pas passer au statut « Résultats disponibles »"):
        services.SESSIONS.transition(session, S.RESULTATS)
    session.refresh_from_db()
    assert session.statut == S.OUVERTE
    assert not SessionStatusChange.objects.filter(session=session).exists()


def test_each_transition_is_recorded_with_who_when_from_to(centre_a, responsable):
    session = SessionFactory(centre=centre_a, statut=S.PLANIFIEE, date=dt.date(2026, 10, 6))
    services.open_enrolment(session, by=responsable)
    change = session.historique.get()
    assert (change.from_status, change.to_status, change.by, change.at) == (
        S.PLANIFIEE,
        S.OUVERTE,
        responsable,
        NOW,
    )


def test_cancellation_while_enrolments_are_open(centre_a, responsable):
    session = SessionFactory(centre=centre_a, statut=S.OUVERTE, date=dt.date(2026, 10, 6))
    assert services.can_cancel(session) and not services.can_open_enrolment(session)
    services.cancel_session(session, by=responsable, comment="Salle indisponible")
    session.refresh_from_db()
    assert session.statut == S.ANNULEE
    assert session.historique.get().comment == "Salle indisponible"
    assert not session.enrolment_open()


def test_no_cancellation_once_the_closure_instant_has_passed(centre_a):
    session = SessionFactory(centre=centre_a, statut=S.OUVERTE, date=dt.date(2026, 10, 6))
    with time_machine.travel(dt.datetime(2026, 10, 4, 0, 0, tzinfo=PARIS), tick=False):
        assert services.cannot_cancel(session) == (
            f"La session {session.numero} ne peut plus être annulée : ses inscriptions sont closes."
        )
        with pytest.raises(BusinessError, match="ne peut plus être annulée"):
            services.cancel_session(session)
    session.refresh_from_db()
    assert session.statut == S.OUVERTE


def test_close_enrolment_is_idempotent(centre_a, django_capture_on_commit_callbacks):
    session = SessionFactory(centre=centre_a, statut=S.OUVERTE, date=dt.date(2026, 10, 6))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert documents.close_enrolment(session) is True
        assert documents.close_enrolment(session) is False
    assert len(callbacks) == 1  # one rendering queued
    assert session.historique.filter(to_status=S.CLOSE).count() == 1


def test_the_real_actions_walk_a_session_from_closure_to_results(centre_a, responsable, fda_agent):
    session = SessionFactory(centre=centre_a, statut=S.CLOSE, date=dt.date(2026, 10, 6))
    assert not correction.can_put_in_correction(session)
    with pytest.raises(BusinessError, match="une fois la date de la session passée"):
        correction.put_in_correction(session, reason="Test", by=responsable)
    assert not session.historique.exists()
    with time_machine.travel(dt.datetime(2026, 10, 7, 9, 0, tzinfo=PARIS), tick=False):
        assert correction.can_put_in_correction(session)
        line = correction.AnomalyLine(kind=Anomalie.Kind.TECHNIQUE, description="Coupure du réseau")
        correction.put_in_correction(
            session, lines=[line], reason="Bon de commande signé par courrier", by=responsable
        )
        correction.process_anomalie(session.anomalies.get(), by=fda_agent, comment="Temps rendu")
        results.publish(session, by=fda_agent)
        assert not results.can_publish(session)
        with pytest.raises(BusinessError, match="seuls les résultats d'une session En correction"):
            results.publish(session, by=fda_agent)
    assert list(session.historique.values_list("to_status", "by")) == [
        (S.ANOMALIES, responsable.pk),
        (S.CORRECTION, fda_agent.pk),
        (S.RESULTATS, fda_agent.pk),
    ]
