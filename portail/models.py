"""The web layer's models: django-otp's TOTP device under a French name for the back office (issue 19), and
the network's statistics summary table (issue 22)."""

from django.db import models
from django_otp.plugins.otp_totp.models import TOTPDevice


class AppareilTOTP(TOTPDevice):
    """The same table as django-otp's TOTPDevice (a proxy), named in French in the back office."""

    class Meta:
        proxy = True
        verbose_name = "appareil TOTP (double authentification)"
        verbose_name_plural = "appareils TOTP (double authentification)"


class StatistiqueMensuelle(models.Model):
    """The network's activity per centre, product and month of session: a summary table rebuilt by
    portail.statistics.refresh_network_statistics() (hourly Celery beat task, `calculer_statistiques`),
    read by the back office's statistics page so that it stays fast at national scale."""

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="+")
    produit = models.ForeignKey("tarifs.Produit", on_delete=models.CASCADE, related_name="+")
    mois = models.DateField("mois")
    sessions = models.PositiveIntegerField("sessions", default=0)
    places = models.PositiveIntegerField("places", default=0)
    inscriptions = models.PositiveIntegerField("inscriptions", default=0)
    chiffre_affaires = models.DecimalField(
        "payé par les candidats (€)", max_digits=14, decimal_places=2, default=0
    )
    montant_commandes = models.DecimalField(
        "bons de commande (€ HT)", max_digits=14, decimal_places=2, default=0
    )
    absences = models.PositiveIntegerField("absences (épreuves)", default=0)
    calcule_le = models.DateTimeField("calculé le")

    class Meta:
        verbose_name = "statistiques du réseau"
        verbose_name_plural = "statistiques du réseau"
        constraints = [
            models.UniqueConstraint(fields=["centre", "produit", "mois"], name="statistique_mensuelle_unique")
        ]
        indexes = [models.Index(fields=["mois", "produit"])]

    def __str__(self):
        return f"{self.centre_id} / {self.produit_id} / {self.mois:%m/%Y}"
