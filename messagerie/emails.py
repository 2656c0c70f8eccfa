"""E-mails of the messagerie: one per new message, to the other side (text/plain, rendered from templates)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Message
from .selectors import recipients_for


def send_new_message_email(message_id: int) -> None:
    message = (
        Message.objects.select_related(
            "conversation__centre__charge_clientele",
            "conversation__assigned_to",
            "conversation__created_by",
            "author",
        )
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return
    conversation = message.conversation
    recipients = recipients_for(message)
    if not recipients:
        return
    if message.from_fda:
        url = settings.SITE_URL + reverse("messagerie:detail", kwargs={"pk": conversation.pk})
    else:
        url = settings.SITE_URL + reverse("admin:messagerie_conversation_change", args=[conversation.pk])
    context = {"message": message, "conversation": conversation, "centre": conversation.centre, "url": url}
    # One line whatever the title holds (a header never carries a line break).
    subject = " ".join(render_to_string("emails/nouveau_message_subject.txt", context).split())
    body = render_to_string("emails/nouveau_message.txt", context)
    send_mail(subject, body, None, recipients)
