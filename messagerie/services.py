"""Messagerie business actions: start a conversation, reply, mark read, close.

Every write locks the conversation row, keeps the read state per side (last message of each side,
read instant of each side), and e-mails the other side once the transaction has committed."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from centres.models import ServiceFDA
from core.errors import BusinessError
from core.uploads import MAX_ATTACHMENTS, safe_filename, validate_attachment
from core.workflow import Workflow

from . import tasks
from .models import Conversation, ConversationStatusChange, Message, PieceJointe

S = Conversation.Statut

# The one table of conversation status changes.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.OUVERTE: frozenset({S.FERMEE}),
    S.FERMEE: frozenset(),
}
CONVERSATIONS = Workflow(
    Conversation,
    transitions=TRANSITIONS,
    history=ConversationStatusChange,
    noun=lambda conversation: f"La conversation « {conversation.titre} »",
)

CENTRE = "centre"
FDA = "fda"


def _add_message(
    conversation: Conversation, *, body: str, attachments: Iterable, by, from_fda: bool
) -> Message:
    body = (body or "").strip()
    if not body:
        raise BusinessError("Le message ne peut pas être vide.")
    attachments = list(attachments or [])
    if len(attachments) > MAX_ATTACHMENTS:
        raise BusinessError(f"Un message peut avoir au plus {MAX_ATTACHMENTS} pièces jointes.")
    types = [validate_attachment(f) for f in attachments]
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation, author=by, from_fda=from_fda, body=body, created_at=now
    )
    for upload, content_type in zip(attachments, types, strict=True):
        name = safe_filename(upload.name)
        piece = PieceJointe(message=message, nom=name, content_type=content_type)
        piece.fichier.save(name, upload, save=False)
        piece.save()
    conversation.last_message_at = now
    fields = ["last_message_at"]
    if from_fda:
        conversation.last_fda_message_at = conversation.fda_read_at = now
        fields += ["last_fda_message_at", "fda_read_at"]
    else:
        conversation.last_centre_message_at = conversation.centre_read_at = now
        fields += ["last_centre_message_at", "centre_read_at"]
    conversation.save(update_fields=fields)
    transaction.on_commit(lambda: _notify(message.pk))
    return message


def _notify(message_id: int) -> None:
    tasks.send_new_message_email.delay(message_id)


@transaction.atomic
def start_conversation(
    *,
    centre,
    titre: str,
    body: str,
    attachments: Iterable = (),
    by,
    service: str = ServiceFDA.CLIENTELE,
    assigned_to=None,
) -> Conversation:
    """ "Créer une demande": a new conversation of the centre with its first message (from the centre,
    or from FDA when a staff member opens it in the back office)."""
    titre = (titre or "").strip()
    if not titre:
        raise BusinessError("Le titre est obligatoire.")
    if assigned_to is None and service == ServiceFDA.CLIENTELE:
        assigned_to = centre.charge_clientele
    conversation = Conversation.objects.create(
        centre=centre,
        titre=titre[:200],
        service=service,
        created_by=by,
        assigned_to=assigned_to,
    )
    CONVERSATIONS.record_creation(conversation, by=by, comment="Conversation créée.")
    _add_message(conversation, body=body, attachments=attachments, by=by, from_fda=bool(by.is_staff))
    return conversation


def cannot_reply(conversation: Conversation) -> str | None:
    """Why nobody may answer in this conversation any more (French), or None."""
    if conversation.statut == S.FERMEE:
        return "Cette conversation est fermée : il n'est plus possible d'y répondre."
    return None


def can_reply(conversation: Conversation) -> bool:
    return cannot_reply(conversation) is None


@transaction.atomic
def reply(conversation: Conversation, *, body: str, attachments: Iterable = (), by) -> Message:
    """A reply from either side: FDA staff answer as FDA, centre users as their centre."""
    locked = CONVERSATIONS.lock(conversation)
    if (refusal := cannot_reply(locked)) is not None:
        raise BusinessError(refusal, code="closed")
    message = _add_message(locked, body=body, attachments=attachments, by=by, from_fda=bool(by.is_staff))
    _refresh(conversation, locked)
    return message


def mark_read(conversation: Conversation, side: str) -> None:
    """The side (CENTRE or FDA) has seen every message up to now ("Lu")."""
    field = {CENTRE: "centre_read_at", FDA: "fda_read_at"}[side]
    now = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(**{field: now})
    setattr(conversation, field, now)


def cannot_close(conversation: Conversation) -> str | None:
    if not CONVERSATIONS.allows(conversation.statut, S.FERMEE):
        return "Cette conversation est déjà fermée."
    return None


def can_close(conversation: Conversation) -> bool:
    return cannot_close(conversation) is None


@transaction.atomic
def close_conversation(conversation: Conversation, *, by, comment: str = "") -> Conversation:
    """ "Fermer la conversation" ("Conversation fermée"): nobody can answer in it any more."""
    locked = CONVERSATIONS.lock(conversation)
    if (refusal := cannot_close(locked)) is not None:
        raise BusinessError(refusal, code="transition")
    CONVERSATIONS.transition(
        locked, S.FERMEE, by=by, comment=comment, changes={"closed_at": timezone.now()}, locked=True
    )
    _refresh(conversation, locked)
    return conversation


def _refresh(target: Conversation, source: Conversation) -> None:
    for field in (
        "statut",
        "closed_at",
        "last_message_at",
        "last_centre_message_at",
        "last_fda_message_at",
        "centre_read_at",
        "fda_read_at",
    ):
        setattr(target, field, getattr(source, field))
