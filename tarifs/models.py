from django.conf import settings
from django.db import models

from centres.querysets import CentreScopedQuerySet


class Motivation(models.TextChoices):
    """Why the candidate sits the test; codes are the import file's (e.g. "C_Accès à la citoyenneté")."""

    ETUDES = "A", "Académique (études)"
    CITOYENNETE = "C", "Accès à la citoyenneté"
    IMMIGRATION_CANADA = "I", "Immigration Canada"
    IMMIGRATION_QUEBEC = "Q", "Immigration Québec"
    RESIDENCE = "R", "Carte de résident"
    PROFESSIONNELLE = "P", "Professionnelle"
    PERSONNELLE = "X", "Personnelle / autre"


class Epreuve(models.Model):
    code = models.CharField("code", max_length=10, unique=True)
    libelle = models.CharField("libellé", max_length=100)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "épreuve"
        ordering = ["ordre", "code"]

    def __str__(self):
        return self.code


class Gamme(models.TextChoices):
    TEF = "TEF", "TEF"
    DFP = "DFP", "DFP"


class ProduitQuerySet(models.QuerySet):
    def actifs(self):
        return self.filter(statut=Produit.Statut.ACTIF)


class Produit(models.Model):
    """FDA's catalogue. Product rules (required épreuves, waiting period) are data, edited in the admin."""

    class Statut(models.TextChoices):
        ACTIF = "actif", "Actif"
        INACTIF = "inactif", "Inactif"

    class RegleDelai(models.TextChoices):
        AVERTIR = "avertir", "Avertir"
        REFUSER = "refuser", "Refuser"

    numero = models.PositiveIntegerField("N°", unique=True)
    gamme = models.CharField("gamme", max_length=10, choices=Gamme.choices)
    nom = models.CharField("nom du produit", max_length=150)
    code = models.CharField("code du produit", max_length=20, unique=True)
    description = models.TextField("description du produit", blank=True)
    modulaire = models.BooleanField("produit modulaire", default=False)
    statut = models.CharField("statut", max_length=10, choices=Statut.choices, default=Statut.ACTIF)
    type = models.CharField("type", max_length=50, default="Standard")
    date_debut = models.DateField("date de début", null=True, blank=True)
    date_fin = models.DateField("date de fin", null=True, blank=True)
    epreuves = models.ManyToManyField(Epreuve, verbose_name="épreuves", related_name="produits")
    delai_entre_passages = models.PositiveIntegerField(
        "délai entre deux passages (jours)",
        default=30,
        help_text="Délai minimal entre deux passages du même produit par le même candidat.",
    )
    regle_delai = models.CharField(
        "si le délai n'est pas respecté",
        max_length=10,
        choices=RegleDelai.choices,
        default=RegleDelai.AVERTIR,
    )
    age_minimum = models.PositiveSmallIntegerField(
        "âge minimal (ans)",
        default=16,
        help_text="Un candidat plus jeune le jour de la session est inscrit seulement après confirmation "
        "(0 : pas d'âge minimal).",
    )
    document = models.FileField("document", upload_to="produits/", blank=True)

    objects = ProduitQuerySet.as_manager()

    class Meta:
        verbose_name = "produit"
        ordering = ["nom"]
        indexes = [models.Index(fields=["gamme", "statut"])]

    def __str__(self):
        return self.nom

    @property
    def is_active(self) -> bool:
        return self.statut == self.Statut.ACTIF


class RegleEpreuves(models.Model):
    """Épreuves a candidate must take for a product, by motivation (blank motivation: every candidate).
    E.g. TEF Canada: CE+CO+EE+EO for immigration, CO+EO for citizenship; TEFAQ: CO+EO."""

    produit = models.ForeignKey(Produit, on_delete=models.CASCADE, related_name="regles_epreuves")
    motivation = models.CharField("motivation", max_length=1, choices=Motivation.choices, blank=True)
    epreuves = models.ManyToManyField(Epreuve, verbose_name="épreuves obligatoires", related_name="+")
    libelle = models.CharField("libellé", max_length=200, blank=True)

    class Meta:
        verbose_name = "règle d'épreuves obligatoires"
        verbose_name_plural = "règles d'épreuves obligatoires"
        constraints = [
            models.UniqueConstraint(fields=["produit", "motivation"], name="regle_epreuves_unique_motivation")
        ]

    def __str__(self):
        return self.libelle or f"{self.produit} — {self.get_motivation_display() or 'tous'}"


class PrixFDA(models.Model):
    """What FDA charges the centre (the bon de commande): per épreuve for a modular product,
    one price (épreuve empty) otherwise; versioned by date of effect."""

    produit = models.ForeignKey(Produit, on_delete=models.CASCADE, related_name="prix_fda")
    epreuve = models.ForeignKey(Epreuve, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    montant = models.DecimalField("montant (€ HT)", max_digits=8, decimal_places=2)
    date_effet = models.DateField("date d'effet")

    class Meta:
        verbose_name = "prix FDA"
        verbose_name_plural = "prix FDA"
        ordering = ["produit", "epreuve", "-date_effet"]
        indexes = [models.Index(fields=["produit", "date_effet"])]

    def __str__(self):
        return f"{self.produit} {self.epreuve or ''} {self.montant} € ({self.date_effet:%d/%m/%Y})"


class TarifQuerySet(CentreScopedQuerySet):
    pass


class Tarif(models.Model):
    """The centre's own price to candidates; pre-fills every new session of the product."""

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="tarifs")
    produit = models.ForeignKey(Produit, on_delete=models.CASCADE, related_name="tarifs")
    epreuve = models.ForeignKey(Epreuve, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    montant = models.DecimalField("montant (€)", max_digits=8, decimal_places=2)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = TarifQuerySet.as_manager()

    class Meta:
        verbose_name = "tarif centre"
        verbose_name_plural = "tarifs centre"
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "produit", "epreuve"],
                name="tarif_unique_epreuve",
                condition=models.Q(epreuve__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["centre", "produit"],
                name="tarif_unique_produit",
                condition=models.Q(epreuve__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.produit} {self.epreuve or ''} : {self.montant} €"


class TarifHistorique(models.Model):
    tarif = models.ForeignKey(Tarif, on_delete=models.CASCADE, related_name="historique")
    ancien_montant = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    nouveau_montant = models.DecimalField(max_digits=8, decimal_places=2)
    par = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    le = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "historique de tarif"
        verbose_name_plural = "historiques de tarif"
        ordering = ["-le"]

    def __str__(self):
        return f"{self.tarif} : {self.ancien_montant} → {self.nouveau_montant}"


class Bareme(models.Model):
    """A score scale for one épreuve of one product, in force from `date_effet` (e.g. the scale before
    December 2023 was CE /300, CO /360, EE /450, EO /450; 0–699 since)."""

    produit = models.ForeignKey(Produit, on_delete=models.CASCADE, related_name="baremes")
    epreuve = models.ForeignKey(Epreuve, on_delete=models.CASCADE, related_name="baremes")
    date_effet = models.DateField("date d'effet")
    score_max = models.PositiveIntegerField("score maximal")

    class Meta:
        verbose_name = "barème"
        ordering = ["produit", "epreuve", "-date_effet"]
        constraints = [
            models.UniqueConstraint(fields=["produit", "epreuve", "date_effet"], name="bareme_unique_version")
        ]

    def __str__(self):
        return f"{self.produit} {self.epreuve} /{self.score_max} (dès le {self.date_effet:%d/%m/%Y})"


class SeuilNiveau(models.Model):
    """From `score_min` up, the candidate reaches `niveau_cecrl` (and `nclc` for TEF Canada)."""

    bareme = models.ForeignKey(Bareme, on_delete=models.CASCADE, related_name="seuils")
    score_min = models.PositiveIntegerField("score minimal")
    niveau_cecrl = models.CharField("niveau CECRL", max_length=10)
    nclc = models.PositiveSmallIntegerField("niveau NCLC", null=True, blank=True)

    class Meta:
        verbose_name = "seuil de niveau"
        verbose_name_plural = "seuils de niveau"
        ordering = ["bareme", "score_min"]
        constraints = [models.UniqueConstraint(fields=["bareme", "score_min"], name="seuil_unique_score")]

    def __str__(self):
        return f"≥ {self.score_min} : {self.niveau_cecrl}"
