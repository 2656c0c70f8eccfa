"""What the messagerie pages and e-mails read."""

from __future__ import annotations

from django.db.models import BooleanField, Case, F, Q, QuerySet, When

from centres.models import Membership, ServiceFDA, User
from centres.roles import PORTAL_ROLES, Role

from .models import Conversation, Message


def unread_by_centre_q() -> Q:
    return Q(last_fda_message_at__isnull=False) & (
        Q(centre_read_at__isnull=True) | Q(centre_read_at__lt=F("last_fda_message_at"))
    )


def conversations_for_centre(centre) -> QuerySet[Conversation]:
    """The centre's conversations: unread first, then by last activity."""
    return (
        Conversation.objects.for_centre(centre)
        .annotate(
            non_lue=Case(When(unread_by_centre_q(), then=True), default=False, output_field=BooleanField())
        )
        .select_related("created_by")
        .order_by("-non_lue", "-last_message_at", "-pk")
    )


def conversation_messages(conversation: Conversation) -> QuerySet[Message]:
    return (
        conversation.messages.select_related("author")
        .prefetch_related("pieces_jointes")
        .order_by("created_at", "pk")
    )


def is_unread_by_centre(conversation: Conversation) -> bool:
    return conversation.last_fda_message_at is not None and (
        conversation.centre_read_at is None or conversation.centre_read_at < conversation.last_fda_message_at
    )


def is_read_by_fda(conversation: Conversation) -> bool:
    """ "Lu": FDA has seen the centre's last message."""
    return (
        conversation.last_centre_message_at is not None
        and conversation.fda_read_at is not None
        and (conversation.fda_read_at >= conversation.last_centre_message_at)
    )


def recipients_for(message: Message) -> list[str]:
    """Who is told of a new message: the other side.

    To FDA: the chargé(e) the conversation is assigned to; else, for the service pédagogique, its
    active staff; else the centre's chargé(e) de clientèle.
    To the centre: the user who opened the conversation while they still work in the centre's portal;
    else the centre's active Responsables."""
    conversation = message.conversation
    if message.from_fda:
        creator = conversation.created_by
        if (
            creator is not None
            and creator.is_active
            and Membership.objects.active()
            .filter(user=creator, centre_id=conversation.centre_id, role__in=PORTAL_ROLES)
            .exists()
        ):
            return [creator.email]
        return list(
            Membership.objects.for_centre(conversation.centre_id)
            .active()
            .filter(role=Role.RESPONSABLE)
            .values_list("user__email", flat=True)
        )
    assigned = conversation.assigned_to
    if assigned is not None and assigned.is_active:
        return [assigned.email]
    if conversation.service == ServiceFDA.PEDAGOGIQUE:
        emails = list(
            User.objects.filter(
                is_staff=True, is_active=True, service_fda=ServiceFDA.PEDAGOGIQUE
            ).values_list("email", flat=True)
        )
        if emails:
            return emails
    charge = conversation.centre.charge_clientele
    if charge is not None and charge.is_active:
        return [charge.email]
    return []
