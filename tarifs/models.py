from django.conf import settings
from django.db import models

from centres.querysets import CentreScopedQuerySet


class Motivation(models.TextChoices):
    """Why the candidate sits the test; codes are the import file's (e.g. "C_Accès à la citoyenneté")."""

    ETUDES = "A", "Académique (études)"
    CITOYENNETE = "C", "Citoyenneté canadienne"
    NATURALISATION = "N", "Naturalisation française"
    IMMIGRATION_CANADA = "I", "Immigration Canada"
    IMMIGRATION_QUEBEC = "Q", "Immigration Québec"
    RESIDENCE = "R", "Carte de résident"
    SEJOUR_PLURIANNUEL = "S", "Carte de séjour pluriannuelle"
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

    class PorteeDelai(models.TextChoices):
        PRODUIT = "produit", "Le même produit"
        GAMME_TEF = "tef", "Tout produit TEF"

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
        help_text="Jours minimum entre deux passages du même candidat : avec 30 jours, une session le 1er mars "
        "permet de repasser dès le 31 mars (30 jours après), pas le 30 mars.",
    )
    portee_delai = models.CharField(
        "le délai porte sur",
        max_length=10,
        choices=PorteeDelai.choices,
        default=PorteeDelai.PRODUIT,
        help_text="Le même produit, ou tout produit de la gamme TEF (quel que soit le type de TEF).",
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
    validite_annees = models.PositiveSmallIntegerField(
        "validité des résultats (années)",
        null=True,
        blank=True,
        help_text="Années de validité à compter de la date de session (TEF : 2). Vide : pas de fin de validité "
        "(diplôme, DFP) ; l'attestation n'affiche alors pas « valable jusqu'au ».",
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
    """A registration rule of a product, for one motivation (blank: every candidate). Two kinds:
    - « épreuves obligatoires »: the chosen épreuves must include these;
    - « combinaison autorisée »: when a product has any for the candidate, the chosen épreuves must be
      exactly one of them (TEF Canada: CE+CO+EE+EO, or CO+EO).
    A modular product without rules (TEFAQ) accepts any 1 to n of its épreuves. Checked by
    candidats.services.clean_epreuves, the one home of the rule."""

    class Type(models.TextChoices):
        OBLIGATOIRES = "obligatoires", "Épreuves obligatoires"
        COMBINAISON = "combinaison", "Combinaison autorisée"

    produit = models.ForeignKey(Produit, on_delete=models.CASCADE, related_name="regles_epreuves")
    type = models.CharField("type de règle", max_length=12, choices=Type.choices, default=Type.OBLIGATOIRES)
    motivation = models.CharField("motivation", max_length=1, choices=Motivation.choices, blank=True)
    epreuves = models.ManyToManyField(Epreuve, verbose_name="épreuves", related_name="+")
    libelle = models.CharField("libellé", max_length=200, blank=True)
    source = models.CharField("source", max_length=300, blank=True)

    class Meta:
        verbose_name = "règle d'inscription aux épreuves"
        verbose_name_plural = "règles d'inscription aux épreuves"
        ordering = ["produit", "type", "motivation", "pk"]

    def __str__(self):
        return (
            self.libelle
            or f"{self.produit} — {self.get_type_display()} ({self.get_motivation_display() or 'tous'})"
        )


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


class EnVigueurQuerySet(models.QuerySet):
    def en_vigueur(self, on_date):
        """Rows in force on `on_date`: started (or start not published) and not ended."""
        return self.filter(
            models.Q(date_effet__isnull=True) | models.Q(date_effet__lte=on_date),
            models.Q(date_fin__isnull=True) | models.Q(date_fin__gte=on_date),
        ).order_by(models.F("date_effet").desc(nulls_last=True))


class Bareme(models.Model):
    """The score scale of one épreuve of one product: its maximum, in force from `date_effet` (empty: the
    start is not published) to `date_fin` (empty: still in force). TEF Canada: CE /300, CO /360, EE /450,
    EO /450 up to 30 Sep 2019, 0–699 since 1 Oct 2019. Levels live in TableNiveaux."""

    produit = models.ForeignKey(Produit, on_delete=models.CASCADE, related_name="baremes")
    epreuve = models.ForeignKey(Epreuve, on_delete=models.CASCADE, related_name="baremes")
    date_effet = models.DateField("date d'effet", null=True, blank=True, help_text="Vide : date non publiée.")
    date_fin = models.DateField("jusqu'au", null=True, blank=True, help_text="Vide : toujours en vigueur.")
    score_max = models.PositiveIntegerField("score maximal")
    source = models.CharField("source", max_length=300, default="")

    objects = EnVigueurQuerySet.as_manager()

    class Meta:
        verbose_name = "barème (échelle de score)"
        verbose_name_plural = "barèmes (échelles de score)"
        ordering = ["produit", "epreuve", "-date_effet"]
        constraints = [
            models.UniqueConstraint(fields=["produit", "epreuve", "date_effet"], name="bareme_unique_version")
        ]

    def __str__(self):
        return f"{self.produit} {self.epreuve} /{self.score_max} ({periode(self)})"

    @property
    def periode(self) -> str:
        return periode(self)


def periode(obj) -> str:
    """« du 01/10/2019 au 10/12/2023 », « depuis le 11/12/2023 », « jusqu'au 30/09/2019 »."""
    start, end = obj.date_effet, obj.date_fin
    if start and end:
        return f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}"
    if start:
        return f"depuis le {start:%d/%m/%Y}"
    if end:
        return f"jusqu'au {end:%d/%m/%Y}"
    return "date d'effet non publiée"


class TableNiveaux(models.Model):
    """One published table, per (product, épreuve, period): CECRL cut-offs, NCLC cut-offs, or the
    old-score equivalence (rows of Seuil); or a product's overall-level rule (rows of PalierGlobal, no
    épreuve). A level whose table is missing is shown as nothing (tarifs.scales.levels)."""

    class Nature(models.TextChoices):
        CECRL = "cecrl", "Seuils CECRL"
        NCLC = "nclc", "Seuils NCLC"
        EQUIVALENCE = "equivalence", "Équivalence ancien score"
        GLOBAL = "global", "Niveau global"

    nature = models.CharField("nature", max_length=12, choices=Nature.choices)
    produit = models.ForeignKey(Produit, on_delete=models.CASCADE, related_name="tables_niveaux")
    epreuve = models.ForeignKey(
        Epreuve,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tables_niveaux",
        help_text="Vide pour la règle de niveau global.",
    )
    nom = models.CharField("nom", max_length=100, blank=True, help_text="Par exemple « Table C (IRCC) ».")
    date_effet = models.DateField("date d'effet", null=True, blank=True, help_text="Vide : date non publiée.")
    date_fin = models.DateField("jusqu'au", null=True, blank=True, help_text="Vide : toujours en vigueur.")
    source = models.CharField("source", max_length=300, default="")
    demo = models.BooleanField(
        "table de démonstration",
        default=False,
        help_text="Valeurs de démonstration, non publiées : l'attestation le signale.",
    )

    objects = EnVigueurQuerySet.as_manager()

    class Meta:
        verbose_name = "table de niveaux"
        verbose_name_plural = "tables de niveaux"
        ordering = ["produit", "nature", "epreuve", "-date_effet"]
        constraints = [
            models.UniqueConstraint(
                fields=["produit", "epreuve", "nature", "date_effet"], name="table_niveaux_unique_version"
            ),
            models.CheckConstraint(
                condition=models.Q(nature="global", epreuve__isnull=True)
                | (~models.Q(nature="global") & models.Q(epreuve__isnull=False)),
                name="table_niveaux_epreuve_sauf_global",
            ),
        ]

    def __str__(self):
        what = f"{self.produit.code} {self.epreuve.code if self.epreuve_id else ''}".strip()
        return f"{self.get_nature_display()} {what} — {self.nom or periode(self)}"

    @property
    def periode(self) -> str:
        return periode(self)


class Seuil(models.Model):
    """From `score_min` (inclusive) up to the next row's minimum − 1 (the last row: up to the scale's
    maximum), the value: a CECRL level (« B2 »), an NCLC level (« 7 ») or an old-scale score (« 245 »).
    Below the first row: nothing (e.g. no NCLC under NCLC 4)."""

    table = models.ForeignKey(TableNiveaux, on_delete=models.CASCADE, related_name="seuils")
    score_min = models.PositiveIntegerField("score minimal")
    valeur = models.CharField("niveau ou valeur", max_length=10)

    class Meta:
        verbose_name = "seuil"
        ordering = ["table", "score_min"]
        constraints = [models.UniqueConstraint(fields=["table", "score_min"], name="seuil_unique_score")]

    def __str__(self):
        return f"≥ {self.score_min} : {self.valeur}"


class PalierGlobal(models.Model):
    """One step of an overall-level rule (TEF IRN before April 2025): the level is reached when every
    épreuve scores at least `minimum_toutes` and at least `nombre` épreuves score at least
    `minimum_plusieurs`. The highest step reached wins."""

    table = models.ForeignKey(TableNiveaux, on_delete=models.CASCADE, related_name="paliers")
    niveau = models.CharField("niveau", max_length=10)
    minimum_toutes = models.PositiveIntegerField("score minimal de chaque épreuve")
    nombre = models.PositiveSmallIntegerField("nombre d'épreuves", default=0)
    minimum_plusieurs = models.PositiveIntegerField("score minimal de ces épreuves", null=True, blank=True)

    class Meta:
        verbose_name = "palier de niveau global"
        verbose_name_plural = "paliers de niveau global"
        ordering = ["table", "minimum_toutes"]

    def __str__(self):
        text = f"{self.niveau} : toutes ≥ {self.minimum_toutes}"
        if self.nombre and self.minimum_plusieurs is not None:
            text += f" et au moins {self.nombre} ≥ {self.minimum_plusieurs}"
        return text
