"""E-mails of the messagerie: one per new message, to the other side (text + HTML, core.emails.send)."""

from django.urls import reverse

from core import emails

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
        url = emails.absolute_url(reverse("messagerie:detail", kwargs={"pk": conversation.pk}))
    else:
        url = emails.absolute_url(reverse("admin:messagerie_conversation_change", args=[conversation.pk]))
    context = {"message": message, "conversation": conversation, "centre": conversation.centre, "url": url}
    emails.send("nouveau_message", context, recipients)
