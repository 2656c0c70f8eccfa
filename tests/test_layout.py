"""Issue 19: the header of every centre page: « Contacter le FDA » and « Créer une session » where the role
allows them (the views' own `centre_view` rule), a skip link, the menu that folds, the asterisk sentence."""

import pytest
from django.urls import reverse

from centres.tenancy import may_open
from core.text import de
from sessions_app import views as session_views

PAGES = ["dashboard", "centres:fiche", "sessions:list", "candidats:inscriptions", "messagerie:list"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("user", ["responsable", "administratif"])
def test_every_centre_page_has_the_two_header_buttons(client, request, name, user):
    client.force_login(request.getfixturevalue(user))
    content = client.get(reverse(name)).content.decode()
    header = content.split("<header", 1)[1].split("</header>", 1)[0]
    assert f'href="{reverse("messagerie:create")}">Contacter le FDA</a>' in header
    assert f'href="{reverse("sessions:create")}?nouvelle=1">Créer une session</a>' in header
    assert 'href="#contenu">Aller au contenu</a>' in content
    assert 'data-bs-toggle="offcanvas" data-bs-target="#sidebar"' in header


def test_the_header_button_follows_the_views_own_role_rule(responsable, administratif, evaluateur):
    memberships = {u: u.memberships.get() for u in (responsable, administratif, evaluateur)}
    assert may_open(memberships[responsable], session_views.create)
    assert may_open(memberships[administratif], session_views.create)
    assert not may_open(memberships[evaluateur], session_views.create)
    assert not may_open(None, session_views.create)


def test_a_form_page_explains_the_asterisk_and_an_error_names_the_page(client, responsable):
    client.force_login(responsable)
    url = reverse("centres:fiche_edit")
    page = client.get(url).content.decode()
    assert "Les champs marqués d'un astérisque" in page and "<title>Erreur" not in page
    failed = client.post(url, {"nom": ""}).content.decode()
    assert "<title>Erreur : " in failed
    assert 'id="error-summary"' in failed and 'href="#id_nom"' in failed


def test_french_elision_of_de():
    assert [de("Alliance Française"), de("Évaluateur centre"), de("Centre A"), de("")] == [
        "d'Alliance Française",
        "d'Évaluateur centre",
        "de Centre A",
        "de ",
    ]
