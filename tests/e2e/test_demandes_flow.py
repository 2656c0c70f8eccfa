"""Issue 6's flows, clicked: the centre declares a fraude, the chargé(e) refuses it in the admin, the centre
reads the decision in INFORMATIONS; a report validated in the admin, then the candidate re-enrolled."""

import datetime as dt

from django.utils import timezone

from candidats.models import Inscription, InscriptionStatus
from centres.roles import Role
from sessions_app.models import SessionStatus
from tests.admin_auth import admin_log_in
from tests.e2e.portal import log_in
from tests.factories import (
    CandidatFactory,
    CentreFactory,
    InscriptionFactory,
    MembershipFactory,
    ProduitFactory,
    SessionFactory,
    StaffFactory,
    add_session_tarifs,
)


def world():
    centre = CentreFactory(nom="Alliance Française de Nantes", code="NAN01")
    MembershipFactory(centre=centre, role=Role.RESPONSABLE, user__email="resp@nantes.test")
    StaffFactory(email="charge@fda.test", first_name="Claire", last_name="Martin")
    # CO + EO: one of the two combinations TEF Canada allows (the réinscription checks it again).
    produit = ProduitFactory(nom="TEF Canada", code="TEFCAN", codes_epreuves=["CO", "EO"])
    past = SessionFactory(
        centre=centre,
        produit=produit,
        date=timezone.localdate() - dt.timedelta(days=1),
        statut=SessionStatus.CLOSE,
    )
    inscription = InscriptionFactory(
        session=past, candidat=CandidatFactory(centre=centre, nom="Sow", prenom="Ali")
    )
    return centre, produit, past, inscription


def decide_in_admin(browser, live_server, changelist, action, button, comment):
    fda = browser.new_context(base_url=live_server.url, locale="fr-FR")
    admin = fda.new_page()
    admin_log_in(admin, "charge@fda.test")
    admin.goto(changelist)
    admin.locator("input[name=_selected_action]").first.check()
    admin.locator("select[name=action]").select_option(action)
    admin.get_by_role("button", name="Envoyer").click()
    admin.get_by_label("Commentaire (transmis au centre)").fill(comment)
    admin.get_by_role("button", name=button, exact=True).click()
    admin.get_by_text("le centre est notifié").wait_for()
    fda.close()


def test_a_fraude_refused_by_fda_shows_in_informations(page, browser, live_server):
    _, _, past, inscription = world()
    log_in(page, "resp@nantes.test")
    page.goto(f"/candidats/session/{past.numero}/")
    row = page.locator("tr", has_text="SOW")
    row.get_by_role("button", name="Actions").click()
    row.get_by_role("link", name="Signaler une fraude ou un incident").click()
    page.get_by_label("Nature").select_option(label="Fraude")
    page.get_by_label("Description").fill("Téléphone portable découvert pendant la compréhension écrite.")
    page.get_by_role("button", name="Envoyer la demande").click()
    page.get_by_role("alert").get_by_text("en cours d'étude par le FDA").wait_for()

    decide_in_admin(
        browser, live_server, "/admin/demandes/fraude/", "refuser", "Refuser", "Preuves insuffisantes."
    )

    page.goto("/")
    # Both lines of the guide: the declaration being studied, then the decision (newest first).
    lines = page.get_by_role("link", name=f"Votre fraude concernant la session {past.label}")
    assert "est en cours d'étude par le FDA" in lines.nth(1).inner_text()
    info = lines.first
    assert "a été refusée" in info.inner_text() and "Preuves insuffisantes." in info.inner_text()
    info.click()
    assert page.get_by_test_id("demandes").get_by_text("Refusée").is_visible()


def test_a_validated_report_then_the_candidate_is_re_enrolled(page, browser, live_server):
    centre, produit, past, inscription = world()
    later = SessionFactory(centre=centre, produit=produit, date=timezone.localdate() + dt.timedelta(days=30))
    add_session_tarifs(later)
    log_in(page, "resp@nantes.test")
    page.goto(f"/candidats/inscription/{inscription.numero}/")
    page.get_by_role("link", name="Demande de report").click()
    page.get_by_label("Description").fill("Hospitalisation le jour du test.")
    page.get_by_label("Justificatifs").set_input_files(
        files=[{"name": "certificat.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 certificat"}]
    )
    page.get_by_role("button", name="Envoyer la demande").click()
    page.get_by_role("alert").get_by_text("en cours de traitement").wait_for()

    decide_in_admin(
        browser, live_server, "/admin/demandes/report/", "accepter", "Accepter", "Certificat reçu."
    )

    page.reload()
    page.get_by_role("link", name="Réinscrire le candidat").click()
    page.get_by_label(f"{later.numero} — TEF Canada").check()
    page.get_by_role("button", name="Réinscrire le candidat").click()
    page.get_by_text("sans nouveau paiement").wait_for()
    new = Inscription.objects.get(reporte_depuis=inscription)
    assert (new.session, new.prix_total) == (later, 0)
    assert Inscription.objects.get(pk=inscription.pk).statut == InscriptionStatus.REPORTE
    assert page.get_by_text("Réinscription de").is_visible()
