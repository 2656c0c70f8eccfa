from django.conf import settings
from django.db import models
from django.utils import timezone

from centres.models import ServiceFDA
from centres.querysets import CentreScopedQuerySet, scoped_queryset
from core.models import StatusChange


class ConversationQuerySet(CentreScopedQuerySet):
    def unread_by_centre(self):
        """Conversations with an FDA message the centre has not read yet."""
        return self.filter(last_fda_message_at__isnull=False).filter(
            models.Q(centre_read_at__isnull=True)
            | models.Q(centre_read_at__lt=models.F("last_fda_message_at"))
        )

    def unread_by_fda(self):
        return self.filter(last_centre_message_at__isnull=False).filter(
            models.Q(fda_read_at__isnull=True) | models.Q(fda_read_at__lt=models.F("last_centre_message_at"))
        )


class Conversation(models.Model):
    """An exchange between a centre and FDA ("Créer une demande" → replies → "Conversation fermée")."""

    class Statut(models.TextChoices):
        OUVERTE = "ouverte", "Ouverte"
        FERMEE = "fermee", "Conversation fermée"

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="conversations")
    titre = models.CharField("titre", max_length=200)
    service = models.CharField(
        "service destinataire", max_length=20, choices=ServiceFDA.choices, default=ServiceFDA.CLIENTELE
    )
    statut = models.CharField(
        "statut", max_length=20, choices=Statut.choices, default=Statut.OUVERTE, editable=False
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="attribuée à",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations_attribuees",
        limit_choices_to={"is_staff": True},
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)
    last_message_at = models.DateTimeField("dernière activité", default=timezone.now)
    last_centre_message_at = models.DateTimeField(null=True, blank=True)
    last_fda_message_at = models.DateTimeField(null=True, blank=True)
    centre_read_at = models.DateTimeField("lu par le centre le", null=True, blank=True)
    fda_read_at = models.DateTimeField("lu par le FDA le", null=True, blank=True)
    closed_at = models.DateTimeField("fermée le", null=True, blank=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        verbose_name = "conversation"
        ordering = ["-last_message_at"]
        indexes = [
            models.Index(fields=["centre", "-last_message_at"]),
            models.Index(fields=["statut", "-last_message_at"]),
            # The FDA back office lists every centre's conversations by last activity (+ pk tie-break).
            models.Index(fields=["last_message_at", "id"], name="conversation_last_message_id"),
        ]

    def __str__(self):
        return self.titre


class ConversationStatusChange(StatusChange):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="historique")
    from_status = models.CharField("de", max_length=20, choices=Conversation.Statut.choices, blank=True)
    to_status = models.CharField("vers", max_length=20, choices=Conversation.Statut.choices)

    class Meta(StatusChange.Meta):
        verbose_name = "changement de statut de conversation"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_fda = models.BooleanField("envoyé par le FDA", default=False)
    body = models.TextField("message")
    created_at = models.DateTimeField("envoyé le", default=timezone.now)

    objects = scoped_queryset("conversation__centre").as_manager()

    class Meta:
        verbose_name = "message"
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self):
        return self.body[:60]


def attachment_upload_to(instance, filename):
    return f"messagerie/{instance.message.conversation.centre_id}/{filename}"


class PieceJointe(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="pieces_jointes")
    fichier = models.FileField("fichier", upload_to=attachment_upload_to)
    nom = models.CharField("nom", max_length=255)
    content_type = models.CharField(max_length=100, blank=True)

    objects = scoped_queryset("message__conversation__centre").as_manager()

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"

    def __str__(self):
        return self.nom
