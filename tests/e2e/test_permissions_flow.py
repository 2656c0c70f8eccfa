"""The role table as an Administratif sees it: the portal's actions, not the Responsable's own ones."""

from django.urls import reverse

from centres.roles import Role
from tests.e2e.portal import log_in
from tests.factories import CentreFactory, MembershipFactory


def test_an_administratif_works_in_the_portal_without_the_responsables_buttons(page):
    centre = CentreFactory(nom="Alliance Française de Test")
    MembershipFactory(centre=centre, role=Role.RESPONSABLE, user__email="resp@test.test")
    MembershipFactory(centre=centre, role=Role.ADMINISTRATIF, user__email="admin@test.test")

    log_in(page, "admin@test.test")
    assert page.get_by_test_id("role").inner_text() == "Administratif centre"
    assert page.get_by_role("link", name="Créer une session").is_visible()
    assert page.get_by_role("link", name="Contacter le FDA").is_visible()

    page.get_by_role("link", name="Ma fiche centre").click()
    page.get_by_role("heading", name="Ma fiche centre").wait_for()
    assert page.get_by_role("link", name="Modifier").count() == 0

    page.get_by_role("link", name="Mes utilisateurs").click()
    page.get_by_role("heading", name="Mes utilisateurs").wait_for()
    assert page.get_by_role("link", name="Création d'un utilisateur centre").count() == 0
    assert page.get_by_role("link", name="Demander la désactivation").count() == 0

    # Typing the address does not help: the view declares the same permission.
    response = page.goto(reverse("centres:fiche_edit"))
    assert response.status == 403
