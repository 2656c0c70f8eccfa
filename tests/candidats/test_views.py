"""Candidate pages of the centre: right centre, another centre → 404, the rules' messages on screen,
bounded queries on lists (5 and 200 rows)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from candidats.models import DemandeContact, Inscription, PreInscription
from candidats.selectors import pending_contact_requests_count, pending_pre_inscriptions_count
from tarifs.models import Produit
from tests.candidats.conftest import eps
from tests.factories import CandidatFactory, InscriptionFactory, ProduitFactory, SessionFactory

FORM = {
    "nom": "Dupont",
    "prenom": "Marcel",
    "date_naissance": "1965-01-01",
    "genre": "H",
    "langue_maternelle": "ara",
    "email": "m@d.fr",
    "nationalite": "DZ",
    "motivation": "I",
    "numero_piece_identite": "123456",
}


def test_it_enrols_a_candidate_on_site_with_the_prices_shown(logged_administratif, session_canada):
    url = reverse("candidats:inscrire", args=[session_canada.numero])
    page = logged_administratif.get(url).content.decode()
    assert "CE — Compréhension écrite (40,00\u202f€)" in page or "CE — Compréhension écrite (40,00" in page
    assert "Inscrire un candidat" in page
    data = FORM | {"epreuves": [e.pk for e in eps("CE", "CO", "EE", "EO")]}
    response = logged_administratif.post(url, data, follow=True)
    inscription = Inscription.objects.get()
    assert (
        f"inscription {inscription.numero}, code d'accès {inscription.code_acces}"
        in response.content.decode().replace("&#x27;", "'")
    )
    assert response.redirect_chain[-1][0] == reverse(
        "candidats:session_candidats", args=[session_canada.numero]
    )
    assert inscription.prix_total == Decimal("190.00")


def test_the_rule_message_is_shown_and_nothing_is_written(logged_administratif, session_canada):
    url = reverse("candidats:inscrire", args=[session_canada.numero])
    response = logged_administratif.post(url, FORM | {"epreuves": [e.pk for e in eps("CO")]})
    assert (
        "Pour le TEF Canada (Immigration Canada), les épreuves CE, CO, EE, EO sont obligatoires."
        in response.content.decode()
    )
    assert not Inscription.objects.exists()


def test_a_warning_needs_the_confirmation_checkbox(
    logged_administratif, centre_a, tef_canada, session_canada
):
    later = SessionFactory(
        centre=centre_a, produit=tef_canada, date=session_canada.date + dt.timedelta(days=5)
    )
    candidat = CandidatFactory(
        centre=centre_a, nom="Dupont", prenom="Marcel", date_naissance=dt.date(1965, 1, 1)
    )
    InscriptionFactory(session=later, candidat=candidat)
    url = reverse("candidats:inscrire", args=[session_canada.numero])
    data = FORM | {"epreuves": [e.pk for e in eps("CE", "CO", "EE", "EO")]}
    page = logged_administratif.post(url, data).content.decode()
    assert "Inscrire malgré l" in page and "le délai de 30 jours entre deux passages" in page
    assert not Inscription.objects.filter(session=session_canada).exists()
    logged_administratif.post(url, data | {"confirmer": "on"})
    assert Inscription.objects.filter(session=session_canada).count() == 1


def test_refuse_rule_gives_an_error_without_confirmation(
    logged_administratif, centre_a, tef_canada, session_canada
):
    tef_canada.regle_delai = Produit.RegleDelai.REFUSER
    tef_canada.save()
    later = SessionFactory(
        centre=centre_a, produit=tef_canada, date=session_canada.date + dt.timedelta(days=5)
    )
    InscriptionFactory(
        session=later,
        candidat=CandidatFactory(
            centre=centre_a, nom="DUPONT", prenom="marcel", date_naissance=dt.date(1965, 1, 1)
        ),
    )
    data = FORM | {"epreuves": [e.pk for e in eps("CE", "CO", "EE", "EO")], "confirmer": "on"}
    page = logged_administratif.post(
        reverse("candidats:inscrire", args=[session_canada.numero]), data
    ).content.decode()
    assert "n&#x27;est pas respecté" in page or "n'est pas respecté" in page
    assert not Inscription.objects.filter(session=session_canada).exists()


def test_another_centres_session_and_enrolment_are_not_found(client, responsable_b, session_canada):
    inscription = InscriptionFactory(session=session_canada)
    client.force_login(responsable_b)
    for url in (
        reverse("candidats:inscrire", args=[session_canada.numero]),
        reverse("candidats:session_candidats", args=[session_canada.numero]),
        reverse("candidats:inscription_edit", args=[inscription.numero]),
        reverse("candidats:import_template", args=[session_canada.numero]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("candidats:inscrire", args=[session_canada.numero]), FORM).status_code == 404
    assert not Inscription.objects.exclude(pk=inscription.pk).exists()


def test_modifier_les_informations(logged_administratif, session_canada):
    inscription = InscriptionFactory(session=session_canada)
    url = reverse("candidats:inscription_edit", args=[inscription.numero])
    page = logged_administratif.get(url).content.decode()
    assert inscription.candidat.nom in page and inscription.code_acces in page
    data = FORM | {"motivation": "A", "epreuves": [e.pk for e in eps("CE")]}
    logged_administratif.post(url, data)
    inscription.refresh_from_db()
    assert inscription.candidat.nom == "Dupont"
    assert [ie.epreuve.code for ie in inscription.epreuves.all()] == ["CE"]
    assert inscription.prix_total == Decimal("40.00")


def test_the_session_list_shows_its_candidates_and_buttons(
    logged_administratif, session_canada, django_assert_max_num_queries
):
    for _ in range(5):
        InscriptionFactory(session=session_canada)
    url = reverse("candidats:session_candidats", args=[session_canada.numero])
    with django_assert_max_num_queries(15):
        page = logged_administratif.get(url).content.decode()
    assert "Inscrire un candidat" in page and "Importer un fichier" in page
    assert "5 inscrits sur 10 places — 5 restantes" in page


@pytest.mark.parametrize("n", [5, 200])
def test_list_pages_run_a_bounded_number_of_queries(
    logged_administratif, centre_a, tef_canada, n, django_assert_max_num_queries
):
    session = SessionFactory(centre=centre_a, produit=tef_canada, nb_places=500)
    for _ in range(n):
        InscriptionFactory(session=session)
    PreInscription.objects.bulk_create(
        [PreInscription(centre=centre_a, nom=f"P{i}", prenom="A", email="a@x.test") for i in range(n)]
    )
    DemandeContact.objects.bulk_create(
        [
            DemandeContact(centre=centre_a, nom=f"C{i}", prenom="A", email="a@x.test", message="m")
            for i in range(n)
        ]
    )
    for url in (
        reverse("candidats:inscriptions"),
        reverse("candidats:inscriptions") + "?q=a&statut=inscrit&du=2000-01-01",
        reverse("candidats:session_candidats", args=[session.numero]),
        reverse("candidats:pre_inscriptions"),
        reverse("candidats:contacts"),
    ):
        with django_assert_max_num_queries(16):
            assert logged_administratif.get(url).status_code == 200
    with django_assert_max_num_queries(20):
        response = logged_administratif.get(reverse("candidats:inscriptions_export"))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.max_row == n + 1


def test_toutes_les_inscriptions_searches_and_filters_within_the_centre(
    logged_administratif, centre_a, centre_b, session_canada
):
    mine = InscriptionFactory(
        session=session_canada, candidat=CandidatFactory(centre=centre_a, nom="Zidane", email="zz@x.test")
    )
    InscriptionFactory(session=session_canada, candidat=CandidatFactory(centre=centre_a, nom="Autre"))
    InscriptionFactory(
        session=SessionFactory(centre=centre_b), candidat=CandidatFactory(centre=centre_b, nom="Zidane")
    )
    url = reverse("candidats:inscriptions")
    page = logged_administratif.get(url, {"q": "zid"})
    assert list(page.context["page"]) == [mine]
    assert list(logged_administratif.get(url, {"q": str(mine.numero)}).context["page"]) == [mine]
    assert list(logged_administratif.get(url, {"q": "zz@x"}).context["page"]) == [mine]
    assert len(logged_administratif.get(url, {"session": session_canada.numero}).context["page"]) == 2
    assert len(logged_administratif.get(url, {"statut": "annule"}).context["page"]) == 0
    assert (
        len(
            logged_administratif.get(
                url, {"du": (session_canada.date + dt.timedelta(days=1)).isoformat()}
            ).context["page"]
        )
        == 0
    )


def test_the_export_neutralises_formulas(logged_administratif, session_canada, centre_a):
    InscriptionFactory(
        session=session_canada,
        candidat=CandidatFactory(centre=centre_a, nom='=HYPERLINK("http://x")', prenom="+33", email="@x"),
    )
    response = logged_administratif.get(reverse("candidats:inscriptions_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    row = [c.value for c in ws[2]]
    assert '\'=HYPERLINK("http://x")' in row and "'+33" in row and "'@x" in row
    assert all(not (isinstance(v, str) and v.startswith(("=", "+", "-", "@"))) for v in row)


def test_safe_cell():
    from core.spreadsheets import safe_cell

    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "Dupont", 12, None)] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "Dupont",
        12,
        None,
    ]


# --- Pre-registrations and contact requests ---------------------------------------------------------


def test_a_pre_registration_is_transferred_into_a_session(logged_administratif, centre_a, session_canada):
    pre = PreInscription.objects.create(
        centre=centre_a,
        session=session_canada,
        nom="Ndiaye",
        prenom="Awa",
        email="awa@x.test",
        date_naissance=dt.date(1995, 2, 3),
        genre="F",
        langue_maternelle="wol",
        nationalite="SN",
        motivation="C",
    )
    assert pending_pre_inscriptions_count(centre_a) == 1
    url = reverse("candidats:pre_inscription_transfer", args=[pre.pk])
    assert "Transférer dans une session" in logged_administratif.get(url).content.decode()
    response = logged_administratif.post(
        url, {"session": session_canada.pk, "epreuves": [e.pk for e in eps("CO", "EO")]}, follow=True
    )
    assert "est inscrit(e) à la session" in response.content.decode()
    pre.refresh_from_db()
    assert pre.statut == PreInscription.Statut.TRANSFEREE and pre.inscription.session == session_canada
    assert pending_pre_inscriptions_count(centre_a) == 0


def test_the_transfer_offers_only_the_products_epreuves_and_applies_its_rules(
    logged_administratif, centre_a, session_canada
):
    staff = logged_administratif
    ProduitFactory(nom="TEF", codes_epreuves=["CE", "CO", "EE", "EO", "LS"])
    pre = PreInscription.objects.create(
        centre=centre_a,
        session=session_canada,
        nom="Ndiaye",
        prenom="Awa",
        email="awa@x.test",
        date_naissance=dt.date(1995, 2, 3),
        motivation="I",
    )
    url = reverse("candidats:pre_inscription_transfer", args=[pre.pk])
    form = staff.get(url).context["form"]
    assert [e.code for e in form.fields["epreuves"].queryset] == ["CE", "CO", "EE", "EO"]
    response = staff.post(url, {"session": session_canada.pk, "epreuves": [e.pk for e in eps("CE", "CO")]})
    assert response.context["form"].errors["epreuves"] == [
        "Pour le TEF Canada (Immigration Canada), les épreuves CE, CO, EE, EO sont obligatoires."
    ]
    pre.refresh_from_db()
    assert pre.statut == PreInscription.Statut.A_TRAITER and not Inscription.objects.exists()


def test_a_pre_registration_cannot_go_to_another_centres_session(
    logged_administratif, centre_a, centre_b, tef_canada
):
    pre = PreInscription.objects.create(
        centre=centre_a,
        nom="N",
        prenom="A",
        email="a@x.test",
        date_naissance=dt.date(1990, 1, 1),
        genre="F",
        langue_maternelle="fra",
        nationalite="FR",
        motivation="A",
    )
    other = SessionFactory(centre=centre_b, produit=tef_canada)
    response = logged_administratif.post(
        reverse("candidats:pre_inscription_transfer", args=[pre.pk]),
        {"session": other.pk, "epreuves": [eps("CE")[0].pk]},
    )
    assert response.status_code == 200 and "session" in response.context["form"].errors
    assert not Inscription.objects.exists()


def test_a_pre_registration_is_declined_with_a_reason(
    logged_administratif, centre_a, django_capture_on_commit_callbacks
):
    pre = PreInscription.objects.create(centre=centre_a, nom="N", prenom="A", email="a@x.test")
    with django_capture_on_commit_callbacks(execute=True):
        logged_administratif.post(
            reverse("candidats:pre_inscription_decline", args=[pre.pk]),
            {"motif": "Plus de session cette année."},
        )
    pre.refresh_from_db()
    assert pre.statut == PreInscription.Statut.DECLINEE
    assert "Plus de session cette année." in mail.outbox[-1].body


def test_pre_registrations_to_handle_come_first(logged_administratif, centre_a):
    PreInscription.objects.create(
        centre=centre_a, nom="Ancienne", prenom="A", email="a@x.test", statut="declinee"
    )
    PreInscription.objects.create(centre=centre_a, nom="Atraiter", prenom="A", email="a@x.test")
    page = logged_administratif.get(reverse("candidats:pre_inscriptions"))
    assert [p.nom for p in page.context["page"]] == ["Atraiter", "Ancienne"]
    assert "Vous avez 1 pré-inscription à traiter." in page.content.decode()


def test_a_contact_request_is_answered_or_marked_handled(
    logged_administratif, centre_a, django_capture_on_commit_callbacks
):
    first = DemandeContact.objects.create(
        centre=centre_a, nom="A", prenom="B", email="b@x.test", message="Bonjour"
    )
    second = DemandeContact.objects.create(
        centre=centre_a, nom="C", prenom="D", email="d@x.test", message="Bonjour"
    )
    assert pending_contact_requests_count(centre_a) == 2
    assert (
        "Vous avez 2 demandes de contact à traiter."
        in logged_administratif.get(reverse("candidats:contacts")).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        logged_administratif.post(
            reverse("candidats:contact", args=[first.pk]), {"reponse": "Prochaine session le 12 mars."}
        )
    assert mail.outbox[-1].to == ["b@x.test"] and "Prochaine session le 12 mars." in mail.outbox[-1].body
    logged_administratif.post(reverse("candidats:contact_close", args=[second.pk]))
    assert pending_contact_requests_count(centre_a) == 0
    assert reverse("candidats:contact_close", args=[second.pk])
    assert logged_administratif.get(reverse("candidats:contact_close", args=[second.pk])).status_code == 405


def test_form_pages_run_a_bounded_number_of_queries(
    logged_administratif, centre_a, session_canada, django_assert_max_num_queries
):
    inscription = InscriptionFactory(session=session_canada)
    pre = PreInscription.objects.create(
        centre=centre_a, session=session_canada, nom="N", prenom="A", email="a@x.test"
    )
    for _ in range(20):
        SessionFactory(centre=centre_a, produit=session_canada.produit)
    for url in (
        reverse("candidats:inscrire", args=[session_canada.numero]),
        reverse("candidats:inscription_edit", args=[inscription.numero]),
        reverse("candidats:import", args=[session_canada.numero]),
        reverse("candidats:pre_inscription_transfer", args=[pre.pk]),
    ):
        with django_assert_max_num_queries(16):
            assert logged_administratif.get(url).status_code == 200
