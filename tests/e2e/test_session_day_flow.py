"""Issue 5's flow, clicked end to end: after the test day the centre declares an absence, adds a virtual
candidate and puts the session in correction with an anomaly; FDA processes the anomaly and publishes
the results in the admin; the attestations are rendered in the background (issue 20: the page shows their
progress, then the links); the centre downloads every attestation and one of them."""

import datetime as dt
import io
import threading
import zipfile

import pytest
from django.utils import timezone
from pypdf import PdfReader

from candidats import attestations, captures
from centres.roles import Role
from sessions_app.models import BonDeCommande, Session, SessionStatus
from tests.admin_auth import admin_log_in
from tests.e2e import a11y
from tests.e2e.portal import log_in
from tests.factories import (
    CandidatFactory,
    CentreFactory,
    InscriptionFactory,
    MembershipFactory,
    ProduitFactory,
    SessionFactory,
    StaffFactory,
    image_upload,
)


def world():
    centre = CentreFactory(nom="Alliance Française de Lille", code="LIL01")
    MembershipFactory(centre=centre, role=Role.RESPONSABLE, user__email="resp@lille.test")
    StaffFactory(email="charge@fda.test", first_name="Claire", last_name="Martin")
    # The catalogue's TEF Canada: its scales and IRCC NCLC tables ship with the migrations.
    produit = ProduitFactory(nom="TEF Canada", code="TEFCAN", codes_epreuves=["CE", "CO"])
    session = SessionFactory(
        centre=centre,
        produit=produit,
        date=timezone.localdate() - dt.timedelta(days=1),
        statut=SessionStatus.CLOSE,
    )
    awa = InscriptionFactory(
        session=session, candidat=CandidatFactory(centre=centre, nom="Diop", prenom="Awa")
    )
    marc = InscriptionFactory(
        session=session, candidat=CandidatFactory(centre=centre, nom="Leroy", prenom="Marc")
    )
    for inscription in (awa, marc):
        captures.store_photo(inscription, image_upload())
        captures.store_signature(inscription, image_upload())
    BonDeCommande.objects.create(session=session, statut=BonDeCommande.Statut.SIGNE)
    return session, awa, marc


@pytest.fixture
def gate(transactional_db, settings, monkeypatch):
    """As in the demo, eager tasks run in a thread after the publishing request has answered; the
    attestations wait for the gate to open, as a busy worker pool would make them wait. At the end the gate
    opens and the thread is joined before the database is flushed."""
    settings.BACKGROUND_THREADS = True
    gate = threading.Event()
    original = attestations.attestation_pdf

    def gated(*args):
        gate.wait(60)
        return original(*args)

    monkeypatch.setattr(attestations, "attestation_pdf", gated)
    yield gate
    gate.set()
    for thread in threading.enumerate():
        if thread.name.startswith("background candidats.tasks."):
            thread.join(timeout=60)


def axe_violations(page) -> list:
    """axe-core on the page as it is (it reloads itself every 2 s: a run cut by the reload is run again)."""
    for _ in range(5):
        try:
            return a11y.run_axe(page)
        except Exception:
            page.wait_for_load_state("load")
    raise AssertionError("axe-core could not finish on the page")


def test_from_the_test_day_to_the_attestation(page, browser, live_server, gate):
    session, awa, marc = world()
    log_in(page, "resp@lille.test")

    # The candidate list: Marc was absent from CO.
    page.goto(f"/candidats/session/{session.numero}/")
    row = page.locator("tr", has_text="LEROY")
    row.get_by_role("button", name="Actions").click()
    row.get_by_role("link", name="Gérer l'absence").click()
    page.get_by_label("Absent(e) à l'épreuve CO").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Les absences de Marc LEROY sont enregistrées.").wait_for()
    assert page.locator("tr", has_text="LEROY").get_by_text("Absent").is_visible()

    # A virtual candidate replaced a failed capture.
    page.get_by_label("Nombre de candidats virtuels").fill("1")
    page.get_by_role("button", name="Ajouter des candidats virtuels").click()
    page.get_by_text("Ajouté : Candidat 1 VIRTUEL.").wait_for()

    # Absences declared for the session, then the mise en correction with the virtual candidate justified.
    page.get_by_role("link", name="Déclarer les absents").click()
    page.get_by_role("button", name="Valider la déclaration des absents").click()
    page.get_by_text("1 candidat absent").wait_for()
    page.get_by_role("link", name="Mettre en correction").click()
    page.get_by_text("Chaque candidat virtuel utilisé doit être justifié").wait_for()
    page.get_by_label("Description (ligne 1)").fill(
        "Webcam en panne : Awa Diop a composé sous un candidat virtuel."
    )
    page.get_by_role("button", name="Mettre en correction").click()
    page.get_by_text("La feuille d'anomalies de la session").wait_for()
    assert page.get_by_test_id("statut").inner_text() == "Anomalies en cours de traitement"

    # FDA processes the anomaly, enters the scores and publishes, in the admin.
    fda = browser.new_context(base_url=live_server.url, locale="fr-FR")
    admin = fda.new_page()
    admin_log_in(admin, "charge@fda.test")
    admin.goto("/admin/demandes/anomalie/")
    admin.locator("input[name=_selected_action]").first.check()
    admin.locator("select[name=action]").select_option("marquer_traitee")
    admin.get_by_role("button", name="Envoyer").click()
    admin.get_by_label("Commentaire envoyé au centre").fill("Justification acceptée.")
    admin.get_by_role("button", name="Marquer comme traitée").click()
    admin.get_by_text("la session est en correction").wait_for()

    admin.goto(f"/admin/sessions_app/session/{session.pk}/resultats/")
    for label, score in (
        (f"Score {awa.numero} CE", "349"),
        (f"Score {awa.numero} CO", "300"),
        (f"Score {marc.numero} CE", "271"),
    ):
        admin.get_by_label(label).fill(score)
    admin.get_by_role("button", name="Enregistrer les scores").click()
    admin.get_by_text("3 scores enregistrés.").wait_for()
    admin.get_by_label("Publier sans les scores manquants").check()  # the virtual candidate's
    admin.get_by_role("button", name="Publier les résultats").click()
    admin.get_by_text("les attestations sont en cours de génération").wait_for()
    # Awa and Marc get one (the virtual candidate has no score); none is ready yet, the request has returned.
    admin.get_by_text("Attestations : 0 sur 2 prêtes").wait_for()
    fda.close()
    assert Session.objects.get(pk=session.pk).statut == SessionStatus.RESULTATS

    # The centre reads its results while the attestations are being rendered: the progress, no zip yet.
    page.goto(f"/sessions/{session.numero}/")
    page.get_by_role("link", name="Tableau de résultats").click()
    assert "349 / 699" in page.get_by_test_id("resultats").inner_text()
    progress = page.get_by_test_id("attestations-progress")
    assert "Attestations : 0 sur 2 prêtes" in progress.get_by_role("status").inner_text()
    assert progress.locator("progress").get_attribute("max") == "2"
    assert page.get_by_role("link", name="Télécharger toutes les attestations").count() == 0
    assert [str(v) for v in axe_violations(page)] == []
    page.screenshot(path="test-artifacts/session_day_attestations_progress.png", full_page=True)

    # The workers get to them: the page, refreshing itself, shows the links and the zip.
    gate.set()
    zip_link = page.get_by_role("link", name="Télécharger toutes les attestations (2)")
    zip_link.wait_for(timeout=60_000)
    assert page.get_by_test_id("attestations-progress").count() == 0
    with page.expect_download() as download:
        zip_link.click()
    with open(download.value.path(), "rb") as f:
        names = sorted(zipfile.ZipFile(io.BytesIO(f.read())).namelist())
    assert names == sorted(f"attestation_{session.numero}_{i.numero}.pdf" for i in (awa, marc))

    # And Awa's attestation.
    with page.expect_download() as download:
        page.locator("tr", has_text="DIOP").get_by_role("link", name="Attestation").click()
    with open(download.value.path(), "rb") as f:
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(f).pages).split())
    assert "Attestation de résultats" in text and "DIOP Awa" in text and "349 / 699 — NCLC 4" in text
    page.screenshot(path="test-artifacts/session_day_resultats.png", full_page=True)
