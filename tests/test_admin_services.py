"""The back office goes through the services: creating and editing a session (session service), entering
scores in the enrolment's inline, the results list and the results file (results service), "Créer le
compte" from the list (confirmation page first). Each refusal is a French form error, never a 500, and
changes nothing."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook

from candidats.models import Resultat
from centres.models import AccountRequest, Membership, User
from centres.roles import Role
from messagerie import account_requests as centres_services
from sessions_app.models import Session, SessionStatus
from tarifs.models import Produit
from tests.admin_auth import admin_force_login
from tests.factories import (
    InscriptionFactory,
    ProduitFactory,
    SessionFactory,
    StaffFactory,
    add_session_tarifs,
    epreuve,
    future_date,
    past_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    return admin_force_login(client, StaffFactory(email="charge@fda.test", is_superuser=True))


def blank(value) -> bool:
    return value is None or value is False or value == ""


def form_data(response) -> dict:
    """The POST a browser would send back from an admin change/add page (main form and inlines)."""
    assert response.status_code == 200
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if not blank(value):
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if not blank(value):
                    data[sub.add_prefix(name)] = value
    return data


def errors(response) -> str:
    """Every error message the admin page shows (main form, inlines), as one plain text."""
    assert response.status_code == 200, response.status_code
    lists = list(response.context["adminform"].form.errors.values())
    for inline in response.context["inline_admin_formsets"]:
        lists.append(inline.formset.non_form_errors())
        lists += [e for f in inline.formset.forms for e in f.errors.values()]
    return " ".join(message for messages in lists for message in messages)


# --- Sessions --------------------------------------------------------------------------------------


@pytest.fixture
def irn(db):
    return ProduitFactory(nom="TEF IRN", code="TEFIRN", modulaire=False)


def new_session(admin_client, centre, produit, **overrides):
    add = reverse("admin:sessions_app_session_add")
    data = form_data(admin_client.get(add))
    data.update(
        centre=centre.pk,
        produit=produit.pk,
        date=future_date(30).isoformat(),
        heure="09:00",
        lieu="Salle 2",
        nb_places="12",
        **{"tarifs-0-montant": "150.00"},
    )
    data.update(overrides)
    return admin_client.post(add, {k: v for k, v in data.items() if v is not None})


def test_creating_a_session_in_the_admin_goes_through_the_creation_service(admin_client, centre_a, irn):
    response = new_session(admin_client, centre_a, irn)
    assert response.status_code == 302, errors(response)
    session = Session.objects.get()
    assert session.numero >= 7000001 and session.statut == SessionStatus.OUVERTE
    assert [h.to_status for h in session.historique.order_by("pk")] == [
        SessionStatus.PLANIFIEE,
        SessionStatus.OUVERTE,
    ]
    assert list(session.tarifs.values_list("epreuve", "montant")) == [(None, Decimal("150.00"))]
    assert session.created_by.email == "charge@fda.test"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"date": (dt.date.today() + dt.timedelta(days=1)).isoformat()}, "seraient déjà closes"),
        ({"nb_places": "0"}, "au moins 1"),
        ({"tarifs-0-montant": None}, "Le prix est manquant pour le tarif unique."),
        ({"tarifs-0-montant": "-5"}, "doit être supérieur à zéro"),
        ({"lieu": "   "}, "Ce champ est obligatoire."),
    ],
)
def test_the_admin_refuses_a_session_the_service_refuses(admin_client, centre_a, irn, overrides, message):
    response = new_session(admin_client, centre_a, irn, **overrides)
    assert message in errors(response)
    assert not Session.objects.exists()


def test_an_inactive_product_is_refused_in_the_admin(admin_client, centre_a, irn):
    irn.statut = Produit.Statut.INACTIF
    irn.save()
    response = new_session(admin_client, centre_a, irn)
    assert "est inactif : aucune session ne peut être créée" in errors(response)
    assert not Session.objects.exists()


def test_a_modular_product_needs_one_price_per_epreuve(admin_client, centre_a):
    canada = ProduitFactory(nom="TEF Canada", modulaire=True)
    overrides = {"tarifs-0-epreuve": epreuve("CE").pk, "tarifs-0-montant": "40.00"}
    response = new_session(admin_client, centre_a, canada, **overrides)
    assert "Le prix est manquant pour l'épreuve CO." in errors(response)
    for i, code in enumerate(("CO", "EE", "EO"), start=1):
        overrides |= {f"tarifs-{i}-epreuve": epreuve(code).pk, f"tarifs-{i}-montant": "45.00"}
    response = new_session(admin_client, centre_a, canada, **overrides)
    assert response.status_code == 302, errors(response)
    assert Session.objects.get().tarifs.count() == 4


def edit(admin_client, session, **changes):
    url = reverse("admin:sessions_app_session_change", args=[session.pk])
    data = form_data(admin_client.get(url))
    data.update(changes)
    return admin_client.post(url, data)


def test_editing_a_session_goes_through_the_session_service(admin_client, centre_a, irn):
    session = SessionFactory(centre=centre_a, produit=irn, nb_places=3)
    add_session_tarifs(session)
    InscriptionFactory.create_batch(2, session=session)
    response = edit(admin_client, session, lieu="Grande salle", nb_places="2")
    assert response.status_code == 302, errors(response)
    session.refresh_from_db()
    assert (session.lieu, session.nb_places) == ("Grande salle", 2)

    refused = {
        "nb_places": ("1", "ne peut pas descendre en dessous"),
        "produit": (ProduitFactory(modulaire=False).pk, "le produit ne peut plus changer"),
        "date": ((dt.date.today() + dt.timedelta(days=1)).isoformat(), "seraient déjà closes"),
    }
    for field, (value, message) in refused.items():
        assert message in errors(edit(admin_client, session, **{field: value})), field
    session.refresh_from_db()
    assert (session.nb_places, session.produit, session.date) == (2, irn, session.date)


def test_a_closed_session_keeps_its_date_and_a_price_must_stay_valid(admin_client, centre_a, irn):
    session = past_session(centre_a, produit=irn, statut=SessionStatus.CLOSE)
    add_session_tarifs(session)
    assert "ne changent plus" in errors(edit(admin_client, session, date=future_date(40).isoformat()))
    assert "supérieur à zéro" in errors(edit(admin_client, session, **{"tarifs-0-montant": "0"}))
    assert session.tarifs.get().montant == Decimal("50.00")


# --- Results ---------------------------------------------------------------------------------------


@pytest.fixture
def correction(centre_a):
    # The catalogue's TEF Canada with its published tables (tarifs/0003_reference_data): CE 350 is NCLC 4
    # on table C; no CECRL table is published.
    produit = Produit.objects.get(code="TEFCAN")
    session = past_session(centre_a, produit=produit, statut=SessionStatus.CORRECTION)
    return InscriptionFactory(session=session)


def inline_scores(admin_client, inscription, score, code="CE"):
    url = reverse("admin:candidats_inscription_change", args=[inscription.pk])
    data = form_data(admin_client.get(url))
    data |= {
        "resultats-TOTAL_FORMS": "1",
        "resultats-0-epreuve": epreuve(code).pk,
        "resultats-0-score": score,
    }
    return admin_client.post(url, data)


def test_the_inline_enters_a_score_through_the_results_service(admin_client, correction):
    response = inline_scores(admin_client, correction, "700")
    assert "Le score 700 de l'épreuve CE doit être compris entre 0 et 699" in errors(response)
    assert not Resultat.objects.exists()
    response = inline_scores(admin_client, correction, "350")
    assert response.status_code == 302, errors(response)
    resultat = Resultat.objects.get()
    assert (resultat.score, resultat.score_max, resultat.niveau_cecrl, resultat.nclc) == (350, 699, "", 4)
    assert resultat.saisi_par.email == "charge@fda.test"


def test_the_inline_refuses_scores_outside_the_correction(admin_client, correction):
    Session.objects.filter(pk=correction.session_id).update(statut=SessionStatus.RESULTATS)
    assert "quand elle est En correction" in errors(inline_scores(admin_client, correction, "350"))
    assert not Resultat.objects.exists()


def test_the_results_list_enters_and_corrects_a_score_through_the_service(admin_client, correction):
    add = reverse("admin:candidats_resultat_add")
    data = {"inscription": correction.pk, "epreuve": epreuve("CO").pk}
    assert "Le score 900 de l'épreuve CO doit être compris entre 0 et 699" in errors(
        admin_client.post(add, data | {"score": 900})
    )
    assert not Resultat.objects.exists()
    response = admin_client.post(add, data | {"score": 120})
    assert response.status_code == 302, errors(response)
    resultat = Resultat.objects.get()
    assert (resultat.score, resultat.nclc) == (120, None)  # below NCLC 4: no level (table C)
    change = reverse("admin:candidats_resultat_change", args=[resultat.pk])
    assert "doit être compris entre 0 et 699" in errors(admin_client.post(change, {"score": 1000}))
    response = admin_client.post(change, {"score": 360})
    assert response.status_code == 302, errors(response)
    resultat.refresh_from_db()
    assert (resultat.score, resultat.nclc) == (360, 5)


def test_the_results_file_refuses_a_score_above_the_maximum(admin_client, correction):
    book = Workbook()
    book.active.append(["N° inscription", "Épreuve", "Score"])
    book.active.append([correction.numero, "CE", 800])
    content = io.BytesIO()
    book.save(content)
    content.seek(0)
    content.name = "scores.xlsx"
    url = reverse("admin:sessions_app_session_resultats", args=[correction.session_id])
    response = admin_client.post(url, {"importer": "1", "fichier": content}, follow=True)
    assert response.status_code == 200
    assert "doit être compris entre 0 et 699" in response.content.decode()
    assert not Resultat.objects.exists()


# --- Accounts --------------------------------------------------------------------------------------


def test_the_account_actions_of_the_list_show_a_confirmation_page_first(admin_client, centre_a, responsable):
    creation = centres_services.request_account(
        centre=centre_a,
        by=responsable,
        first_name="Asmaa",
        last_name="Bouiri",
        email="un@a.test",
        role=Role.ADMINISTRATIF,
    )
    changelist = reverse("admin:centres_accountrequest_changelist")
    selected = {"_selected_action": [creation.pk]}
    confirm = admin_client.post(changelist, {"action": "creer_les_comptes", **selected})
    page = confirm.content.decode()
    assert confirm.status_code == 200 and "Confirmez « Créer le compte »" in page and "un@a.test" in page
    assert not User.objects.filter(email="un@a.test").exists()
    # The wrong action for this request: named on the confirmation page, refused when applied.
    wrong = admin_client.post(changelist, {"action": "desactiver_les_comptes", **selected})
    assert "ne sera pas traitée par cette action" in wrong.content.decode()
    done = admin_client.post(
        changelist, {"action": "creer_les_comptes", "appliquer": "1", **selected}, follow=True
    )
    assert "Le compte de un@a.test a été créé" in done.content.decode()
    assert Membership.objects.get(user__email="un@a.test").role == Role.ADMINISTRATIF

    target = Membership.objects.get(user__email="un@a.test")
    deactivation = centres_services.request_deactivation(membership=target, by=responsable)
    selected = {"_selected_action": [deactivation.pk]}
    confirm = admin_client.post(changelist, {"action": "desactiver_les_comptes", **selected})
    assert "Confirmez « Désactiver le compte »" in confirm.content.decode()
    assert Membership.objects.get(pk=target.pk).is_active
    admin_client.post(changelist, {"action": "desactiver_les_comptes", "appliquer": "1", **selected})
    assert not Membership.objects.get(pk=target.pk).is_active
    assert AccountRequest.objects.filter(status=AccountRequest.Status.PENDING).count() == 0
