"""Issue 22: a responsable opens Mon centre → Statistiques, filters a period and a product, reads a chart's
table and downloads it; then Sessions → Calendrier, moves to the next month and opens a session."""

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from centres.roles import Role
from portail.statistics import add_months
from sessions_app.models import SessionStatus
from tests.e2e.portal import log_in
from tests.factories import (
    CentreFactory,
    InscriptionFactory,
    MembershipFactory,
    ProduitFactory,
    SessionFactory,
)

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "test-artifacts/screenshots"))


def test_statistics_with_filters_then_the_calendar(page):
    centre = CentreFactory(nom="Alliance Française de Test")
    MembershipFactory(centre=centre, role=Role.RESPONSABLE, user__email="resp@test.test")
    tef = ProduitFactory(nom="TEF Canada")
    other = ProduitFactory(nom="TEF IRN", modulaire=False)
    this_month = timezone.localdate().replace(day=1)
    last_month = add_months(this_month, -1)
    past = SessionFactory(
        centre=centre, produit=tef, date=last_month + dt.timedelta(days=3), statut=SessionStatus.CLOSE
    )
    for _ in range(3):
        InscriptionFactory(session=past, prix_total=Decimal("150.00"))
    irn = SessionFactory(centre=centre, produit=other, date=last_month + dt.timedelta(days=5))
    InscriptionFactory(session=irn, prix_total=Decimal("90.00"))
    next_month = add_months(this_month, 1)
    upcoming = SessionFactory(
        centre=centre, produit=tef, date=next_month + dt.timedelta(days=8), nb_places=15
    )
    InscriptionFactory(session=upcoming)

    log_in(page, "resp@test.test")
    page.get_by_role("link", name="Statistiques").click()
    page.get_by_role("heading", name="Statistiques", exact=True).wait_for()
    page.get_by_label("Du mois").fill(last_month.strftime("%Y-%m"))
    page.get_by_label("Au mois").fill(this_month.strftime("%Y-%m"))
    page.get_by_label("Produit").select_option(label="TEF Canada")
    page.get_by_role("button", name="Afficher").click()
    page.get_by_text("produit : TEF Canada").wait_for()

    block = page.get_by_test_id("stat-inscriptions")
    assert block.get_by_role("img", name="Inscriptions par mois").is_visible()
    rows = block.locator("tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(1).inner_text() == "3"  # TEF Canada only: the IRN enrolment is not
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "statistiques.png"), full_page=True)
    with page.expect_download() as download:
        block.get_by_role("link", name="CSV — Inscriptions par mois").click()
    assert download.value.suggested_filename.endswith("-inscriptions.csv")

    page.get_by_role("link", name="Calendrier").click()
    page.get_by_role("heading", name="Calendrier des sessions").wait_for()
    page.get_by_role("link", name="Mois suivant").click()
    link = page.get_by_test_id(f"session-{upcoming.numero}")
    assert "14 places restantes / 15" in link.inner_text()
    assert "Inscriptions ouvertes" in link.inner_text()
    address = page.get_by_label("Adresse").input_value()
    assert "/calendrier/" in address and address.endswith(".ics")
    page.screenshot(path=str(SHOTS / "calendrier.png"), full_page=True)
    page.get_by_role("button", name="Révoquer et créer une nouvelle adresse").click()
    page.get_by_text("L'ancienne adresse du calendrier est révoquée").wait_for()
    assert page.get_by_label("Adresse").input_value() != address
    page.goto(f"/sessions/calendrier/?mois={next_month:%Y-%m}")
    page.get_by_test_id(f"session-{upcoming.numero}").click()
    page.get_by_text(str(upcoming.numero)).first.wait_for()


def test_fda_reads_the_network_statistics_from_the_admin_index(page):
    from portail.statistics import refresh_network_statistics
    from tests.admin_auth import admin_log_in
    from tests.factories import StaffFactory

    produit = ProduitFactory(nom="TEF Canada")
    for nom, n in (("Centre Nord", 3), ("Centre Sud", 1)):
        session = SessionFactory(
            centre=CentreFactory(nom=nom),
            produit=produit,
            date=timezone.localdate(),
            statut=SessionStatus.CLOSE,
        )
        for _ in range(n):
            InscriptionFactory(session=session)
    refresh_network_statistics()
    StaffFactory(email="charge@fda.test")
    admin_log_in(page, "charge@fda.test")
    page.get_by_role("link", name="Statistiques du réseau").first.click()
    page.get_by_test_id("computed-at").get_by_text("Chiffres calculés le").wait_for()
    ranked = page.get_by_test_id("stat-reseau-centres")
    assert ranked.get_by_role("img", name="Les 15 premiers centres (inscriptions)").is_visible()
    first = ranked.locator("tbody tr").first
    assert "Centre Nord" in first.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "statistiques-reseau.png"), full_page=True)
