"""The foundation's main flow, as a centre user clicks it: log in, dashboard, edit the fiche, log out."""

from centres.models import Centre, Visibilite
from centres.roles import Role
from tests.e2e.portal import submit_login
from tests.factories import CentreFactory, MembershipFactory


def test_a_responsable_logs_in_edits_the_fiche_and_logs_out(page):
    centre = CentreFactory(nom="Alliance Française de Test")
    MembershipFactory(centre=centre, role=Role.RESPONSABLE, user__email="resp@test.test")

    submit_login(page, "resp@test.test")
    page.get_by_role("heading", name="Tableau de bord").wait_for()
    assert page.get_by_test_id("role").inner_text() == "Responsable de centre"
    for block in ("Informations", "Reste à traiter", "Liste des 5 prochaines sessions"):
        assert page.get_by_role("heading", name=block).is_visible()

    page.get_by_role("link", name="Ma fiche centre").click()
    page.get_by_role("link", name="Modifier").click()
    page.get_by_label("Ville").fill("Lyon")
    page.get_by_label(Visibilite.SANS_SESSIONS.label).check()
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("La fiche du centre a été enregistrée.").wait_for()
    assert page.get_by_test_id("visibilite").inner_text() == Visibilite.SANS_SESSIONS.label
    centre = Centre.objects.get(pk=centre.pk)
    assert (centre.ville, centre.visibilite) == ("Lyon", Visibilite.SANS_SESSIONS)

    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("heading", name="Connexion").wait_for()
    page.goto("/mon-centre/fiche/")
    assert "/connexion/" in page.url


def test_an_evaluateur_is_refused_with_a_clear_message(page):
    MembershipFactory(role=Role.EVALUATEUR, user__email="eval@test.test")
    submit_login(page, "eval@test.test")
    page.locator("form").get_by_text("Le rôle Évaluateur centre ne donne pas accès au portail").wait_for()
    assert "/connexion/" in page.url
