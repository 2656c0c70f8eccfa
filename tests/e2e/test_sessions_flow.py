"""Issue 3's main flow, clicked as a responsable: define a tarif, create a session through the four-step
wizard, find it in the list and on the dashboard, close its enrolments (the D-2 job's service, run
directly), open the documents and sign the bon de commande."""

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone

from candidats import documents
from centres.roles import Role
from sessions_app.models import BonDeCommande, Session, SessionStatus
from tests.e2e.portal import log_in
from tests.factories import (
    CentreFactory,
    InscriptionFactory,
    MembershipFactory,
    ProduitFactory,
    prix_fda,
)


def price_field(page, code):
    return page.get_by_label(re.compile(rf"\b{code} — "))


def test_a_responsable_creates_a_session_and_signs_its_bon_de_commande(page):
    centre = CentreFactory(nom="Alliance Française de Test")
    user = MembershipFactory(
        centre=centre,
        role=Role.RESPONSABLE,
        user__email="resp@test.test",
        user__first_name="Claire",
        user__last_name="Martin",
    ).user
    produit = ProduitFactory(nom="TEF Canada", code="TEFCAN", modulaire=True)
    for code in ("CE", "CO", "EE", "EO"):
        prix_fda(produit, "35.00", code)
    session_date = timezone.localdate() + dt.timedelta(days=20)

    log_in(page, "resp@test.test")

    # Mon centre → Tarifs → the product → Définir les tarifs.
    page.get_by_role("link", name="Tarifs").click()
    page.get_by_role("link", name="TEF Canada").click()
    page.get_by_role("heading", name="Identité du produit").wait_for()
    page.get_by_role("link", name="Définir les tarifs").click()
    for code in ("CE", "CO", "EE", "EO"):
        price_field(page, code).fill("45,00")
    page.get_by_role("button", name="Enregistrer les tarifs").click()
    page.get_by_text("Les tarifs du produit « TEF Canada » ont été enregistrés.").wait_for()

    # The wizard, from the dashboard button.
    page.get_by_role("link", name="Tableau de bord").click()
    page.get_by_role("link", name="Créer une session").click()
    page.get_by_role("heading", name="Étape 1 / 4 — Produit").wait_for()
    page.get_by_label("Produit").select_option(label="TEF Canada (TEF, modulaire)")
    page.get_by_role("button", name="Suivant").click()

    page.get_by_role("heading", name="Étape 2 / 4 — Date, heure et lieu").wait_for()
    page.get_by_label("Date de la session").fill(session_date.isoformat())
    page.get_by_label("Heure").fill("09:30")
    page.get_by_label("Lieu de passation").fill("Salle Molière")
    page.get_by_role("button", name="Suivant").click()

    page.get_by_role("heading", name="Étape 3 / 4 — Places et affichage").wait_for()
    page.get_by_label("Nombre de places disponibles").fill("0")
    page.get_by_role("button", name="Suivant").click()
    page.get_by_text("La session doit offrir au moins une place.", exact=True).wait_for()
    page.get_by_label("Nombre de places disponibles").fill("12")
    page.get_by_label("Afficher en ligne").check()
    page.get_by_role("button", name="Suivant").click()

    page.get_by_role("heading", name="Étape 4 / 4 — Tarifs").wait_for()
    assert price_field(page, "EO").input_value() == "45,00"  # pre-filled from the centre's tarif
    price_field(page, "EO").fill("50,00")
    page.get_by_role("button", name="Créer la session").click()

    session = Session.objects.get()
    assert session.numero >= 7000001
    page.get_by_text(f"La session {session.label} a été créée").wait_for()
    assert page.get_by_test_id("statut").inner_text() == "Inscriptions ouvertes"
    assert "50,00" in page.get_by_test_id("session-tarifs").inner_text()
    assert "Planifiée" in page.get_by_test_id("historique").inner_text()

    # In the list and on the dashboard.
    page.locator("#sidebar").get_by_role("link", name="Sessions").click()
    assert str(session.numero) in page.get_by_test_id("sessions").inner_text()
    page.get_by_role("link", name="Tableau de bord").click()
    page.get_by_role("link", name=session.label).wait_for()

    # Two candidates, one of them virtual; then the D-2 closure and its documents (the job's service).
    InscriptionFactory(session=session)
    InscriptionFactory(session=session, virtuel=True)
    assert documents.close_enrolment(session) is True  # on_commit → render task (eager)
    assert BonDeCommande.objects.get(session=session).montant_total == Decimal("140.00")

    page.get_by_role("link", name=session.label).click()
    assert page.get_by_test_id("statut").inner_text() == "Inscriptions closes"
    page.get_by_role("link", name="Documents").click()
    page.get_by_role("heading", name="Gérer les documents").wait_for()
    assert page.get_by_test_id("bon-statut").inner_text() == "Devis non-signé"
    page.get_by_role("link", name=f"codes_acces_{session.numero}.pdf").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name=f"{session.numero}_bon_commande.pdf").click()
    assert download.value.suggested_filename == f"{session.numero}_bon_commande.pdf"

    page.get_by_role("link", name="Signer").click()
    page.get_by_text("140,00 €").wait_for()
    page.get_by_role("button", name="Signer").click()
    page.get_by_text(f"Le bon de commande de la session {session.numero} est signé.").wait_for()
    assert page.get_by_test_id("bon-statut").inner_text() == "Devis signé"
    page.get_by_text("par Claire Martin").wait_for()
    bon = BonDeCommande.objects.get(session=session)
    assert (bon.statut, bon.signed_by) == ("signe", user)
    assert session.historique.filter(to_status=SessionStatus.CLOSE).count() == 1
