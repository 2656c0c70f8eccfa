"""Issue 20: a large export is written by a worker. The centre user clicks Candidats → Toutes les inscriptions →
Exporter (Candidats opens Toutes les inscriptions), lands on the export's page, watches it progress (the page refreshes itself) and downloads the file;
an FDA agent exports the whole filtered list of Inscriptions from the back office the same way."""

import io
import os
from pathlib import Path

from openpyxl import load_workbook

from centres.roles import Role
from core.models import Export
from tests.admin_auth import admin_log_in
from tests.e2e.portal import log_in
from tests.factories import (
    CentreFactory,
    ExportFactory,
    InscriptionFactory,
    MembershipFactory,
    SessionFactory,
    StaffFactory,
)

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", "test-artifacts/screenshots"))


def rows_of(download) -> list[tuple]:
    with open(download.value.path(), "rb") as f:
        return list(load_workbook(io.BytesIO(f.read())).active.iter_rows(values_only=True))


def test_a_large_export_shows_its_progress_then_downloads(page, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    centre = CentreFactory(nom="Alliance Française de Test")
    user = MembershipFactory(centre=centre, role=Role.ADMINISTRATIF, user__email="admin@test.test").user
    session = SessionFactory(centre=centre)
    for _ in range(5):
        InscriptionFactory(session=session)

    # A running export, as the page shows it while a worker writes: it refreshes until the file is ready.
    running = ExportFactory(centre=centre, requested_by=user, lignes_faites=20_000)
    log_in(page, "admin@test.test")
    page.goto(f"/exports/{running.pk}/")
    page.get_by_text("Export en cours… 20000 lignes sur 50000 (40 %)").wait_for()
    Export.objects.filter(pk=running.pk).update(statut=Export.Statut.ECHEC)
    page.get_by_text("L'export n'a pas pu être produit").wait_for(timeout=10_000)  # refreshed by itself

    page.goto("/")
    page.get_by_role("link", name="Candidats").first.click()
    page.get_by_role("heading", name="Toutes les inscriptions").wait_for()
    page.get_by_role("link", name="Exporter").click()
    page.get_by_role("heading", name="Export « Toutes les inscriptions »").wait_for()
    page.get_by_text("L'export de 5 lignes est préparé en arrière-plan").wait_for()
    page.get_by_text("Le fichier est prêt : 5 lignes").wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "export.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger").click()
    assert download.value.suggested_filename.startswith("inscriptions_")
    rows = rows_of(download)
    assert rows[0][0] == "N° inscription" and len(rows) == 6
    page.get_by_role("link", name="Retour à la liste").click()
    page.get_by_role("heading", name="Toutes les inscriptions").wait_for()


def test_the_back_office_exports_the_whole_list_through_a_worker(page, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    StaffFactory(email="agent@fda.test")
    for _ in range(2):
        session = SessionFactory()
        for _ in range(3):
            InscriptionFactory(session=session)
    admin_log_in(page, "agent@fda.test")
    page.goto("/admin/candidats/inscription/")
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option(label="Exporter vers Excel")
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_text("Le fichier est prêt : 6 lignes").wait_for()
    page.screenshot(path=str(SHOTS / "export-back-office.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger").click()
    assert len(rows_of(download)) == 7
