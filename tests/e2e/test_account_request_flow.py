"""Issue 7's account flow, clicked end to end: a responsable asks for an Administratif account; FDA creates
it in the admin; the new user follows the e-mailed link, sets a password and logs in; the conversation
shows FDA's reply and is closed."""

from django.core import mail

from centres.models import AccountRequest, Membership
from centres.roles import Role
from tests.admin_auth import admin_log_in
from tests.e2e.portal import submit_login
from tests.factories import CentreFactory, MembershipFactory, StaffFactory

NEW_PASSWORD = "Un-Mot2passe-solide-2026"


def test_a_responsable_asks_for_an_administratif_account_and_the_new_user_logs_in(page, browser, live_server):
    charge = StaffFactory(email="charge@fda.test", first_name="Claire", last_name="Martin")
    centre = CentreFactory(nom="Alliance Française de Test", charge_clientele=charge)
    MembershipFactory(centre=centre, role=Role.RESPONSABLE, user__email="resp@test.test")

    # The responsable files the request.
    submit_login(page, "resp@test.test")
    page.get_by_role("heading", name="Tableau de bord").wait_for()
    page.get_by_role("link", name="Mes utilisateurs").click()
    page.get_by_role("link", name="Création d'un utilisateur centre").click()
    page.get_by_label("Nom").first.fill("Bouiri")
    page.get_by_label("Prénom").fill("Asmaa")
    page.get_by_label("Adresse e-mail").fill("asmaa@test.test")
    page.get_by_label("Rôle").select_option(label="Administratif centre")
    page.locator("input[name=telephone_1]").fill("06 12 34 56 78")
    page.get_by_role("button", name="Envoyer la demande").click()
    page.get_by_text("Votre demande a été envoyée à votre chargé(e) de clientèle").wait_for()
    page.get_by_text(
        "Bonjour, je souhaite créer l'utilisateur centre Asmaa BOUIRI, asmaa@test.test pour le rôle d'Administratif centre."
    ).wait_for()
    conversation_url = page.url
    request = AccountRequest.objects.get()
    assert (request.conversation.assigned_to, str(request.telephone)) == (charge, "+33612345678")

    # FDA creates the account from the conversation, in the admin.
    fda = browser.new_context(base_url=live_server.url, locale="fr-FR")
    admin = fda.new_page()
    admin_log_in(admin, "charge@fda.test")
    admin.goto("/admin/messagerie/conversation/?a_lire=oui")
    admin.get_by_role("link", name="Création d'un utilisateur centre : Asmaa BOUIRI").click()
    admin.get_by_role("link", name="Créer le compte").click()
    admin.get_by_role("button", name="Créer le compte").click()
    admin.get_by_text("Le compte de asmaa@test.test a été créé").wait_for()
    fda.close()
    assert Membership.objects.get(user__email="asmaa@test.test").role == Role.ADMINISTRATIF

    # The new user follows the e-mailed link, sets a password and logs in.
    message = next(m for m in mail.outbox if m.to == ["asmaa@test.test"])
    link = next(line for line in message.body.splitlines() if "/mot-de-passe/definir/" in line)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(path)
    page.get_by_role("heading", name="Définir mon mot de passe").wait_for()
    page.locator("input[name=new_password1]").fill(NEW_PASSWORD)
    page.locator("input[name=new_password2]").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.get_by_role("heading", name="Mot de passe enregistré").wait_for()
    submit_login(page, "asmaa@test.test", NEW_PASSWORD)
    page.get_by_role("heading", name="Tableau de bord").wait_for()
    assert page.get_by_test_id("role").inner_text() == "Administratif centre"

    # The conversation shows FDA's reply and is closed.
    page.goto(conversation_url)
    page.get_by_text(
        "Le compte de l'utilisateur a bien été créé et l'email de définition du mot de passe a été envoyé."
    ).wait_for()
    assert page.get_by_test_id("statut").inner_text() == "Conversation fermée"
    assert page.get_by_role("button", name="Envoyer").count() == 0
