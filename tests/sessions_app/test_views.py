"""Session pages as a centre user sees them: list, wizard, session page, cancellation, documents."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from candidats import documents
from centres.roles import Role
from sessions_app import services
from sessions_app.closure import PARIS
from sessions_app.models import BonDeCommande, Session, SessionStatus
from sessions_app.views import WIZARD_KEY
from tarifs.models import Produit, Tarif
from tests.factories import (
    InscriptionFactory,
    MembershipFactory,
    ProduitFactory,
    SessionFactory,
    TarifFactory,
    add_session_tarifs,
    prix_fda,
    session_document,
)

NOW = dt.datetime(2026, 9, 1, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


# --- List -------------------------------------------------------------------------------------------


def test_the_list_shows_the_centres_sessions_only(logged, centre_a, centre_b):
    mine = SessionFactory(centre=centre_a, date=dt.date(2026, 10, 6))
    other = SessionFactory(centre=centre_b)
    InscriptionFactory(session=mine)
    response = logged.get(reverse("sessions:list"))
    content = response.content.decode()
    assert str(mine.numero) in content and "1 / 20" in content and "06/10/2026" in content
    assert str(other.numero) not in content


def test_the_list_filters_by_status_product_and_period(logged, centre_a):
    produit = ProduitFactory(nom="DFP Affaires A1")
    a = SessionFactory(centre=centre_a, produit=produit, date=dt.date(2026, 10, 6))
    b = SessionFactory(centre=centre_a, date=dt.date(2026, 11, 6))
    c = SessionFactory(centre=centre_a, date=dt.date(2026, 12, 6), statut=SessionStatus.ANNULEE)

    def numbers(**params):
        page = logged.get(reverse("sessions:list"), params).context["page"]
        return [s.numero for s in page]

    assert numbers(produit=produit.pk) == [a.numero]
    assert numbers(statut="annulee") == [c.numero]
    assert numbers(du="2026-10-07", au="2026-11-30") == [b.numero]
    assert numbers() == [c.numero, b.numero, a.numero]  # most recent dates first
    assert numbers(tri="date") == [a.numero, b.numero, c.numero]
    assert numbers(tri="-numero") == [c.numero, b.numero, a.numero]


def test_the_list_is_paginated_by_25(logged, centre_a):
    produit = ProduitFactory()
    for _ in range(30):
        SessionFactory(centre=centre_a, produit=produit)
    response = logged.get(reverse("sessions:list"), {"page": 2})
    assert len(response.context["page"].object_list) == 5
    assert "Page 2 / 2" in response.content.decode()


@pytest.mark.parametrize("rows", [5, 200])
def test_the_list_runs_a_bounded_number_of_queries(logged, centre_a, rows, django_assert_max_num_queries):
    produits = [ProduitFactory() for _ in range(3)]
    for i in range(rows):
        session = SessionFactory(centre=centre_a, produit=produits[i % 3])
        if i % 10 == 0:
            InscriptionFactory(session=session)
    with django_assert_max_num_queries(12):
        assert logged.get(reverse("sessions:list")).status_code == 200


# --- Wizard -----------------------------------------------------------------------------------------


def walk_wizard(client, produit, date="2026-10-06", nb_places="15", tarifs=None):
    client.get(reverse("sessions:create") + "?nouvelle=1")
    client.post(reverse("sessions:create"), {"produit": produit.pk})
    client.post(reverse("sessions:create_date"), {"date": date, "heure": "09:30", "lieu": "Salle Molière"})
    client.post(reverse("sessions:create_places"), {"nb_places": nb_places, "afficher_en_ligne": "on"})
    return client.post(reverse("sessions:create_tarifs"), tarifs or {"montant_unique": "120,50"})


def test_the_wizard_creates_the_session_in_four_steps(logged, centre_a):
    produit = ProduitFactory(nom="TEF IRN", modulaire=False)
    response = walk_wizard(logged, produit)
    session = Session.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "sessions:detail", args=[session.numero]
    )
    assert (session.centre, session.produit, session.date, session.heure, session.lieu) == (
        centre_a,
        produit,
        dt.date(2026, 10, 6),
        dt.time(9, 30),
        "Salle Molière",
    )
    assert (session.nb_places, session.afficher_en_ligne, session.statut) == (15, True, SessionStatus.OUVERTE)
    assert session.tarifs.get().montant == Decimal("120.50")
    assert WIZARD_KEY not in logged.session
    # No tarif yet for this product: the checkbox was pre-checked but not posted (unchecked) here.
    assert not Tarif.objects.exists()


def test_step_four_is_prefilled_from_the_centres_tarifs(logged, centre_a):
    produit = ProduitFactory(modulaire=True)
    for ep in produit.epreuves.all():
        TarifFactory(centre=centre_a, produit=produit, epreuve=ep, montant=Decimal("42.00"))
    logged.post(reverse("sessions:create"), {"produit": produit.pk})
    logged.post(reverse("sessions:create_date"), {"date": "2026-10-06", "heure": "09:30", "lieu": "Salle"})
    logged.post(reverse("sessions:create_places"), {"nb_places": "10"})
    form = logged.get(reverse("sessions:create_tarifs")).context["form"]
    assert {name: form[name].value() for name in form.keys} == {
        "montant_CE": Decimal("42.00"),
        "montant_CO": Decimal("42.00"),
        "montant_EE": Decimal("42.00"),
        "montant_EO": Decimal("42.00"),
    }
    data = {name: "42,00" for name in form.keys} | {"montant_EO": "50,00"}
    logged.post(reverse("sessions:create_tarifs"), data)
    session = Session.objects.get()
    assert session.tarifs.get(epreuve__code="EO").montant == Decimal("50.00")


def test_step_two_refuses_a_date_past_closure_in_french(logged):
    produit = ProduitFactory()
    logged.post(reverse("sessions:create"), {"produit": produit.pk})
    response = logged.post(
        reverse("sessions:create_date"), {"date": "2026-09-02", "heure": "09:30", "lieu": "X"}
    )
    assert response.status_code == 200
    assert "Première date possible : 04/09/2026" in response.content.decode()
    response = logged.post(
        reverse("sessions:create_date"), {"date": "2026-08-02", "heure": "09:30", "lieu": "X"}
    )
    assert "La date de la session est passée" in response.content.decode()
    response = logged.post(
        reverse("sessions:create_date"), {"date": "9999-12-31", "heure": "09:30", "lieu": "X"}
    )
    assert response.status_code == 200
    assert "La date de la session est trop lointaine" in response.content.decode()


def test_step_one_does_not_offer_an_inactive_product(logged):
    produit = ProduitFactory(statut=Produit.Statut.INACTIF)
    response = logged.post(reverse("sessions:create"), {"produit": produit.pk})
    assert "Ce produit n&#x27;est pas disponible" in response.content.decode()


def test_step_three_refuses_zero_places_and_step_four_a_missing_price(logged):
    produit = ProduitFactory(modulaire=False)
    logged.post(reverse("sessions:create"), {"produit": produit.pk})
    logged.post(reverse("sessions:create_date"), {"date": "2026-10-06", "heure": "09:30", "lieu": "X"})
    response = logged.post(reverse("sessions:create_places"), {"nb_places": "0"})
    assert "La session doit offrir au moins une place." in response.content.decode()
    logged.post(reverse("sessions:create_places"), {"nb_places": "3"})
    response = logged.post(reverse("sessions:create_tarifs"), {"montant_unique": ""})
    assert "Le prix est obligatoire." in response.content.decode()
    response = logged.post(reverse("sessions:create_tarifs"), {"montant_unique": "-4"})
    assert "Le prix doit être supérieur à zéro." in response.content.decode()
    assert not Session.objects.exists()


def test_a_later_step_without_the_earlier_ones_goes_back_to_step_one(logged):
    response = logged.get(reverse("sessions:create_tarifs"))
    assert response.status_code == 302 and response["Location"] == reverse("sessions:create")


# --- Session page -----------------------------------------------------------------------------------


def test_the_session_page_shows_closure_in_paris_time_tarifs_places_and_history(
    logged, centre_a, responsable
):
    session = services.create_session(
        centre=centre_a,
        produit=ProduitFactory(modulaire=False),
        date=dt.date(2026, 10, 6),
        heure=dt.time(9, 0),
        lieu="Salle 3",
        nb_places=10,
        afficher_en_ligne=False,
        tarifs={None: Decimal("99.00")},
        by=responsable,
    )
    InscriptionFactory(session=session)
    content = logged.get(reverse("sessions:detail", args=[session.numero])).content.decode()
    assert "dimanche 4 octobre 2026 à 00h00 (heure de Paris)" in content
    assert "99,00" in content
    assert "1 inscrit sur 10 places — 9 restantes" in content
    assert "Planifiée" in content and "Inscriptions ouvertes" in content
    assert "Annuler la session" in content


@pytest.mark.parametrize("inscrits", [1, 40])
def test_the_session_page_runs_a_bounded_number_of_queries(
    logged, centre_a, inscrits, django_assert_max_num_queries
):
    session = SessionFactory(centre=centre_a)
    add_session_tarifs(session)
    for _ in range(inscrits):
        InscriptionFactory(session=session)
    with django_assert_max_num_queries(12):
        assert logged.get(reverse("sessions:detail", args=[session.numero])).status_code == 200


def test_cancel_needs_a_confirmation_then_cancels(logged, centre_a):
    session = SessionFactory(centre=centre_a, date=dt.date(2026, 10, 6))
    page = logged.get(reverse("sessions:cancel_confirm", args=[session.numero]))
    assert "Confirmer l'annulation" in page.content.decode()
    response = logged.post(
        reverse("sessions:cancel", args=[session.numero]), {"motif": "Salle fermée"}, follow=True
    )
    assert "a été annulée" in response.content.decode()
    session.refresh_from_db()
    assert session.statut == SessionStatus.ANNULEE
    assert session.historique.get().comment == "Salle fermée"


def test_cancel_after_closure_is_refused_with_a_message(logged, centre_a):
    session = SessionFactory(centre=centre_a, statut=SessionStatus.CLOSE, date=dt.date(2026, 10, 6))
    response = logged.post(reverse("sessions:cancel", args=[session.numero]), follow=True)
    assert "ne peut plus être annulée" in response.content.decode()


# --- Documents --------------------------------------------------------------------------------------


@pytest.fixture
def closed_session(centre_a, django_capture_on_commit_callbacks):
    session = SessionFactory(centre=centre_a, date=dt.date(2026, 10, 6))
    for code in ("CE", "CO", "EE", "EO"):
        prix_fda(session.produit, "35.00", code)
    InscriptionFactory(session=session)
    with django_capture_on_commit_callbacks(execute=True):
        documents.close_enrolment(session)
    return session


def test_documents_page_lists_the_files_with_the_guide_columns(logged, closed_session):
    content = logged.get(reverse("sessions:documents", args=[closed_session.numero])).content.decode()
    for text in (
        "Nom du fichier",
        "Type",
        "Date de mise en ligne",
        f"{closed_session.numero}_bon_commande.pdf",
        f"codes_acces_{closed_session.numero}.pdf",
        "Devis non-signé",
        "Codes d&#x27;accès des candidats",
        "Signer",
    ):
        assert text in content


@pytest.mark.parametrize("role", [Role.RESPONSABLE, Role.ADMINISTRATIF])
def test_responsable_and_administratif_sign_after_confirmation(
    client, centre_a, closed_session, role, django_capture_on_commit_callbacks
):
    user = MembershipFactory(centre=centre_a, role=role).user
    client.force_login(user)
    confirm = client.get(reverse("sessions:sign_confirm", args=[closed_session.numero])).content.decode()
    assert "1 candidat (1 facturé, 0 non facturés)" in confirm and "140,00" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sessions:sign", args=[closed_session.numero]), follow=True)
    content = response.content.decode()
    assert "Devis signé" in content and user.get_full_name() in content
    bon = BonDeCommande.objects.get(session=closed_session)
    assert (bon.statut, bon.signed_by) == ("signe", user)


def test_a_download_is_an_attachment_for_the_centre_and_404_for_another(
    client, logged, closed_session, responsable_b
):
    doc = closed_session.documents.get(kind="codes_acces")
    url = reverse("sessions:document", args=[closed_session.numero, doc.pk])
    response = logged.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f'attachment; filename="codes_acces_{closed_session.numero}.pdf"'
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(responsable_b)
    assert client.get(url).status_code == 404


def test_a_document_of_another_session_is_not_served_under_this_number(logged, centre_a, closed_session):
    other = SessionFactory(centre=centre_a)
    doc = session_document(other)
    assert logged.get(reverse("sessions:document", args=[closed_session.numero, doc.pk])).status_code == 404


def test_signing_is_refused_with_a_message_while_fda_prices_are_missing(
    logged, centre_a, django_capture_on_commit_callbacks
):
    session = SessionFactory(centre=centre_a, date=dt.date(2026, 10, 6))
    InscriptionFactory(session=session)
    with django_capture_on_commit_callbacks(execute=True):
        documents.close_enrolment(session)
    confirm = logged.get(reverse("sessions:sign_confirm", args=[session.numero])).content.decode()
    assert "Des prix du Français des affaires manquent" in confirm
    response = logged.post(reverse("sessions:sign", args=[session.numero]), follow=True)
    assert "ne peut pas encore être signé" in response.content.decode()
    assert BonDeCommande.objects.get(session=session).statut == "non_signe"


def test_a_planned_session_can_be_opened_from_its_page(logged, centre_a):
    session = SessionFactory(centre=centre_a, statut=SessionStatus.PLANIFIEE, date=dt.date(2026, 10, 6))
    assert (
        "Ouvrir les inscriptions"
        in logged.get(reverse("sessions:detail", args=[session.numero])).content.decode()
    )
    response = logged.post(reverse("sessions:open", args=[session.numero]), follow=True)
    assert "Les inscriptions de la session sont ouvertes." in response.content.decode()
    session.refresh_from_db()
    assert session.statut == SessionStatus.OUVERTE


def test_a_sujet_eo_is_served_only_once_visible(logged, centre_a):
    session = SessionFactory(centre=centre_a)
    doc = session_document(session, kind="sujet_eo")
    doc.visible_from = NOW + dt.timedelta(days=1)
    doc.save()
    url = reverse("sessions:document", args=[session.numero, doc.pk])
    assert doc.nom not in logged.get(reverse("sessions:documents", args=[session.numero])).content.decode()
    assert logged.get(url).status_code == 404
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert logged.get(url).status_code == 200


def test_a_product_made_inactive_during_the_wizard_sends_back_to_step_one(logged):
    produit = ProduitFactory(modulaire=False)
    logged.post(reverse("sessions:create"), {"produit": produit.pk})
    logged.post(reverse("sessions:create_date"), {"date": "2026-10-06", "heure": "09:30", "lieu": "X"})
    Produit.objects.filter(pk=produit.pk).update(statut=Produit.Statut.INACTIF)
    response = logged.post(reverse("sessions:create_places"), {"nb_places": "3"}, follow=True)
    assert "Ce produit n&#x27;est plus disponible" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("sessions:create")


def test_the_session_page_shows_the_bon_de_commande_status(logged, closed_session):
    content = logged.get(reverse("sessions:detail", args=[closed_session.numero])).content.decode()
    assert "Bon de commande" in content and "Devis non-signé" in content
    assert reverse("sessions:sign_confirm", args=[closed_session.numero]) in content
