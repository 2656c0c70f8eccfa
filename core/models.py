from django.conf import settings
from django.db import models, transaction
from django.utils import timezone


class Sequence(models.Model):
    """A named counter: numbers are taken inside the creating transaction and never reused."""

    name = models.CharField(max_length=50, primary_key=True)
    last_value = models.BigIntegerField()

    class Meta:
        db_table = "portail_sequence"  # the table predates the kernel app
        verbose_name = "séquence de numérotation"
        verbose_name_plural = "séquences de numérotation"

    def __str__(self):
        return f"{self.name} : {self.last_value}"


# First number of each sequence (PRODUCT.md: sessions 7000001+, enrolments 2000001+).
SEQUENCE_STARTS = {"session": 7000001, "inscription": 2000001, "demande": 1, "produit": 1}


def next_number(name: str) -> int:
    """Allocate the next number of `name`. Must run inside the caller's transaction: the row lock
    serialises concurrent creators, and a rolled-back creation releases nothing (no reuse)."""
    with transaction.atomic():
        seq = Sequence.objects.select_for_update().filter(name=name).first()
        if seq is None:
            seq, _ = Sequence.objects.get_or_create(
                name=name, defaults={"last_value": SEQUENCE_STARTS[name] - 1}
            )
            seq = Sequence.objects.select_for_update().get(name=name)
        seq.last_value += 1
        seq.save(update_fields=["last_value"])
        return seq.last_value


def next_numbers(name: str, count: int) -> range:
    """Allocate `count` consecutive numbers of `name` at once (same rules as next_number): one row
    lock and one update for a whole import file instead of one per candidate."""
    if count < 1:
        return range(0)
    with transaction.atomic():
        first = next_number(name)
        if count > 1:
            Sequence.objects.filter(name=name).update(last_value=models.F("last_value") + (count - 1))
        return range(first, first + count)


class StatusChange(models.Model):
    """One status change of an object (who, when, from, to, comment), written by `core.workflow` only.

    Each status machine has its concrete history: a subclass with a ForeignKey to its object and, so that
    the back office shows labels, `from_status`/`to_status` redeclared with the machine's choices."""

    from_status = models.CharField("de", max_length=20, blank=True)
    to_status = models.CharField("vers", max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField("le", default=timezone.now)
    comment = models.TextField("commentaire", blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]
        verbose_name = "changement de statut"


class Export(models.Model):
    """A file made from a list (an Excel export) by a Celery worker, for the person who asked: its progress
    while it is written, then its download. Kept EXPORT_KEEP_DAYS days (core.exports.purge_expired)."""

    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        EN_COURS = "en_cours", "En cours"
        PRET = "pret", "Prêt"
        ECHEC = "echec", "Échec"

    kind = models.CharField("type", max_length=40)
    titre = models.CharField("titre", max_length=200)
    centre = models.ForeignKey(
        "centres.Centre", null=True, blank=True, on_delete=models.CASCADE, related_name="exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandé par", on_delete=models.CASCADE, related_name="+"
    )
    # The list to export: the pickled `QuerySet.query` (Django's documented way to send a query elsewhere),
    # written by the portal itself, tenancy filters included.
    requete = models.BinaryField("requête", editable=False)
    # The page the export was asked from (its path and filters), for the export page's way back to it.
    page_liste = models.CharField("page de la liste", max_length=1000, blank=True, editable=False)
    statut = models.CharField("statut", max_length=20, choices=Statut.choices, default=Statut.EN_ATTENTE)
    lignes_total = models.PositiveIntegerField("lignes", default=0)
    lignes_faites = models.PositiveIntegerField("lignes écrites", default=0)
    fichier = models.FileField("fichier", upload_to="exports/%Y/%m/", blank=True)
    nom_fichier = models.CharField("nom du fichier", max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    erreur = models.TextField("erreur", blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "export"
        verbose_name_plural = "exports"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self):
        return f"{self.titre} ({self.get_statut_display()})"

    @property
    def percent(self) -> int:
        if not self.lignes_total:
            return 100 if self.statut == self.Statut.PRET else 0
        return min(100, int(100 * self.lignes_faites / self.lignes_total))

    @property
    def running(self) -> bool:
        return self.statut in (self.Statut.EN_ATTENTE, self.Statut.EN_COURS)


class ExportStatusChange(StatusChange):
    export = models.ForeignKey(Export, on_delete=models.CASCADE, related_name="historique")
    from_status = models.CharField("de", max_length=20, choices=Export.Statut.choices, blank=True)
    to_status = models.CharField("vers", max_length=20, choices=Export.Statut.choices)

    class Meta(StatusChange.Meta):
        verbose_name = "changement de statut d'export"

    def __str__(self):
        return f"{self.export_id} : {self.from_status} → {self.to_status}"
