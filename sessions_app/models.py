from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from centres.querysets import CentreScopedQuerySet, scoped_queryset
from core.models import StatusChange

from .closure import closes_at_for


class SessionStatus(models.TextChoices):
    PLANIFIEE = "planifiee", "Planifiée"
    OUVERTE = "ouverte", "Inscriptions ouvertes"
    CLOSE = "close", "Inscriptions closes"
    ANOMALIES = "anomalies", "Anomalies en cours de traitement"
    CORRECTION = "correction", "En correction"
    RESULTATS = "resultats", "Résultats disponibles"
    CLOTUREE = "cloturee", "Clôturée"
    ANNULEE = "annulee", "Annulée"


# The statuses in which a session takes enrolments (before its D-2 closure instant): the one home of the
# enrolment window, with `SessionQuerySet.open_for_enrolment()` and `Session.enrolment_open()`.
OPEN_STATUSES = (SessionStatus.PLANIFIEE, SessionStatus.OUVERTE)


def _inscriptions_taking_place():
    """The enrolments that take a place (`InscriptionQuerySet.taking_place()`), reached through the
    reverse relation so that this kernel of sessions imports nothing from candidats."""
    return Session.inscriptions.rel.related_model.objects.taking_place()


class SessionQuerySet(CentreScopedQuerySet):
    def with_places(self):
        """Annotate `nb_inscrits`, the places taken (`InscriptionQuerySet.taking_place()`: active
        enrolments, virtual candidates excluded); `Session.places_restantes` then reads it.

        A correlated subquery, not a JOIN + GROUP BY: a paginated list then counts its rows without
        touching the enrolments and computes the places of the 25 rows shown only (make bench)."""
        taken = (
            _inscriptions_taking_place()
            .filter(session=models.OuterRef("pk"))
            .order_by()
            .values("session")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            nb_inscrits=Coalesce(models.Subquery(taken, output_field=models.IntegerField()), 0)
        )

    def open_for_enrolment(self, now=None):
        """The sessions taking enrolments now: the query form of `Session.enrolment_open()`."""
        return self.filter(statut__in=OPEN_STATUSES, closes_at__gt=now or timezone.now())

    def upcoming(self):
        return self.filter(date__gte=timezone.localdate()).exclude(statut=SessionStatus.ANNULEE)

    def due_for_closure(self, now=None):
        now = now or timezone.now()
        return self.filter(statut__in=OPEN_STATUSES, closes_at__lte=now)

    def shown_online(self):
        return self.open_for_enrolment().filter(
            afficher_en_ligne=True,
            centre__visibilite="avec_sessions",
            centre__actif=True,
        )


class Session(models.Model):
    """An exam session of one product in one centre, known by its number (7000001+)."""

    numero = models.PositiveIntegerField("N° session", unique=True, editable=False)
    centre = models.ForeignKey("centres.Centre", on_delete=models.PROTECT, related_name="sessions")
    produit = models.ForeignKey("tarifs.Produit", on_delete=models.PROTECT, related_name="sessions")
    date = models.DateField("date de la session")
    heure = models.TimeField("heure")
    lieu = models.CharField("lieu de passation", max_length=255)
    nb_places = models.PositiveIntegerField("nombre de places disponibles")
    afficher_en_ligne = models.BooleanField("afficher en ligne", default=False)
    statut = models.CharField(
        "statut",
        max_length=20,
        choices=SessionStatus.choices,
        default=SessionStatus.PLANIFIEE,
        editable=False,
    )
    closes_at = models.DateTimeField("clôture des inscriptions", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    # Set when the centre confirms its absences after the test day (even "aucun absent"): the readiness
    # check of the mise en correction needs to know the absences were declared, not just that none were.
    absences_declarees_le = models.DateTimeField(
        "absences déclarées le", null=True, blank=True, editable=False
    )
    absences_declarees_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="absences déclarées par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = "session"
        ordering = ["date", "heure", "numero"]
        indexes = [
            models.Index(fields=["centre", "date"]),
            models.Index(fields=["centre", "statut"]),
            models.Index(fields=["statut", "closes_at"]),
            models.Index(fields=["centre", "produit", "date"]),
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        # closes_at is derived data (the D-2 rule), kept in step with the date for indexed queries.
        self.closes_at = closes_at_for(self.date)
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """The guide's label: "7000183 - TEF Canada - 05/10/2023"."""
        return f"{self.numero} - {self.produit.nom} - {self.date:%d/%m/%Y}"

    def enrolment_open(self, now=None) -> bool:
        """Open for enrolment now: the object form of `SessionQuerySet.open_for_enrolment()`."""
        now = now or timezone.now()
        return self.statut in OPEN_STATUSES and now < self.closes_at

    # --- Places: one definition (InscriptionQuerySet.taking_place), read by every page and check ---

    def count_places_taken(self) -> int:
        """A fresh count of the places taken (one query). The capacity check calls it after locking the
        session row: a count annotated on the locking SELECT would read the snapshot taken before the
        wait for the lock, and miss the enrolment a concurrent transaction just committed."""
        self._nb_inscrits = self.inscriptions.taking_place().count()
        return self._nb_inscrits

    @property
    def nb_inscrits(self) -> int:
        """Places taken: annotated by `SessionQuerySet.with_places()`, else counted once."""
        if getattr(self, "_nb_inscrits", None) is None:
            self.count_places_taken()
        return self._nb_inscrits

    @nb_inscrits.setter
    def nb_inscrits(self, value: int) -> None:
        self._nb_inscrits = value

    @property
    def places_restantes(self) -> int:
        """Places left, never below zero (the FDA may lower `nb_places` under the enrolments)."""
        return max(self.nb_places - self.nb_inscrits, 0)


class SessionTarif(models.Model):
    """The session's price to candidates (pre-filled from the centre's Tarif, editable per session)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="tarifs")
    epreuve = models.ForeignKey(
        "tarifs.Epreuve", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    montant = models.DecimalField("montant (€)", max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = "tarif de session"
        verbose_name_plural = "tarifs de session"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "epreuve"],
                name="session_tarif_unique_epreuve",
                condition=models.Q(epreuve__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["session"],
                name="session_tarif_unique_produit",
                condition=models.Q(epreuve__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.epreuve or 'Tarif unique'} : {self.montant} €"


class SessionStatusChange(StatusChange):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="historique")
    from_status = models.CharField("de", max_length=20, choices=SessionStatus.choices, blank=True)
    to_status = models.CharField("vers", max_length=20, choices=SessionStatus.choices)

    class Meta(StatusChange.Meta):
        verbose_name = "changement de statut de session"
        verbose_name_plural = "changements de statut de session"

    def __str__(self):
        return f"{self.session.numero} : {self.get_from_status_display()} → {self.get_to_status_display()}"


class DocumentKind(models.TextChoices):
    BON_COMMANDE = "bon_commande", "Bon de commande"
    CODES_ACCES = "codes_acces", "Codes d'accès des candidats"
    SUJET_EO = "sujet_eo", "Sujet EO"
    ATTESTATION = "attestation", "Attestation de résultats"
    ANOMALIES = "anomalies", "Feuille d'anomalies"
    JUSTIFICATIF = "justificatif", "Justificatif"


class DocumentQuerySet(CentreScopedQuerySet):
    def visible(self, now=None):
        now = now or timezone.now()
        return self.filter(models.Q(visible_from__isnull=True) | models.Q(visible_from__lte=now))


def document_upload_to(instance, filename):
    return f"documents/{instance.centre_id}/{instance.kind}/{filename}"


class Document(models.Model):
    """A file of a centre: session documents (bon de commande, codes d'accès, sujets EO, feuille
    d'anomalies), attestations (one per enrolment) and justificatifs. Served only to its centre."""

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="documents")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    inscription = models.ForeignKey(
        "candidats.Inscription", null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField("type", max_length=20, choices=DocumentKind.choices)
    nom = models.CharField("nom du fichier", max_length=255)
    fichier = models.FileField("fichier", upload_to=document_upload_to)
    content_type = models.CharField(max_length=100, default="application/pdf")
    visible_from = models.DateTimeField(
        "visible à partir du",
        null=True,
        blank=True,
        help_text="Pour les sujets EO : date de mise à disposition.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("date de mise en ligne", default=timezone.now)
    # Printed on attestations: anyone holding one can have it checked by FDA with this code.
    code_verification = models.CharField("code de vérification", max_length=16, blank=True, db_index=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "document"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["session", "kind"]), models.Index(fields=["inscription", "kind"])]
        constraints = [
            # One bon de commande and one access-code sheet per session, whatever the closure job does.
            models.UniqueConstraint(
                fields=["session", "kind"],
                name="document_unique_session_pdf",
                condition=models.Q(kind__in=["bon_commande", "codes_acces"]),
            ),
        ]

    def __str__(self):
        return self.nom


class BonDeCommande(models.Model):
    """The session's order form: "Devis non-signé" until the centre signs it ("Devis signé")."""

    class Statut(models.TextChoices):
        NON_SIGNE = "non_signe", "Devis non-signé"
        SIGNE = "signe", "Devis signé"

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="bon_de_commande")
    statut = models.CharField("statut", max_length=20, choices=Statut.choices, default=Statut.NON_SIGNE)
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    montant_total = models.DecimalField("montant total (€ HT)", max_digits=10, decimal_places=2, default=0)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="signé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_at = models.DateTimeField("signé le", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = scoped_queryset("session__centre").as_manager()

    class Meta:
        verbose_name = "bon de commande"
        verbose_name_plural = "bons de commande"

    def __str__(self):
        return f"{self.session.numero}_bon_commande ({self.get_statut_display()})"


class BonDeCommandeStatusChange(StatusChange):
    bon = models.ForeignKey(BonDeCommande, on_delete=models.CASCADE, related_name="historique")
    from_status = models.CharField("de", max_length=20, choices=BonDeCommande.Statut.choices, blank=True)
    to_status = models.CharField("vers", max_length=20, choices=BonDeCommande.Statut.choices)

    class Meta(StatusChange.Meta):
        verbose_name = "changement de statut de bon de commande"


class JetonCalendrierQuerySet(models.QuerySet):
    def actifs(self):
        return self.filter(revoque_le__isnull=True)


class JetonCalendrier(models.Model):
    """The secret of a user's private iCalendar feed (Sessions → Calendrier): whoever holds the URL reads
    the sessions of the user's centres, so the user can revoke it (a new one replaces it)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jetons_calendrier"
    )
    jeton = models.CharField("jeton", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    revoque_le = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = JetonCalendrierQuerySet.as_manager()

    class Meta:
        verbose_name = "adresse de calendrier"
        verbose_name_plural = "adresses de calendrier"
        constraints = [
            # One live address per user: a renewal revokes the old one in the same transaction.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(revoque_le__isnull=True), name="jeton_calendrier_un_actif"
            )
        ]

    def __str__(self):
        return f"Calendrier de {self.user}"
