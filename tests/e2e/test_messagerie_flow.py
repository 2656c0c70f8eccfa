"""Issue 7's messagerie flow: a centre user creates a demande (with an attachment) from "Contacter le FDA";
FDA reads it and replies in the admin; the centre sees the unread badge in the side menu, then the reply."""

import re

from django.core import mail

from centres.roles import Role
from messagerie.models import Conversation
from tests.admin_auth import admin_log_in
from tests.e2e.portal import log_in
from tests.factories import CentreFactory, MembershipFactory, StaffFactory


def test_a_demande_is_answered_by_fda_and_the_centre_sees_the_reply(page, browser, live_server, tmp_path):
    charge = StaffFactory(email="charge@fda.test")
    centre = CentreFactory(nom="Alliance Française de Test", charge_clientele=charge)
    MembershipFactory(centre=centre, role=Role.ADMINISTRATIF, user__email="admin@test.test")
    pdf = tmp_path / "liste.pdf"
    pdf.write_bytes(b"%PDF-1.4 liste des candidats")

    log_in(page, "admin@test.test")
    page.get_by_role("link", name="Contacter le FDA").click()
    page.get_by_role("heading", name="Créer une demande").wait_for()
    page.get_by_label("Titre").fill("Session du 12 octobre")
    page.get_by_label("Message").fill("Bonjour, pouvez-vous ajouter 5 places ?")
    page.get_by_label("Pièces jointes").set_input_files(str(pdf))
    page.get_by_role("button", name="Envoyer").click()
    page.get_by_text("Votre demande a été envoyée au Français des affaires.").wait_for()
    assert page.get_by_role("link", name="liste.pdf").is_visible()
    conversation_url = page.url
    assert mail.outbox[-1].to == ["charge@fda.test"]

    # FDA replies in the admin.
    fda = browser.new_context(base_url=live_server.url, locale="fr-FR")
    admin = fda.new_page()
    admin_log_in(admin, "charge@fda.test")
    admin.goto("/admin/messagerie/conversation/")
    admin.get_by_role("link", name="Session du 12 octobre").click()
    admin.get_by_text("Bonjour, pouvez-vous ajouter 5 places ?").wait_for()
    admin.get_by_role("textbox", name="Répondre").fill("C'est fait : la session compte maintenant 25 places.")
    admin.get_by_role("button", name="Enregistrer", exact=True).click()
    admin.get_by_text(re.compile("a été modifié")).first.wait_for()
    fda.close()
    conversation = Conversation.objects.get()
    assert conversation.messages.last().from_fda
    assert mail.outbox[-1].to == ["admin@test.test"]

    # The centre sees the unread badge, then the reply; reading clears the badge.
    page.goto("/")
    badge = page.get_by_title("Conversations non lues")
    assert badge.text_content() == "1 conversation non lue"  # the number, and its meaning for screen readers
    assert page.get_by_role("link", name="1 message non lu").is_visible()
    page.locator("#sidebar").get_by_role("link", name=re.compile("Messagerie")).click()
    page.get_by_role("link", name="Session du 12 octobre").click()
    assert page.url == conversation_url
    page.get_by_text("C'est fait : la session compte maintenant 25 places.").wait_for()
    assert page.get_by_test_id("lu").is_visible()
    assert page.get_by_title("Conversations non lues").count() == 0
