"""Mon centre → Barèmes, clicked: a centre user opens the page from the menu, picks a session date and reads
which NCLC a score gives, with the table's source."""

from centres.roles import Role
from tests.e2e.portal import log_in
from tests.factories import CentreFactory, MembershipFactory


def test_a_centre_reads_the_nclc_tables_in_force_at_a_date(page):
    centre = CentreFactory(nom="Alliance Française de Lille", code="LIL01")
    MembershipFactory(centre=centre, role=Role.ADMINISTRATIF, user__email="admin@lille.test")
    log_in(page, "admin@lille.test")

    page.get_by_role("link", name="Barèmes").click()
    page.get_by_role("heading", name="Barèmes", exact=True).wait_for()

    page.get_by_label("Date de la session").fill("2024-06-01")
    page.get_by_role("button", name="Afficher").click()
    page.get_by_text("Tables en vigueur le 01/06/2024").wait_for()
    tefcan = page.get_by_test_id("bareme-TEFCAN")
    text = tefcan.inner_text()
    assert "Seuils NCLC — CE — Table C (IRCC)" in text
    assert "deux transcriptions concordantes" in text
    assert "Table B" not in text

    # The day before table C: table B, the same for the four skills.
    page.get_by_label("Date de la session").fill("2023-12-10")
    page.get_by_role("button", name="Afficher").click()
    page.get_by_text("Tables en vigueur le 10/12/2023").wait_for()
    text = page.get_by_test_id("bareme-TEFCAN").inner_text()
    assert "Table B (IRCC)" in text and "Table C" not in text

    # Before 1 October 2019: the old scale (CE /300) and table A.
    page.get_by_label("Date de la session").fill("2019-06-01")
    page.get_by_role("button", name="Afficher").click()
    page.get_by_text("Tables en vigueur le 01/06/2019").wait_for()
    text = page.get_by_test_id("bareme-TEFCAN").inner_text()
    assert "0 – 300" in text and "Table A (IRCC, ancienne échelle)" in text
    assert "Aucun barème publié à cette date" in page.get_by_test_id("bareme-DFPA1").inner_text()
    page.screenshot(path="test-artifacts/baremes.png", full_page=True)
