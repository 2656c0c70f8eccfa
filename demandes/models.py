from django.conf import settings
from django.db import models
from django.utils import timezone

from centres.querysets import CentreScopedQuerySet, scoped_queryset
from core.models import StatusChange


class DemandeKind(models.TextChoices):
    FRAUDE = "fraude", "Fraude ou incident"
    REPORT = "report", "Demande de report"
    AMENAGEMENT = "amenagement", "Demande d'aménagement"
    DISPENSE = "dispense", "Dispense"
    RECOURS = "recours", "Recours"


class DemandeStatus(models.TextChoices):
    EN_COURS = "en_cours", "En cours de traitement"
    VALIDEE = "validee", "Validée"
    REFUSEE = "refusee", "Refusée"


class DemandeQuerySet(CentreScopedQuerySet):
    def of_kind(self, kind):
        return self.filter(kind=kind)


class Demande(models.Model):
    """A centre's request about one enrolment, decided by FDA in the admin."""

    class Amenagement(models.TextChoices):
        TIERS_TEMPS = "tiers_temps", "Tiers-temps"
        AUTRE = "autre", "Autre aménagement"

    class Incident(models.TextChoices):
        FRAUDE = "fraude", "Fraude"
        INCIDENT_TECHNIQUE = "incident_technique", "Incident technique"
        AUTRE = "autre", "Autre incident"

    numero = models.PositiveIntegerField("N° demande", unique=True, editable=False)
    kind = models.CharField("type de demande", max_length=20, choices=DemandeKind.choices)
    centre = models.ForeignKey("centres.Centre", on_delete=models.PROTECT, related_name="demandes")
    inscription = models.ForeignKey(
        "candidats.Inscription", on_delete=models.PROTECT, related_name="demandes"
    )
    statut = models.CharField(
        "statut", max_length=20, choices=DemandeStatus.choices, default=DemandeStatus.EN_COURS, editable=False
    )
    sous_type = models.CharField(
        "nature", max_length=30, blank=True, help_text="Tiers-temps, fraude, incident…"
    )
    epreuve = models.ForeignKey(
        "tarifs.Epreuve",
        verbose_name="épreuve",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField("description de la demande")
    justificatifs = models.ManyToManyField(
        "sessions_app.Document", verbose_name="justificatifs", blank=True, related_name="demandes"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("date de la demande", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidée par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("date de la décision", null=True, blank=True)
    decision_comment = models.TextField("commentaire de la décision", blank=True)

    objects = DemandeQuerySet.as_manager()

    class Meta:
        verbose_name = "demande"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["centre", "kind", "statut"]),
            models.Index(fields=["kind", "statut", "created_at"]),
            models.Index(fields=["inscription", "kind"]),
            # The FDA back office lists every centre's requests newest first (ordering + pk tie-break).
            models.Index(fields=["created_at", "id"], name="demande_created_at_id"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} n°{self.numero}"

    @property
    def short_label(self) -> str:
        """The guide's short label beside the candidate: T tiers-temps, Rep report, D dispense…"""
        if self.kind == DemandeKind.AMENAGEMENT:
            return "T" if self.sous_type == self.Amenagement.TIERS_TEMPS else "Am"
        return SHORT_LABELS[self.kind]

    @property
    def sous_type_label(self) -> str:
        """The nature in words (Tiers-temps, Fraude, Incident technique…)."""
        choices = {**dict(self.Amenagement.choices), **dict(self.Incident.choices)}
        return choices.get(self.sous_type, self.sous_type)

    @property
    def status_text(self) -> str:
        if self.kind == DemandeKind.FRAUDE and self.statut == DemandeStatus.EN_COURS:
            return "En cours d'étude par le FDA"
        return self.get_statut_display()


SHORT_LABELS = {
    DemandeKind.FRAUDE: "F",
    DemandeKind.REPORT: "Rep",
    DemandeKind.DISPENSE: "D",
    DemandeKind.RECOURS: "Rec",
}


class DemandeOfKindManager(models.Manager):
    """The requests of one kind: each admin list of the back office (Aménagements, Fraudes…) is a proxy."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def get_queryset(self):
        return DemandeQuerySet(self.model, using=self._db).filter(kind=self.kind)


class Amenagement(Demande):
    objects = DemandeOfKindManager(DemandeKind.AMENAGEMENT)

    class Meta:
        proxy = True
        verbose_name = "aménagement"


class Dispense(Demande):
    objects = DemandeOfKindManager(DemandeKind.DISPENSE)

    class Meta:
        proxy = True
        verbose_name = "dispense"


class Fraude(Demande):
    objects = DemandeOfKindManager(DemandeKind.FRAUDE)

    class Meta:
        proxy = True
        verbose_name = "fraude ou incident"
        verbose_name_plural = "fraudes et incidents"


class Recours(Demande):
    objects = DemandeOfKindManager(DemandeKind.RECOURS)

    class Meta:
        proxy = True
        verbose_name = "recours"
        verbose_name_plural = "recours"


class Report(Demande):
    objects = DemandeOfKindManager(DemandeKind.REPORT)

    class Meta:
        proxy = True
        verbose_name = "report"


class DemandeStatusChange(StatusChange):
    demande = models.ForeignKey(Demande, on_delete=models.CASCADE, related_name="historique")
    from_status = models.CharField("de", max_length=20, choices=DemandeStatus.choices, blank=True)
    to_status = models.CharField("vers", max_length=20, choices=DemandeStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = "changement de statut de demande"
        verbose_name_plural = "changements de statut de demande"

    def __str__(self):
        return f"{self.demande} : {self.get_from_status_display()} → {self.get_to_status_display()}"


class Anomalie(models.Model):
    """A line of the session's feuille d'anomalies, processed by the chargé(e) de clientèle."""

    class Kind(models.TextChoices):
        CANDIDAT_VIRTUEL = "virtuel", "Utilisation d'un candidat virtuel"
        TECHNIQUE = "technique", "Problème technique"
        ABSENCE = "absence", "Absence non déclarée"
        IDENTITE = "identite", "Erreur d'identité"
        AUTRE = "autre", "Autre"

    class Statut(models.TextChoices):
        EN_COURS = "en_cours", "En cours de traitement"
        TRAITEE = "traitee", "Traitée"

    session = models.ForeignKey("sessions_app.Session", on_delete=models.CASCADE, related_name="anomalies")
    inscription = models.ForeignKey(
        "candidats.Inscription",
        verbose_name="candidat",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="anomalies",
    )
    epreuve = models.ForeignKey(
        "tarifs.Epreuve",
        verbose_name="épreuve",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("nature", max_length=20, choices=Kind.choices)
    description = models.TextField("description")
    statut = models.CharField("statut", max_length=20, choices=Statut.choices, default=Statut.EN_COURS)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("déclarée le", default=timezone.now)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    processed_at = models.DateTimeField("traitée le", null=True, blank=True)
    processing_comment = models.TextField("commentaire FDA", blank=True)

    objects = scoped_queryset("session__centre").as_manager()

    class Meta:
        verbose_name = "anomalie"
        ordering = ["session", "created_at"]
        indexes = [models.Index(fields=["session", "statut"])]

    def __str__(self):
        return f"{self.session.numero} — {self.get_kind_display()}"


class AnomalieStatusChange(StatusChange):
    anomalie = models.ForeignKey(Anomalie, on_delete=models.CASCADE, related_name="historique")
    from_status = models.CharField("de", max_length=20, choices=Anomalie.Statut.choices, blank=True)
    to_status = models.CharField("vers", max_length=20, choices=Anomalie.Statut.choices)

    class Meta(StatusChange.Meta):
        verbose_name = "changement de statut d'anomalie"


class Notification(models.Model):
    """A line of the dashboard's INFORMATIONS block: a decision FDA took on the centre's request."""

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="notifications")
    message = models.TextField("description")
    url = models.CharField("lien", max_length=255, blank=True)
    demande = models.ForeignKey(
        Demande, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField("le", default=timezone.now)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "notification"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["centre", "-created_at"])]

    def __str__(self):
        return self.message[:80]
