"""The pages make bench sped up, clicked as a user would: a full session's Tableau de résultats page by
page, and the FDA back office finding a centre's requests by its code."""

from centres.roles import Role
from core.models import next_number
from demandes.models import Demande, DemandeKind
from sessions_app.models import SessionStatus
from tests.admin_auth import admin_log_in
from tests.e2e.portal import log_in
from tests.factories import (
    CandidatFactory,
    CentreFactory,
    InscriptionFactory,
    MembershipFactory,
    SessionFactory,
    StaffFactory,
)


def test_a_session_of_sixty_results_page_by_page(page):
    centre = CentreFactory(nom="Alliance Française de Lille", code="LIL01")
    MembershipFactory(centre=centre, role=Role.RESPONSABLE, user__email="resp@lille.test")
    session = SessionFactory(centre=centre, statut=SessionStatus.RESULTATS)
    for i in range(60):
        InscriptionFactory(session=session, candidat=CandidatFactory(centre=centre, nom=f"Nom{i:02d}"))
    log_in(page, "resp@lille.test")
    page.goto(f"/sessions/{session.numero}/resultats/")
    page.get_by_text("1–50 sur 60").wait_for()
    assert page.get_by_text("NOM49").is_visible()
    assert page.get_by_text("NOM50").count() == 0
    page.get_by_role("link", name="Suivant").click()
    page.get_by_text("51–60 sur 60").wait_for()
    assert page.get_by_text("NOM59").is_visible()


def test_the_back_office_finds_a_centres_requests_by_its_code(page):
    StaffFactory(email="charge@fda.test", is_superuser=True)
    for code in ("LIL01", "LYO02"):
        centre = CentreFactory(code=code, nom=f"Centre {code}")
        Demande.objects.create(
            numero=next_number("demande"),
            kind=DemandeKind.REPORT,
            centre=centre,
            inscription=InscriptionFactory(session=SessionFactory(centre=centre)),
            description="Report.",
        )
    admin_log_in(page, "charge@fda.test")
    page.goto("/admin/demandes/demande/")
    assert page.locator("#changelist-filter").get_by_text("Par centre").count() == 0
    page.locator("#searchbar").fill("LYO02")
    page.locator("#changelist-search input[type=submit]").click()
    page.get_by_text("1 résultat").wait_for()
    assert page.locator("#result_list tbody tr").count() == 1
    assert page.locator("#result_list").get_by_text("Centre LYO02").count() == 1
