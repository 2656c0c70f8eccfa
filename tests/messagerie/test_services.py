"""Messagerie services: conversations, replies from both sides, read state, closing, e-mails, attachments."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from centres.models import ServiceFDA
from core.errors import BusinessError
from messagerie import services
from messagerie.models import Conversation, PieceJointe
from tests.factories import StaffFactory, conversation, uploaded_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def charge(centre_a):
    agent = StaffFactory(email="charge@fda.test")
    centre_a.charge_clientele = agent
    centre_a.save()
    return agent


def test_it_starts_a_conversation_assigned_to_the_centres_charge_and_emails_them(
    centre_a, responsable, charge, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        conv = services.start_conversation(
            centre=centre_a, titre="Question", body="Bonjour, une question.", attachments=[], by=responsable
        )
    assert conv.assigned_to == charge
    assert conv.statut == Conversation.Statut.OUVERTE
    assert conv.messages.get().from_fda is False
    assert Conversation.objects.unread_by_fda().filter(pk=conv.pk).exists()
    assert not Conversation.objects.unread_by_centre().filter(pk=conv.pk).exists()
    assert [m.to for m in mail.outbox] == [["charge@fda.test"]]
    assert "Bonjour, une question." in mail.outbox[0].body


def test_a_pedagogique_conversation_emails_the_service_pedagogique(
    centre_a, responsable, charge, django_capture_on_commit_callbacks
):
    StaffFactory(email="peda@fda.test", service_fda=ServiceFDA.PEDAGOGIQUE)
    with django_capture_on_commit_callbacks(execute=True):
        conv = services.start_conversation(
            centre=centre_a,
            titre="Évaluateur",
            body="Bonjour",
            by=responsable,
            service=ServiceFDA.PEDAGOGIQUE,
        )
    assert conv.assigned_to is None
    assert [m.to for m in mail.outbox] == [["peda@fda.test"]]


def test_an_fda_reply_makes_it_unread_for_the_centre_and_emails_the_creator(
    centre_a, responsable, administratif, charge, django_capture_on_commit_callbacks
):
    conv = conversation(centre_a, by=administratif)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.reply(conv, body="Voici la réponse.", by=charge)
    assert message.from_fda is True
    assert Conversation.objects.unread_by_centre().filter(pk=conv.pk).exists()
    assert mail.outbox[-1].to == [administratif.email]
    assert "Voici la réponse." in mail.outbox[-1].body

    services.mark_read(conv, services.CENTRE)
    assert not Conversation.objects.unread_by_centre().filter(pk=conv.pk).exists()


def test_an_fda_reply_goes_to_the_responsables_when_the_creator_left_the_centre(
    centre_a, responsable, administratif, charge, django_capture_on_commit_callbacks
):
    conv = conversation(centre_a, by=administratif)
    administratif.memberships.update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(conv, body="Réponse", by=charge)
    assert mail.outbox[-1].to == [responsable.email]


def test_a_closed_conversation_refuses_replies(centre_a, responsable, charge):
    conv = conversation(centre_a, by=responsable)
    services.close_conversation(conv, by=charge)
    conv.refresh_from_db()
    assert conv.statut == Conversation.Statut.FERMEE and conv.closed_at is not None
    with pytest.raises(BusinessError, match="fermée"):
        services.reply(conv, body="Encore une question", by=responsable)
    with pytest.raises(BusinessError, match="déjà fermée"):
        services.close_conversation(conv, by=charge)
    assert conv.messages.count() == 1
    assert list(conv.historique.values_list("from_status", "to_status", "by")) == [
        ("", Conversation.Statut.OUVERTE, responsable.pk),
        (Conversation.Statut.OUVERTE, Conversation.Statut.FERMEE, charge.pk),
    ]
    assert services.can_reply(conv) is False and services.can_close(conv) is False


def test_an_empty_message_is_refused(centre_a, responsable):
    with pytest.raises(BusinessError):
        services.start_conversation(centre=centre_a, titre="Titre", body="   ", by=responsable)
    assert not Conversation.objects.exists()


def test_attachments_are_stored_with_a_sanitised_name(centre_a, responsable):
    conv = conversation(
        centre_a, by=responsable, attachments=[uploaded_pdf("../../Relevé d'épreuves <1>.pdf")]
    )
    piece = PieceJointe.objects.get(message__conversation=conv)
    assert piece.nom == "Releve_d_epreuves_1.pdf"
    assert piece.content_type == "application/pdf"
    assert ".." not in piece.fichier.name
    with piece.fichier.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("script.exe", b"MZ\x90\x00", content_type="application/octet-stream"),
        SimpleUploadedFile("page.html", b"<script>alert(1)</script>", content_type="text/html"),
        SimpleUploadedFile("faux.pdf", b"<script>alert(1)</script>", content_type="application/pdf"),
        SimpleUploadedFile("image.png", b"%PDF-1.4", content_type="application/pdf"),
    ],
    ids=["exe", "html", "pdf-qui-n-en-est-pas-un", "type-incoherent"],
)
def test_forbidden_attachments_are_refused_and_nothing_is_written(centre_a, responsable, upload):
    with pytest.raises(BusinessError):
        conversation(centre_a, by=responsable, attachments=[upload])
    assert not Conversation.objects.exists()
    assert not PieceJointe.objects.exists()


def test_a_too_large_attachment_is_refused(centre_a, responsable, settings):
    settings.MAX_UPLOAD_SIZE = 1024
    with pytest.raises(BusinessError, match="taille maximale"):
        conversation(centre_a, by=responsable, attachments=[uploaded_pdf(content=b"%PDF-" + b"0" * 2000)])


def test_payloads_appear_literally_in_the_text_email(
    centre_a, responsable, charge, django_capture_on_commit_callbacks
):
    payload = '<script>alert("x")</script><b>gras</b> & "guillemets"'
    with django_capture_on_commit_callbacks(execute=True):
        conversation(centre_a, by=responsable, titre=payload, body=payload)
    sent = mail.outbox[-1]
    assert payload in sent.body  # text/plain: no HTML entity mangling
    assert payload in sent.subject
    assert "&lt;" not in sent.body and "&amp;" not in sent.body
    [(html, mimetype)] = sent.alternatives  # the HTML part escapes it: nothing to interpret
    assert mimetype == "text/html" and "<script>" not in html and "&lt;script&gt;" in html


def test_at_most_ten_attachments_per_message(centre_a, responsable):
    with pytest.raises(BusinessError, match="au plus 10"):
        conversation(centre_a, by=responsable, attachments=[uploaded_pdf(f"p{i}.pdf") for i in range(11)])
    assert not PieceJointe.objects.exists()


def test_a_title_with_line_breaks_gives_a_one_line_subject(
    centre_a, responsable, charge, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.start_conversation(
            centre=centre_a, titre="Ligne 1\r\nBcc: x@y.test", body="Corps", by=responsable
        )
    assert mail.outbox[-1].subject == "Portail centres : nouveau message — Ligne 1 Bcc: x@y.test"
