"""« Modifier la session »: update_session() (each field, each refusal, the history) and its page
(right centre, other centre → 404, each role)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from candidats.models import Inscription, InscriptionStatus
from core.errors import BusinessError
from sessions_app import services
from sessions_app.closure import PARIS
from sessions_app.models import Session, SessionStatus, SessionStatusChange, SessionTarif
from tests.factories import InscriptionFactory, ProduitFactory, SessionFactory, add_session_tarifs

S = SessionStatus
NOW = dt.datetime(2026, 9, 1, 10, 0, tzinfo=PARIS)
SESSION_DATE = dt.date(2026, 10, 6)  # a Tuesday: closes on Sunday 04/10/2026 at 00:00 Paris


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def session(centre_a):
    session = SessionFactory(
        centre=centre_a, date=SESSION_DATE, heure=dt.time(9, 0), lieu="Salle 1", nb_places=20
    )
    add_session_tarifs(session, Decimal("45.00"))
    return session


def edits(session):
    """The history rows update_session() wrote (status unchanged), oldest first."""
    return list(
        SessionStatusChange.objects.filter(
            session=session, from_status=session.statut, to_status=session.statut
        )
        .order_by("at", "pk")
        .values_list("comment", flat=True)
    )


def fresh(session) -> Session:
    return Session.objects.get(pk=session.pk)


# --- Each field -------------------------------------------------------------------------------------


def test_it_changes_the_places_and_records_it(session, responsable):
    assert services.update_session(session, by=responsable, nb_places=25) == ["Places : 20 → 25"]
    assert fresh(session).nb_places == 25
    row = SessionStatusChange.objects.get(session=session, comment="Places : 20 → 25")
    assert (row.from_status, row.to_status, row.by) == (S.OUVERTE, S.OUVERTE, responsable)


def test_it_changes_time_place_and_online_display_one_history_row_each(session, responsable):
    services.update_session(
        session, by=responsable, heure=dt.time(14, 30), lieu="  Salle   4 ", afficher_en_ligne=True
    )
    session = fresh(session)
    assert (session.heure, session.lieu, session.afficher_en_ligne) == (dt.time(14, 30), "Salle 4", True)
    assert edits(session) == [
        "Heure : 09h00 → 14h30",
        "Lieu de passation : Salle 1 → Salle 4",
        "Afficher en ligne : non → oui",
    ]


def test_values_left_as_they_are_write_nothing(session, responsable):
    changes = services.update_session(
        session, by=responsable, nb_places=20, heure=dt.time(9, 0), lieu="Salle 1", date=SESSION_DATE
    )
    assert changes == [] and edits(session) == []


def test_moving_the_date_moves_the_closure_and_keeps_the_candidates(session, responsable):
    inscription = InscriptionFactory(session=session)
    new_date = dt.date(2026, 10, 20)
    [comment] = services.update_session(session, by=responsable, date=new_date)
    session = fresh(session)
    assert session.date == new_date
    assert session.closes_at == dt.datetime(2026, 10, 18, 0, 0, tzinfo=PARIS)
    assert (
        comment
        == "Date : 06/10/2026 → 20/10/2026 (clôture des inscriptions : 04/10/2026 → 18/10/2026 à 00h00)"
    )
    kept = Inscription.objects.get(pk=inscription.pk)
    assert (kept.session_id, kept.statut, kept.code_acces, kept.candidat_id) == (
        session.pk,
        InscriptionStatus.INSCRIT,
        inscription.code_acces,
        inscription.candidat_id,
    )
    assert kept.epreuves.count() == 4


def test_the_new_closure_is_the_d2_rule_across_the_winter_time_change(session, responsable):
    # 27/10/2026 (Tuesday) closes at 00:00 Paris on Sunday 25/10, the night France goes back to winter time.
    services.update_session(session, by=responsable, date=dt.date(2026, 10, 27))
    assert fresh(session).closes_at == dt.datetime(2026, 10, 25, 0, 0, tzinfo=PARIS)
    assert fresh(session).closes_at.astimezone(dt.UTC) == dt.datetime(2026, 10, 24, 22, 0, tzinfo=dt.UTC)


def test_it_changes_the_tarifs_while_nobody_is_enrolled(session, responsable):
    prices = {t.epreuve_id: t.montant for t in session.tarifs.all()}
    ce = session.produit.epreuves.get(code="CE")
    prices[ce.pk] = Decimal("50")
    [comment] = services.update_session(session, by=responsable, tarifs=prices)
    assert comment == "Tarifs : CE 45,00 € → 50,00 €"
    assert SessionTarif.objects.get(session=session, epreuve=ce).montant == Decimal("50.00")
    assert SessionTarif.objects.filter(session=session).count() == 4


def test_a_single_price_product_keeps_one_tarif(centre_a, responsable):
    session = SessionFactory(centre=centre_a, produit=ProduitFactory(modulaire=False), date=SESSION_DATE)
    add_session_tarifs(session, Decimal("95.00"))
    services.update_session(session, by=responsable, tarifs={None: Decimal("99.50")})
    assert list(SessionTarif.objects.filter(session=session).values_list("epreuve", "montant")) == [
        (None, Decimal("99.50"))
    ]


def test_places_and_time_stay_editable_once_enrolments_are_closed(session, responsable):
    session.statut = S.CLOSE
    session.save(update_fields=["statut"])
    services.update_session(session, by=responsable, nb_places=22, lieu="Amphithéâtre")
    assert (fresh(session).nb_places, fresh(session).lieu) == (22, "Amphithéâtre")


# --- Each refusal (nothing is written) --------------------------------------------------------------


def assert_unchanged(session):
    now = fresh(session)
    assert (now.nb_places, now.date, now.heure, now.lieu, now.afficher_en_ligne) == (
        20,
        SESSION_DATE,
        dt.time(9, 0),
        "Salle 1",
        False,
    )
    assert edits(session) == []


def test_it_refuses_fewer_places_than_the_candidates_enrolled(session, responsable):
    session.nb_places = 3
    session.save(update_fields=["nb_places"])
    for _ in range(3):
        InscriptionFactory(session=session)
    InscriptionFactory(session=session, virtuel=True)  # takes no place
    InscriptionFactory(session=session, statut=InscriptionStatus.ANNULE)  # frees its place
    with pytest.raises(BusinessError, match="ne peut pas descendre à 2 : 3 places sont déjà prises") as exc:
        services.update_session(session, by=responsable, nb_places=2, lieu="Salle 9")
    assert exc.value.code == "places"
    assert fresh(session).nb_places == 3 and fresh(session).lieu == "Salle 1"
    # Down to the places taken is fine.
    services.update_session(session, by=responsable, nb_places=3, heure=dt.time(10, 0))
    assert fresh(session).heure == dt.time(10, 0)


@pytest.mark.parametrize("places", [0, 10001])
def test_it_refuses_places_out_of_bounds(session, responsable, places):
    with pytest.raises(BusinessError) as exc:
        services.update_session(session, by=responsable, nb_places=places)
    assert exc.value.code == "places"
    assert_unchanged(session)


def test_it_refuses_an_empty_place(session, responsable):
    with pytest.raises(BusinessError, match="lieu de passation est obligatoire"):
        services.update_session(session, by=responsable, lieu=" \u200b ", nb_places=30)
    assert_unchanged(session)


def test_it_refuses_a_date_change_once_enrolments_are_closed(session, responsable):
    with time_machine.travel(dt.datetime(2026, 10, 4, 0, 0, tzinfo=PARIS), tick=False):
        with pytest.raises(
            BusinessError, match="La date ne peut plus être modifiée : les inscriptions de la session"
        ) as exc:
            services.update_session(session, by=responsable, date=dt.date(2026, 10, 20), nb_places=30)
        assert exc.value.code == "date_locked"
        assert "closes depuis le 04/10/2026 à 00h00" in exc.value.message
        # The other fields still change after the closure instant.
        services.update_session(session, by=responsable, nb_places=30)
    assert fresh(session).date == SESSION_DATE and fresh(session).nb_places == 30


def test_it_refuses_a_date_change_of_a_closed_status_session(session, responsable):
    session.statut = S.CLOSE
    session.save(update_fields=["statut"])
    with pytest.raises(BusinessError, match="« Inscriptions closes » : elle n'accepte plus d'inscription"):
        services.update_session(session, by=responsable, date=dt.date(2026, 10, 20))
    assert fresh(session).date == SESSION_DATE


@pytest.mark.parametrize(
    "new_date, message",
    [
        (dt.date(2026, 8, 31), "La date de la session est passée"),
        # Today + 2: its D-2 instant (today 00:00) is already past, as at creation.
        (dt.date(2026, 9, 3), "Première date possible : 04/09/2026"),
    ],
)
def test_it_refuses_a_date_the_creation_would_refuse(session, responsable, new_date, message):
    with pytest.raises(BusinessError, match=message):
        services.update_session(session, by=responsable, date=new_date)
    assert_unchanged(session)


def test_it_refuses_a_date_outside_the_products_period(session, responsable):
    produit = session.produit
    produit.date_fin = dt.date(2026, 10, 31)
    produit.save()
    with pytest.raises(BusinessError, match="n'est plus proposé après le 31/10/2026"):
        services.update_session(session, by=responsable, date=dt.date(2026, 11, 10))
    assert_unchanged(session)


def test_it_refuses_new_tarifs_once_someone_is_enrolled(session, responsable):
    InscriptionFactory(session=session)
    prices = {t.epreuve_id: Decimal("60.00") for t in session.tarifs.all()}
    with pytest.raises(BusinessError, match="1 candidat est déjà inscrit") as exc:
        services.update_session(session, by=responsable, tarifs=prices, nb_places=30)
    assert exc.value.code == "tarifs_locked"
    assert set(session.tarifs.values_list("montant", flat=True)) == {Decimal("45.00")}
    assert fresh(session).nb_places == 20
    # The same prices sent back are no change, and no refusal.
    same = {t.epreuve_id: t.montant for t in session.tarifs.all()}
    assert services.update_session(session, by=responsable, tarifs=same) == []


def test_it_refuses_an_incomplete_price_list(session, responsable):
    with pytest.raises(BusinessError, match="Le prix est manquant"):
        services.update_session(session, by=responsable, tarifs={None: Decimal("10")})
    assert set(session.tarifs.values_list("montant", flat=True)) == {Decimal("45.00")}


@pytest.mark.parametrize("statut", [S.ANOMALIES, S.CORRECTION, S.RESULTATS, S.CLOTUREE, S.ANNULEE])
def test_it_refuses_any_change_after_the_test_or_a_cancellation(session, responsable, statut):
    session.statut = statut
    session.save(update_fields=["statut"])
    with pytest.raises(BusinessError, match="elle ne peut plus être modifiée"):
        services.update_session(session, by=responsable, lieu="Salle 9")
    assert fresh(session).lieu == "Salle 1"


def test_it_refuses_any_change_once_the_session_day_has_passed(session, responsable):
    session.statut = S.CLOSE
    session.save(update_fields=["statut"])
    with time_machine.travel(dt.datetime(2026, 10, 7, 9, 0, tzinfo=PARIS), tick=False):
        with pytest.raises(BusinessError, match="a eu lieu"):
            services.update_session(session, by=responsable, lieu="Salle 9")


# --- The page ---------------------------------------------------------------------------------------


def url(session, name="sessions:edit"):
    return reverse(name, kwargs={"numero": session.numero})


def post_data(session, **overrides):
    data = {
        "date": session.date.isoformat(),
        "heure": session.heure.strftime("%H:%M"),
        "lieu": session.lieu,
        "nb_places": session.nb_places,
        **{
            f"montant_{t.epreuve.code}": str(t.montant).replace(".", ",")
            for t in session.tarifs.select_related("epreuve")
        },
    }
    if session.afficher_en_ligne:
        data["afficher_en_ligne"] = "on"
    data.update(overrides)
    return data


@pytest.mark.parametrize("user", ["responsable", "administratif"])
def test_staff_of_the_centre_edit_the_session(client, request, session, user):
    client.force_login(request.getfixturevalue(user))
    page = client.get(url(session))
    assert page.status_code == 200
    assert "Modifier la session" in client.get(url(session, "sessions:detail")).content.decode()
    response = client.post(
        url(session), post_data(session, nb_places=25, lieu="Salle 7", afficher_en_ligne="on")
    )
    assert response.status_code == 302 and response.url == url(session, "sessions:detail")
    session = fresh(session)
    assert (session.nb_places, session.lieu, session.afficher_en_ligne) == (25, "Salle 7", True)
    detail = client.get(url(session, "sessions:detail")).content.decode()
    assert "Places : 20 → 25" in detail and "Lieu de passation : Salle 1 → Salle 7" in detail


def test_an_evaluateur_is_refused(client, evaluateur, session):
    client.force_login(evaluateur)
    assert client.get(url(session)).status_code == 403
    assert client.post(url(session), post_data(session, nb_places=25)).status_code == 403
    assert fresh(session).nb_places == 20


def test_another_centres_session_answers_404(client, responsable_b, session):
    client.force_login(responsable_b)
    assert client.get(url(session)).status_code == 404
    assert client.post(url(session), post_data(session, nb_places=25)).status_code == 404
    assert fresh(session).nb_places == 20


def test_anonymous_goes_to_the_login_page(client, session):
    response = client.get(url(session))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_refusal_is_shown_on_the_field_and_nothing_changes(client, responsable, session):
    session.nb_places = 2
    session.save(update_fields=["nb_places"])
    InscriptionFactory(session=session)
    InscriptionFactory(session=session)
    client.force_login(responsable)
    response = client.post(url(session), post_data(session, nb_places=1, lieu="Salle 9"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["nb_places"] == [
        "Le nombre de places ne peut pas descendre à 1 : 2 places sont déjà prises par des candidats inscrits."
    ]
    assert fresh(session).lieu == "Salle 1"


def test_the_date_field_is_locked_once_enrolments_are_closed(client, responsable, session):
    with time_machine.travel(dt.datetime(2026, 10, 5, 8, 0, tzinfo=PARIS), tick=False):
        client.force_login(responsable)
        page = client.get(url(session))
        assert page.context["form"].fields["date"].disabled
        assert "La date ne peut plus être modifiée" in page.content.decode()
        # A date posted anyway is ignored; the rest is saved.
        response = client.post(url(session), post_data(session, date="2026-10-20", heure="10:00"))
        assert response.status_code == 302
    assert (fresh(session).date, fresh(session).heure) == (SESSION_DATE, dt.time(10, 0))


def test_the_tarifs_are_shown_fixed_once_someone_is_enrolled(client, responsable, session):
    InscriptionFactory(session=session)
    client.force_login(responsable)
    page = client.get(url(session))
    assert "montant_CE" not in page.context["form"].fields
    assert "1 candidat est déjà inscrit" in page.content.decode()
    client.post(url(session), post_data(session, montant_CE="99,00", nb_places=21))
    assert fresh(session).nb_places == 21
    assert set(session.tarifs.values_list("montant", flat=True)) == {Decimal("45.00")}


def test_the_tarifs_change_from_the_page(client, responsable, session):
    client.force_login(responsable)
    response = client.post(url(session), post_data(session, montant_EO="47,50"))
    assert response.status_code == 302
    assert session.tarifs.get(epreuve__code="EO").montant == Decimal("47.50")


def test_a_finished_session_has_no_edit_button_and_the_page_sends_back(client, responsable, session):
    session.statut = S.CORRECTION
    session.save(update_fields=["statut"])
    client.force_login(responsable)
    assert "Modifier la session" not in client.get(url(session, "sessions:detail")).content.decode()
    response = client.get(url(session), follow=True)
    assert response.redirect_chain[-1][0] == url(session, "sessions:detail")
    assert "elle ne peut plus être modifiée" in response.content.decode()


def test_the_page_runs_a_bounded_number_of_queries(
    client, responsable, session, django_assert_max_num_queries
):
    for _ in range(5):
        InscriptionFactory(session=session)
    client.force_login(responsable)
    with django_assert_max_num_queries(15):
        assert client.get(url(session)).status_code == 200
