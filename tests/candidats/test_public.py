"""The public pre-registration site (namespace "public", anonymous, French): the access matrix skips
it, so every page is walked here."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from candidats import public_views
from candidats.models import DemandeContact, PreInscription
from centres.models import Visibilite
from sessions_app.models import SessionStatus
from tests.cache import clear_own_cache
from tests.factories import CentreFactory, InscriptionFactory, SessionFactory


@pytest.fixture(autouse=True)
def empty_throttle():
    clear_own_cache()
    yield
    clear_own_cache()


@pytest.fixture
def avec(db):
    return CentreFactory(
        nom="Alliance de Dakar", code="DAK01", visibilite=Visibilite.AVEC_SESSIONS, ville="Dakar"
    )


@pytest.fixture
def sans(db):
    return CentreFactory(
        nom="Institut de Lyon", code="LYO01", visibilite=Visibilite.SANS_SESSIONS, ville="Lyon"
    )


@pytest.fixture
def masque(db):
    return CentreFactory(nom="Centre caché", code="CACHE", visibilite=Visibilite.MASQUE)


PRE = {
    "nom": "Ndiaye",
    "prenom": "Awa",
    "date_naissance": "1995-02-03",
    "genre": "F",
    "langue_maternelle": "wol",
    "email": "awa@exemple.test",
    "nationalite": "SN",
    "motivation": "C",
}


def test_centres_are_listed_by_their_visibility_option(client, avec, sans, masque):
    response = client.get(reverse("public:centres"))
    page = response.content.decode()
    assert response.status_code == 200 and "Alliance de Dakar" in page and "Institut de Lyon" in page
    assert "Centre caché" not in page
    assert client.get(reverse("public:centre", args=["CACHE"])).status_code == 404


def test_a_centre_shows_its_online_sessions_with_places_left(client, avec, django_assert_max_num_queries):
    shown = SessionFactory(centre=avec, afficher_en_ligne=True, nb_places=3)
    InscriptionFactory(session=shown)
    full = SessionFactory(centre=avec, afficher_en_ligne=True, nb_places=1)
    InscriptionFactory(session=full)
    hidden = SessionFactory(centre=avec, afficher_en_ligne=False)
    closed = SessionFactory(centre=avec, afficher_en_ligne=True, statut=SessionStatus.CLOSE)
    with django_assert_max_num_queries(3):
        response = client.get(reverse("public:centre", args=["DAK01"]))
    sessions = response.context["sessions"]
    assert [(s.pk, s.places_restantes) for s in sessions] == [(shown.pk, 2), (full.pk, 0)]
    assert hidden not in sessions and closed not in sessions
    assert "Complet" in response.content.decode()


@pytest.mark.parametrize("n", [5, 50])
def test_the_centre_page_has_no_n_plus_one(client, avec, n, django_assert_max_num_queries):
    for _ in range(n):
        InscriptionFactory(session=SessionFactory(centre=avec, afficher_en_ligne=True))
    with django_assert_max_num_queries(3):
        assert len(client.get(reverse("public:centre", args=["DAK01"])).context["sessions"]) == n


def test_a_pre_registration_is_stored_and_acknowledged(client, avec, django_capture_on_commit_callbacks):
    session = SessionFactory(centre=avec, afficher_en_ligne=True)
    url = reverse("public:pre_inscription", args=["DAK01"])
    assert client.get(url, {"session": session.numero}).context["form"].initial["session"] == session.pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, PRE | {"session": session.pk}, follow=True)
    assert "Votre pré-inscription a bien été envoyée" in response.content.decode()
    pre = PreInscription.objects.get()
    assert (pre.centre, pre.session, pre.nom, pre.statut) == (
        avec,
        session,
        "Ndiaye",
        PreInscription.Statut.A_TRAITER,
    )
    assert mail.outbox[-1].to == ["awa@exemple.test"]
    assert "Nous avons bien reçu votre pré-inscription" in mail.outbox[-1].body


def test_the_pre_registration_form_reports_errors_in_french(client, avec):
    response = client.post(
        reverse("public:pre_inscription", args=["DAK01"]), PRE | {"email": "", "date_naissance": "2999-01-01"}
    )
    errors = response.context["form"].errors
    assert errors["email"] == ["Ce champ est obligatoire."]
    assert errors["date_naissance"] == ["La date de naissance est dans le futur."]
    assert not PreInscription.objects.exists()


def test_a_full_session_cannot_be_chosen(client, avec):
    session = SessionFactory(centre=avec, afficher_en_ligne=True, nb_places=1)
    InscriptionFactory(session=session)
    response = client.post(reverse("public:pre_inscription", args=["DAK01"]), PRE | {"session": session.pk})
    assert "Cette session est complète" in response.content.decode()
    assert not PreInscription.objects.exists()


def test_a_centre_without_sessions_takes_contact_requests(client, sans, django_capture_on_commit_callbacks):
    assert client.get(reverse("public:pre_inscription", args=["LYO01"]))["Location"] == reverse(
        "public:contact", args=["LYO01"]
    )
    page = client.get(reverse("public:centre", args=["LYO01"])).content.decode()
    assert "Demander à être contacté" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("public:contact", args=["LYO01"]),
            {
                "nom": "Martin",
                "prenom": "Léa",
                "email": "lea@exemple.test",
                "message": "Quand est la prochaine session ?",
            },
            follow=True,
        )
    assert "Votre demande de contact a bien été envoyée" in response.content.decode()
    assert DemandeContact.objects.get().centre == sans
    assert mail.outbox[-1].to == ["lea@exemple.test"]


def test_the_honeypot_pretends_success_and_stores_nothing(client, avec, sans):
    response = client.post(
        reverse("public:pre_inscription", args=["DAK01"]), PRE | {"site_internet": "http://spam"}, follow=True
    )
    assert "Votre pré-inscription a bien été envoyée" in response.content.decode()
    client.post(
        reverse("public:contact", args=["LYO01"]),
        {"nom": "B", "prenom": "O", "email": "b@o.t", "message": "x", "site_internet": "x"},
    )
    assert not PreInscription.objects.exists() and not DemandeContact.objects.exists()
    assert mail.outbox == []


def test_submissions_are_throttled_per_ip(client, sans):
    url = reverse("public:contact", args=["LYO01"])
    data = {"nom": "M", "prenom": "L", "email": "l@x.test", "message": "m"}
    for _ in range(public_views.THROTTLE_LIMIT):
        assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 429
    assert "Trop de demandes" in response.content.decode()
    assert DemandeContact.objects.count() == public_views.THROTTLE_LIMIT
    # Another address is not affected.
    assert client.post(url, data, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_the_public_pages_need_no_login_and_speak_french(client, avec):
    for name in ("public:centres",):
        assert client.get(reverse(name)).status_code == 200
    for name in (
        "public:centre",
        "public:pre_inscription",
        "public:merci",
        "public:contact",
        "public:merci_contact",
    ):
        response = client.get(reverse(name, args=["DAK01"]))
        assert response.status_code == 200, name
        assert '<html lang="fr">' in response.content.decode()


def test_a_pre_registration_for_a_closed_session_is_refused(client, avec):
    session = SessionFactory(
        centre=avec, afficher_en_ligne=True, date=dt.date.today() + dt.timedelta(days=30)
    )
    session.statut = SessionStatus.ANNULEE
    session.save()
    response = client.post(reverse("public:pre_inscription", args=["DAK01"]), PRE | {"session": session.pk})
    assert "session" in response.context["form"].errors
    assert not PreInscription.objects.exists()


# --- Only the product's épreuves, with its rules; a second identical pre-registration -------------------


@pytest.fixture
def canada(avec):
    from tarifs.models import RegleEpreuves
    from tests.factories import ProduitFactory, epreuve

    produit = ProduitFactory(nom="TEF Canada", codes_epreuves=["CE", "CO", "EE", "EO"])
    regle = RegleEpreuves.objects.create(produit=produit, motivation="I")
    regle.epreuves.set([epreuve(c) for c in ("CE", "CO", "EE", "EO")])
    ProduitFactory(nom="DFP Affaires B1", modulaire=False, codes_epreuves=["CTI", "IO"])
    ProduitFactory(nom="TEF", codes_epreuves=["CE", "CO", "EE", "EO", "LS"])
    return SessionFactory(centre=avec, afficher_en_ligne=True, produit=produit)


def epreuve_ids(*codes):
    from tarifs.models import Epreuve

    return [Epreuve.objects.get(code=c).pk for c in codes]


def test_the_form_offers_only_the_epreuves_of_the_sessions_products(client, canada):
    form = client.get(reverse("public:pre_inscription", args=["DAK01"])).context["form"]
    assert [e.code for e in form.fields["epreuves"].queryset] == ["CE", "CO", "EE", "EO"]


@pytest.mark.parametrize(
    "codes, motivation, message",
    [
        (
            ["CE", "LS"],
            "C",
            "n’en fait pas partie",
        ),  # not even offered: Django's "Sélectionnez un choix valide"
        (
            ["CE"],
            "I",
            "Pour le TEF Canada (Immigration Canada), les épreuves CE, CO, EE, EO sont obligatoires.",
        ),
    ],
)
def test_epreuves_outside_the_product_or_its_rules_are_refused_at_once(
    client, canada, codes, motivation, message
):
    response = client.post(
        reverse("public:pre_inscription", args=["DAK01"]),
        PRE | {"session": canada.pk, "motivation": motivation, "epreuves": epreuve_ids(*codes)},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["epreuves"]
    assert any(message in e for e in errors), errors
    assert not PreInscription.objects.exists()


def test_a_stranger_epreuve_forced_into_the_service_is_refused(canada):
    from candidats import services
    from core.errors import BusinessError
    from tarifs.models import Epreuve
    from tests.candidats.conftest import data

    with pytest.raises(BusinessError, match="hors du produit TEF Canada : CTI, IO, LS"):
        services.create_pre_inscription(
            centre=canada.centre,
            session=canada,
            data=data(),
            epreuves=Epreuve.objects.filter(code__in=["LS", "CTI", "IO"]),
        )
    assert not PreInscription.objects.exists()


def test_a_second_identical_pre_registration_is_recognised_and_not_stored(client, canada):
    url = reverse("public:pre_inscription", args=["DAK01"])
    posted = PRE | {"session": canada.pk, "epreuves": epreuve_ids("CO", "EO")}
    assert client.post(url, posted).status_code == 302
    # The same person again, typed differently (case, accents, a pasted zero-width space).
    again = client.post(url, posted | {"nom": "NDIAYE\u200b", "prenom": "awa "})
    assert again.status_code == 200
    assert "Vous êtes déjà pré-inscrit(e) à la session du" in again.content.decode()
    assert PreInscription.objects.count() == 1
    # Another session of the centre is another request.
    other = SessionFactory(centre=canada.centre, afficher_en_ligne=True, produit=canada.produit)
    assert client.post(url, posted | {"session": other.pk}).status_code == 302
    assert PreInscription.objects.count() == 2


def test_a_non_modular_session_takes_all_its_epreuves(client, avec, canada):
    from tarifs.models import Produit

    dfp = SessionFactory(
        centre=avec, afficher_en_ligne=True, produit=Produit.objects.get(nom="DFP Affaires B1")
    )
    assert (
        client.post(reverse("public:pre_inscription", args=["DAK01"]), PRE | {"session": dfp.pk}).status_code
        == 302
    )
    assert sorted(e.code for e in PreInscription.objects.get().epreuves.all()) == ["CTI", "IO"]


def test_typed_text_is_normalised_before_it_is_stored(client, canada):
    client.post(
        reverse("public:pre_inscription", args=["DAK01"]),
        PRE | {"nom": "\ufeffLe\u00adfèvre\u202e ", "prenom": "  Anne\u00a0\u00a0Marie\u200b"},
    )
    pre = PreInscription.objects.get()
    assert (pre.nom, pre.prenom) == ("Lefèvre", "Anne Marie")
