"""core.emails.send, through a real SMTP server (tests/smtpserver.py): text and HTML parts from templates,
Reply-To of the centre, absolute links from SITE_URL, attachments, a refused recipient as a bounce."""

import io

from pypdf import PdfReader

from candidats.emails import send_contact_ack
from candidats.models import DemandeContact
from core import emails
from core.pdf import render_pdf
from tests.factories import CentreFactory


def test_a_candidates_email_has_both_parts_and_answers_to_the_centre(db, smtp):
    centre = CentreFactory(nom="Alliance de Lyon", email="contact@alliance-lyon.test")
    demande = DemandeContact.objects.create(
        centre=centre, nom="Durand", prenom="Léa", email="lea@example.org", message="Quand a lieu le TEF ?"
    )
    send_contact_ack(demande.pk)
    [message] = smtp.messages
    assert message.subject == "Votre demande de contact auprès d'Alliance de Lyon"
    assert message.envelope_to == ["lea@example.org"]
    assert message.header("Reply-To") == "contact@alliance-lyon.test"
    assert "Bonjour Léa DURAND" in message.text and "Bonjour Léa DURAND" in message.html
    assert "Quand a lieu le TEF ?" in message.html


def test_no_reply_to_when_the_centre_has_no_address(db, smtp):
    centre = CentreFactory(email="")
    demande = DemandeContact.objects.create(
        centre=centre, nom="Durand", prenom="Léa", email="lea@example.org", message="Bonjour"
    )
    send_contact_ack(demande.pk)
    assert smtp.messages[0].header("Reply-To") is None


def test_a_refused_recipient_is_a_bounce_not_an_exception(db, smtp):
    smtp.refuse.add("inconnu@example.org")
    delivery = emails.send(
        "set_password", {"user": None, "url": emails.absolute_url("/x/")}, ["inconnu@example.org"]
    )
    assert delivery.bounced and delivery.refused == ["inconnu@example.org"]
    assert smtp.messages == []
    delivered = emails.send("set_password", {"user": None, "url": "u"}, ["ok@example.org"])
    assert not delivered.bounced and len(smtp.messages) == 1


def test_links_follow_site_url_and_a_pdf_attachment_arrives_whole(db, smtp, settings):
    settings.SITE_URL = "https://centres.example.org/portail/"
    assert emails.absolute_url("/verification/") == "https://centres.example.org/portail/verification/"
    pdf = render_pdf("pdf/base.html", {})
    emails.send(
        "set_password",
        {"user": None, "url": emails.absolute_url("/a/")},
        ["x@example.org"],
        attachments=[("convocation.pdf", pdf, "application/pdf")],
    )
    [(filename, mimetype, content)] = smtp.messages[0].attachments()
    assert (filename, mimetype) == ("convocation.pdf", "application/pdf")
    assert len(PdfReader(io.BytesIO(content)).pages) >= 1
