from django.conf import settings
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField

from centres.models import Genre
from centres.querysets import CentreScopedQuerySet, scoped_queryset
from core.fields import FoldedCharField
from core.models import StatusChange
from tarifs.models import Motivation


def person_name(prenom: str, nom: str) -> str:
    """How the portal names a person everywhere (pages, messages, PDFs): « Anne MARTIN »."""
    return f"{prenom} {nom.upper()}"


class CandidatQuerySet(CentreScopedQuerySet):
    pass


class Candidat(models.Model):
    """A person known to a centre. The same person may sit several sessions (several Inscriptions)."""

    # No index of its own: (centre, nom, prénom) below starts with it. Every index costs each import row.
    centre = models.ForeignKey(
        "centres.Centre", on_delete=models.PROTECT, related_name="candidats", db_index=False
    )
    nom = models.CharField("nom", max_length=150)
    prenom = models.CharField("prénom", max_length=150)
    # nom and prénom folded for case and accents (core.text.fold), filled on every write: what the searches
    # compare, alike on SQLite and PostgreSQL (trigram index on PostgreSQL, candidats migration 0006).
    nom_recherche = FoldedCharField("nom (recherche)", max_length=150, source="nom")
    prenom_recherche = FoldedCharField("prénom (recherche)", max_length=150, source="prenom")
    date_naissance = models.DateField("date de naissance", null=True, blank=True)
    genre = models.CharField("genre", max_length=1, choices=Genre.choices, blank=True)
    langue_maternelle = models.CharField(
        "langue maternelle", max_length=3, blank=True, help_text="Code ISO 639 (ara, fra, …)."
    )
    email = models.EmailField("e-mail", blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    nationalite = CountryField("nationalité", blank=True)
    motivation = models.CharField("motivation", max_length=1, choices=Motivation.choices, blank=True)
    numero_piece_identite = models.CharField("numéro de pièce d'identité", max_length=50, blank=True)
    virtuel = models.BooleanField("candidat virtuel", default=False)
    anonymised_at = models.DateTimeField("anonymisé le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = CandidatQuerySet.as_manager()

    class Meta:
        verbose_name = "candidat"
        ordering = ["nom", "prenom"]
        indexes = [
            models.Index(fields=["centre", "nom", "prenom"]),
            models.Index(fields=["nom", "prenom", "date_naissance"]),
        ]

    def __str__(self):
        return person_name(self.prenom, self.nom)


class InscriptionStatus(models.TextChoices):
    INSCRIT = "inscrit", "Inscrit"
    REPORTE = "reporte", "Reporté"
    ANNULE = "annule", "Annulé"


class InscriptionSource(models.TextChoices):
    SUR_PLACE = "sur_place", "Sur place"
    PRE_INSCRIPTION = "pre_inscription", "Pré-inscription en ligne"
    IMPORT = "import", "Fichier d'import"
    REPORT = "report", "Réinscription après report"
    VIRTUEL = "virtuel", "Candidat virtuel"


class InscriptionQuerySet(scoped_queryset("session__centre")):
    def actives(self):
        return self.filter(statut=InscriptionStatus.INSCRIT)

    def taking_place(self):
        """The enrolments that take a place in their session: active (not cancelled, not moved by a
        report), virtual candidates excluded (they stand in for someone). Absent candidates keep their
        place. The one definition behind `Session.nb_inscrits` / `places_restantes` and the capacity check."""
        return self.actives().filter(virtuel=False)


def capture_upload_to(instance, filename):
    return f"captures/{instance.session.centre_id}/{instance.session.numero}/{filename}"


class Inscription(models.Model):
    """A candidate enrolled in a session: number 2000001+, a unique access code like L3B-RUC-WD1."""

    numero = models.PositiveIntegerField("numéro d'inscription", unique=True, editable=False)
    # Neither has an index of its own: (session, statut) and (candidat, created_at) below start with them.
    session = models.ForeignKey(
        "sessions_app.Session", on_delete=models.PROTECT, related_name="inscriptions", db_index=False
    )
    candidat = models.ForeignKey(
        Candidat, on_delete=models.PROTECT, related_name="inscriptions", db_index=False
    )
    code_acces = models.CharField("code d'accès", max_length=11, unique=True, editable=False)
    statut = models.CharField(
        "statut", max_length=20, choices=InscriptionStatus.choices, default=InscriptionStatus.INSCRIT
    )
    source = models.CharField(
        "origine", max_length=20, choices=InscriptionSource.choices, default=InscriptionSource.SUR_PLACE
    )
    virtuel = models.BooleanField("candidat virtuel", default=False)
    tiers_temps = models.BooleanField("tiers-temps accordé", default=False)
    fraude = models.BooleanField("fraude constatée", default=False)
    prix_total = models.DecimalField(
        "prix payé par le candidat (€)", max_digits=8, decimal_places=2, default=0
    )
    photo = models.ImageField("photo", upload_to=capture_upload_to, blank=True)
    signature = models.ImageField("signature", upload_to=capture_upload_to, blank=True)
    enregistrement_eo = models.FileField("enregistrement EO", upload_to=capture_upload_to, blank=True)
    keylogger = models.TextField("keylogger", blank=True)
    reporte_depuis = models.OneToOneField(
        "self",
        verbose_name="réinscription de",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reinscription",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("date d'inscription", default=timezone.now)

    objects = InscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = "inscription"
        ordering = ["session", "candidat__nom", "candidat__prenom"]
        indexes = [
            models.Index(fields=["session", "statut"]),
            models.Index(fields=["candidat", "created_at"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self):
        return f"{self.numero} — {self.candidat}"


class InscriptionEpreuve(models.Model):
    """An épreuve taken by an enrolment, with its price and the absence/dispense flags."""

    # Indexed by the unique (inscription, epreuve) constraint, which starts with it.
    inscription = models.ForeignKey(
        Inscription, on_delete=models.CASCADE, related_name="epreuves", db_index=False
    )
    # Not indexed: no page looks enrolments up by épreuve (make bench: 0 scans), and only deleting an
    # épreuve from the catalogue, which PROTECT refuses anyway, would read the table through it.
    epreuve = models.ForeignKey("tarifs.Epreuve", on_delete=models.PROTECT, related_name="+", db_index=False)
    prix = models.DecimalField("prix (€)", max_digits=8, decimal_places=2, default=0)
    absent = models.BooleanField("absent", default=False)
    dispense = models.BooleanField("dispensé", default=False)

    class Meta:
        verbose_name = "épreuve de l'inscription"
        verbose_name_plural = "épreuves des inscriptions"
        ordering = ["epreuve__ordre"]
        constraints = [
            models.UniqueConstraint(fields=["inscription", "epreuve"], name="inscription_epreuve_unique")
        ]

    def __str__(self):
        return f"{self.inscription.numero} {self.epreuve}"


class Resultat(models.Model):
    """Score and levels of one épreuve of one enrolment, entered or imported by FDA."""

    inscription = models.ForeignKey(Inscription, on_delete=models.CASCADE, related_name="resultats")
    epreuve = models.ForeignKey("tarifs.Epreuve", on_delete=models.PROTECT, related_name="+")
    score = models.PositiveIntegerField("score")
    score_max = models.PositiveIntegerField("sur", null=True, blank=True)
    niveau_cecrl = models.CharField("niveau CECRL", max_length=10, blank=True)
    nclc = models.PositiveSmallIntegerField("NCLC", null=True, blank=True)
    saisi_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    saisi_le = models.DateTimeField(auto_now=True)

    objects = scoped_queryset("inscription__session__centre").as_manager()

    class Meta:
        verbose_name = "résultat"
        constraints = [models.UniqueConstraint(fields=["inscription", "epreuve"], name="resultat_unique")]

    def __str__(self):
        return f"{self.inscription.numero} {self.epreuve} : {self.score}"


class PreInscription(models.Model):
    """Made by a candidate on the public pre-registration site; the centre transfers or declines it."""

    class Statut(models.TextChoices):
        A_TRAITER = "a_traiter", "À traiter"
        TRANSFEREE = "transferee", "Transférée"
        DECLINEE = "declinee", "Déclinée"

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="pre_inscriptions")
    session = models.ForeignKey(
        "sessions_app.Session",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pre_inscriptions",
    )
    nom = models.CharField("nom", max_length=150)
    prenom = models.CharField("prénom", max_length=150)
    date_naissance = models.DateField("date de naissance", null=True, blank=True)
    genre = models.CharField("genre", max_length=1, choices=Genre.choices, blank=True)
    langue_maternelle = models.CharField("langue maternelle", max_length=3, blank=True)
    email = models.EmailField("e-mail")
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    nationalite = CountryField("nationalité", blank=True)
    motivation = models.CharField("motivation", max_length=1, choices=Motivation.choices, blank=True)
    numero_piece_identite = models.CharField("numéro de pièce d'identité", max_length=50, blank=True)
    epreuves = models.ManyToManyField("tarifs.Epreuve", verbose_name="épreuves souhaitées", blank=True)
    statut = models.CharField("statut", max_length=20, choices=Statut.choices, default=Statut.A_TRAITER)
    motif_refus = models.TextField("motif du refus", blank=True)
    inscription = models.OneToOneField(
        Inscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="pre_inscription"
    )
    traitee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    traitee_le = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField("reçue le", auto_now_add=True)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "pré-inscription"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["centre", "statut"])]

    def __str__(self):
        return f"{person_name(self.prenom, self.nom)} ({self.get_statut_display()})"


class DemandeContact(models.Model):
    """Sent from the pre-registration site to a centre that does not show its sessions."""

    class Statut(models.TextChoices):
        A_TRAITER = "a_traiter", "À traiter"
        TRAITEE = "traitee", "Traitée"

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="demandes_contact")
    nom = models.CharField("nom", max_length=150)
    prenom = models.CharField("prénom", max_length=150)
    email = models.EmailField("e-mail")
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    produit = models.ForeignKey(
        "tarifs.Produit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField("message")
    statut = models.CharField("statut", max_length=20, choices=Statut.choices, default=Statut.A_TRAITER)
    reponse = models.TextField("réponse", blank=True)
    traitee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    traitee_le = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField("reçue le", auto_now_add=True)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de contact"
        verbose_name_plural = "demandes de contact"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["centre", "statut"])]

    def __str__(self):
        return f"{person_name(self.prenom, self.nom)} ({self.get_statut_display()})"


class ImportJob(models.Model):
    """An uploaded enrolment file: validated (preview), then confirmed; large ones run in Celery."""

    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        EN_COURS = "en_cours", "En cours"
        A_CONFIRMER = "a_confirmer", "Prêt à confirmer"
        ERREURS = "erreurs", "Erreurs à corriger"
        TERMINE = "termine", "Terminé"
        ECHEC = "echec", "Échec"

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="imports")
    session = models.ForeignKey("sessions_app.Session", on_delete=models.CASCADE, related_name="imports")
    fichier = models.FileField("fichier", upload_to="imports/%Y/%m/")
    nom_fichier = models.CharField("nom du fichier", max_length=255)
    statut = models.CharField("statut", max_length=20, choices=Statut.choices, default=Statut.EN_ATTENTE)
    lignes_total = models.PositiveIntegerField(default=0)
    lignes_traitees = models.PositiveIntegerField(default=0)
    rapport = models.JSONField("rapport", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "import de candidats"
        verbose_name_plural = "imports de candidats"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.nom_fichier} ({self.get_statut_display()})"


class PreInscriptionStatusChange(StatusChange):
    pre_inscription = models.ForeignKey(PreInscription, on_delete=models.CASCADE, related_name="historique")
    from_status = models.CharField("de", max_length=20, choices=PreInscription.Statut.choices, blank=True)
    to_status = models.CharField("vers", max_length=20, choices=PreInscription.Statut.choices)

    class Meta(StatusChange.Meta):
        verbose_name = "changement de statut de pré-inscription"


class DemandeContactStatusChange(StatusChange):
    demande = models.ForeignKey(DemandeContact, on_delete=models.CASCADE, related_name="historique")
    from_status = models.CharField("de", max_length=20, choices=DemandeContact.Statut.choices, blank=True)
    to_status = models.CharField("vers", max_length=20, choices=DemandeContact.Statut.choices)

    class Meta(StatusChange.Meta):
        verbose_name = "changement de statut de demande de contact"


class ImportJobStatusChange(StatusChange):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="historique")
    from_status = models.CharField("de", max_length=20, choices=ImportJob.Statut.choices, blank=True)
    to_status = models.CharField("vers", max_length=20, choices=ImportJob.Statut.choices)

    class Meta(StatusChange.Meta):
        verbose_name = "changement de statut d'import"


class ConvocationStatus(models.TextChoices):
    SENT = "sent", "Envoyée"
    BOUNCED = "bounced", "Rejetée par la messagerie du candidat"
    NO_EMAIL = "no_email", "Pas d'adresse e-mail"


class ConvocationKind(models.TextChoices):
    INITIAL = "initial", "Envoi à la clôture"
    RESEND = "resend", "Renvoi par le centre"


class ConvocationEnvoi(models.Model):
    """One sending of a candidate's convocation. The initial one is unique per enrolment (the task that
    sends it may run twice: the second finds the row and stops); every resend by the centre is a row."""

    inscription = models.ForeignKey(Inscription, on_delete=models.CASCADE, related_name="convocations")
    kind = models.CharField("envoi", max_length=10, choices=ConvocationKind.choices)
    status = models.CharField("résultat", max_length=10, choices=ConvocationStatus.choices)
    email = models.EmailField("adresse", blank=True)
    sent_at = models.DateTimeField("le", default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "envoi de convocation"
        verbose_name_plural = "envois de convocation"
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inscription"],
                condition=models.Q(kind="initial"),
                name="one_initial_convocation_per_inscription",
            )
        ]

    def __str__(self):
        return f"{self.inscription_id} {self.kind} {self.status}"


class AvisResultats(models.Model):
    """The e-mail telling a candidate the results are available (one per enrolment, at publication)."""

    inscription = models.OneToOneField(Inscription, on_delete=models.CASCADE, related_name="avis_resultats")
    status = models.CharField("résultat", max_length=10, choices=ConvocationStatus.choices)
    email = models.EmailField("adresse", blank=True)
    with_attestation = models.BooleanField("attestation jointe", default=False)
    sent_at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "avis de résultats"
        verbose_name_plural = "avis de résultats"

    def __str__(self):
        return f"{self.inscription_id} {self.status}"


class VerificationLookup(models.Model):
    """One lookup on the public page /verification/ (every one is kept: who asked, what, what was found)."""

    at = models.DateTimeField("le", default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    code = models.CharField("code saisi", max_length=32)
    found = models.BooleanField("attestation confirmée", default=False)
    document = models.ForeignKey(
        "sessions_app.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    throttled = models.BooleanField("refusée (trop de vérifications)", default=False)

    class Meta:
        verbose_name = "vérification d'attestation"
        verbose_name_plural = "vérifications d'attestation"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.code}"
