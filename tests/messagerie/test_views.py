"""Messagerie pages of the portal: list, Créer une demande, conversation, reply, attachments."""

import datetime as dt

import pytest
from django.urls import reverse

from messagerie import services
from messagerie.models import Conversation, PieceJointe
from sessions_app.closure import PARIS
from tests.factories import StaffFactory, conversation, uploaded_pdf

pytestmark = pytest.mark.django_db
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def agent(db):
    return StaffFactory(email="charge@fda.test")


def test_it_creates_a_demande_and_shows_it(client, responsable, centre_a):
    client.force_login(responsable)
    page = client.get(reverse("messagerie:create"))
    assert "Créer une demande" in page.content.decode()
    response = client.post(
        reverse("messagerie:create"),
        {
            "titre": "Question tarifs",
            "message": "Bonjour,\nune question.",
            "pieces_jointes": [uploaded_pdf("devis.pdf")],
        },
    )
    conv = Conversation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "messagerie:detail", args=[conv.pk]
    )
    assert conv.centre == centre_a and conv.created_by == responsable
    content = client.get(response["Location"]).content.decode()
    assert "Question tarifs" in content and "une question." in content
    assert "devis.pdf" in content
    assert "Votre demande a été envoyée" in content


def test_titre_and_message_are_required(client, responsable):
    client.force_login(responsable)
    response = client.post(reverse("messagerie:create"), {"titre": "", "message": ""})
    assert response.status_code == 200
    assert not Conversation.objects.exists()
    assert "obligatoire" in response.content.decode()


def test_a_refused_attachment_is_reported_and_nothing_is_created(client, responsable):
    client.force_login(responsable)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(
        reverse("messagerie:create"), {"titre": "T", "message": "M", "pieces_jointes": [bad]}
    )
    assert response.status_code == 200
    assert "n&#x27;est pas accepté" in response.content.decode()
    assert not Conversation.objects.exists()


def test_the_list_shows_unread_first_then_last_activity(client, responsable, centre_a, centre_b, agent):
    old_unread = conversation(centre_a, by=responsable, titre="Ancienne non lue")
    services.reply(old_unread, body="Réponse FDA", by=agent)
    Conversation.objects.filter(pk=old_unread.pk).update(
        last_message_at=dt.datetime(2026, 1, 1, tzinfo=PARIS)
    )
    recent = conversation(centre_a, by=responsable, titre="Récente lue")
    closed = conversation(centre_a, by=responsable, titre="Close")
    services.close_conversation(closed, by=agent)
    conversation(centre_b, titre="Celle du centre B")
    client.force_login(responsable)
    page = client.get(reverse("messagerie:list"))
    titles = [c.titre for c in page.context["page"]]
    assert titles[0] == "Ancienne non lue"
    assert set(titles) == {"Ancienne non lue", "Récente lue", "Close"}
    assert titles.index("Close") < titles.index("Récente lue")  # more recent activity first
    content = page.content.decode()
    assert "Conversation fermée" in content and "Non lu" in content
    assert "Celle du centre B" not in content
    assert recent.titre in content


def test_opening_a_conversation_marks_it_read_and_shows_the_guides_date_format(
    client, responsable, centre_a, agent
):
    conv = conversation(centre_a, by=responsable, titre="Question")
    services.reply(conv, body="Réponse du FDA", by=agent)
    Conversation.objects.filter(pk=conv.pk).update(fda_read_at=dt.datetime(2099, 1, 1, tzinfo=PARIS))
    conv.messages.update(created_at=dt.datetime(2023, 9, 5, 16, 21, tzinfo=PARIS))
    client.force_login(responsable)
    assert client.get(reverse("dashboard")).context["unread_conversations"] == 1
    content = client.get(reverse("messagerie:detail", args=[conv.pk])).content.decode()
    assert "Envoyé le 05 septembre 2023 à 16h21" in content
    assert "Réponse du FDA" in content
    assert 'data-testid="lu"' in content  # FDA read the centre's message: "Lu"
    assert not Conversation.objects.unread_by_centre().filter(pk=conv.pk).exists()
    assert client.get(reverse("dashboard")).context["unread_conversations"] == 0


def test_the_centre_replies_and_fda_sees_it_unread(client, administratif, centre_a, agent):
    conv = conversation(centre_a, by=administratif)
    services.mark_read(conv, services.FDA)
    client.force_login(administratif)
    response = client.post(reverse("messagerie:reply", args=[conv.pk]), {"message": "Complément"})
    assert response.status_code == 302
    assert conv.messages.last().body == "Complément"
    assert Conversation.objects.unread_by_fda().filter(pk=conv.pk).exists()


def test_a_closed_conversation_has_no_reply_form_and_refuses_a_posted_reply(
    client, responsable, centre_a, agent
):
    conv = conversation(centre_a, by=responsable)
    services.close_conversation(conv, by=agent)
    client.force_login(responsable)
    content = client.get(reverse("messagerie:detail", args=[conv.pk])).content.decode()
    assert "Conversation fermée" in content
    assert reverse("messagerie:reply", args=[conv.pk]) not in content
    response = client.post(reverse("messagerie:reply", args=[conv.pk]), {"message": "Encore"})
    assert response.status_code == 400
    assert "Cette conversation est fermée" in response.content.decode()
    assert conv.messages.count() == 1


def test_the_reply_url_refuses_get(client, responsable, centre_a):
    conv = conversation(centre_a, by=responsable)
    client.force_login(responsable)
    assert client.get(reverse("messagerie:reply", args=[conv.pk])).status_code == 405


def test_attachments_download_for_their_centre_only(client, responsable, responsable_b, centre_a):
    conv = conversation(centre_a, by=responsable, attachments=[uploaded_pdf("releve.pdf")])
    piece = PieceJointe.objects.get()
    url = reverse("messagerie:attachment", args=[conv.pk, piece.pk])
    client.force_login(responsable)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="releve.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(responsable_b)
    assert client.get(url).status_code == 404
    assert client.get(reverse("messagerie:detail", args=[conv.pk])).status_code == 404
    assert client.post(reverse("messagerie:reply", args=[conv.pk]), {"message": "x"}).status_code == 404


def test_payloads_are_escaped_in_portal_pages(client, responsable, centre_a, agent):
    conv = conversation(centre_a, by=responsable, titre=PAYLOAD, body=PAYLOAD)
    services.reply(conv, body=PAYLOAD, by=agent)
    client.force_login(responsable)
    for url in (reverse("messagerie:list"), reverse("messagerie:detail", args=[conv.pk])):
        content = client.get(url).content.decode()
        assert "<script>alert" not in content and "<img src=x" not in content
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content


@pytest.mark.parametrize("n", [1, 60])
def test_pages_run_a_bounded_number_of_queries(
    client, responsable, centre_a, agent, n, django_assert_max_num_queries
):
    conv = None
    for i in range(n):
        conv = conversation(centre_a, by=responsable, titre=f"Conversation {i}", attachments=[uploaded_pdf()])
    for i in range(n):
        services.reply(conv, body=f"Réponse {i}", by=agent, attachments=[uploaded_pdf()])
    client.force_login(responsable)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("messagerie:list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("messagerie:detail", args=[conv.pk])).status_code == 200


def test_the_list_says_lu_once_fda_has_read(client, responsable, centre_a):
    conv = conversation(centre_a, by=responsable)
    client.force_login(responsable)
    assert "Lu <i" not in client.get(reverse("messagerie:list")).content.decode()
    services.mark_read(conv, services.FDA)
    assert "Lu <i" in client.get(reverse("messagerie:list")).content.decode()
