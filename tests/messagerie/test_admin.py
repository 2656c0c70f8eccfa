"""Back office FDA: the conversation's thread, the "Répondre" field, assignment, closing, unread filter."""

import pytest
from django.core import mail
from django.urls import reverse

from messagerie import services
from messagerie.models import Conversation
from tests.admin_auth import admin_force_login
from tests.factories import StaffFactory, conversation, uploaded_pdf

pytestmark = pytest.mark.django_db
PAYLOAD = '<script>alert("x")</script>'


@pytest.fixture
def agent(db):
    return StaffFactory(email="charge@fda.test")


@pytest.fixture
def admin_client(client, agent):
    return admin_force_login(client, agent)


def change_url(conv):
    return reverse("admin:messagerie_conversation_change", args=[conv.pk])


def post_change(admin_client, conv, **data):
    payload = {
        "service": conv.service,
        "assigned_to": conv.assigned_to_id or "",
        "reponse": "",
        # The read-only status history inline's management form, as the browser sends it.
        "historique-TOTAL_FORMS": "0",
        "historique-INITIAL_FORMS": "0",
        **data,
    }
    return admin_client.post(change_url(conv), payload)


def test_opening_a_conversation_in_the_admin_marks_it_read_by_fda(admin_client, centre_a, responsable):
    conv = conversation(centre_a, by=responsable, body="Bonjour FDA")
    assert Conversation.objects.unread_by_fda().filter(pk=conv.pk).exists()
    content = admin_client.get(change_url(conv)).content.decode()
    assert "Bonjour FDA" in content and "Répondre" in content
    assert not Conversation.objects.unread_by_fda().filter(pk=conv.pk).exists()


def test_fda_replies_assigns_and_the_centre_is_emailed(
    admin_client, agent, centre_a, responsable, django_capture_on_commit_callbacks
):
    conv = conversation(centre_a, by=responsable)
    other = StaffFactory(email="autre@fda.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_change(
            admin_client,
            conv,
            reponse="Voici notre réponse.",
            assigned_to=other.pk,
            pieces_jointes=[uploaded_pdf("reponse.pdf")],
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    conv.refresh_from_db()
    assert conv.assigned_to == other
    last = conv.messages.last()
    assert (last.body, last.from_fda, last.author) == ("Voici notre réponse.", True, agent)
    assert last.pieces_jointes.get().nom == "reponse.pdf"
    assert Conversation.objects.unread_by_centre().filter(pk=conv.pk).exists()
    assert mail.outbox[-1].to == [responsable.email]


def test_fda_can_reply_and_close_at_once_then_no_more_reply(admin_client, centre_a, responsable):
    conv = conversation(centre_a, by=responsable)
    assert post_change(admin_client, conv, reponse="C'est fait.", fermer="on").status_code == 302
    conv.refresh_from_db()
    assert conv.statut == Conversation.Statut.FERMEE
    response = post_change(admin_client, conv, reponse="Encore")
    assert response.status_code == 200
    assert "Cette conversation est fermée" in response.content.decode()
    assert conv.messages.count() == 2


def test_the_close_action_and_the_unread_filter(admin_client, agent, centre_a, responsable):
    unread = conversation(centre_a, by=responsable, titre="À lire")
    read = conversation(centre_a, by=responsable, titre="Déjà lue")
    services.mark_read(read, services.FDA)
    changelist = reverse("admin:messagerie_conversation_changelist")
    content = admin_client.get(changelist + "?a_lire=oui").content.decode()
    assert "À lire" in content and "Déjà lue" not in content
    response = admin_client.post(
        changelist, {"action": "fermer_conversations", "_selected_action": [unread.pk, read.pk]}
    )
    assert response.status_code == 302
    assert set(Conversation.objects.values_list("statut", flat=True)) == {Conversation.Statut.FERMEE}


def test_payloads_are_escaped_in_the_admin(admin_client, centre_a, responsable):
    conv = conversation(centre_a, by=responsable, titre=PAYLOAD, body=PAYLOAD)
    for url in (change_url(conv), reverse("admin:messagerie_conversation_changelist")):
        content = admin_client.get(url).content.decode()
        assert "<script>alert" not in content
        assert "&lt;script&gt;" in content


def test_the_admin_attachment_download(admin_client, centre_a, responsable):
    conv = conversation(centre_a, by=responsable, attachments=[uploaded_pdf("piece.pdf")])
    piece = conv.messages.get().pieces_jointes.get()
    content = admin_client.get(change_url(conv)).content.decode()
    url = reverse("admin:messagerie_piecejointe_download", args=[piece.pk])
    assert url in content
    response = admin_client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("n", [1, 40])
def test_the_change_page_runs_a_bounded_number_of_queries(
    admin_client, centre_a, responsable, agent, n, django_assert_max_num_queries
):
    conv = conversation(centre_a, by=responsable)
    for i in range(n):
        services.reply(conv, body=f"Réponse {i}", by=agent, attachments=[uploaded_pdf()])
    with django_assert_max_num_queries(20):
        assert admin_client.get(change_url(conv)).status_code == 200


def test_fda_opens_a_conversation_with_a_centre_from_the_admin(
    admin_client, agent, centre_a, responsable, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:messagerie_conversation_add"),
            {
                "titre": "Rappel",
                "centre": centre_a.pk,
                "service": "clientele",
                "assigned_to": agent.pk,
                "reponse": "Merci de signer le bon de commande.",
                "historique-TOTAL_FORMS": "0",
                "historique-INITIAL_FORMS": "0",
            },
        )
    assert response.status_code == 302
    conv = Conversation.objects.get()
    message = conv.messages.get()
    assert (message.from_fda, message.author, conv.assigned_to) == (True, agent, agent)
    assert Conversation.objects.unread_by_centre().filter(pk=conv.pk).exists()
    assert mail.outbox[-1].to == [responsable.email]


def test_saving_without_a_reply_changes_only_the_assignment(admin_client, centre_a, responsable):
    conv = conversation(centre_a, by=responsable)
    other = StaffFactory(email="autre@fda.test")
    assert post_change(admin_client, conv, assigned_to=other.pk).status_code == 302
    conv.refresh_from_db()
    assert conv.assigned_to == other and conv.messages.count() == 1


def test_the_assigned_to_me_filter(admin_client, agent, centre_a, responsable):
    mine = conversation(centre_a, by=responsable, titre="La mienne")
    Conversation.objects.filter(pk=mine.pk).update(assigned_to=agent)
    conversation(centre_a, by=responsable, titre="Personne")
    content = admin_client.get(
        reverse("admin:messagerie_conversation_changelist") + "?attribuee=moi"
    ).content.decode()
    assert "La mienne" in content and "Personne" not in content
