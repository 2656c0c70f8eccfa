"""The audit trail of personal data and of every status (django-auditlog): who changed what, when, before and
after, visible in the back office (Journal des modifications). Status histories of sessions and requests keep
their own business tables too; this trail is the one place that covers every field of these models."""

from auditlog.registry import auditlog


def register_models() -> None:
    from candidats.models import Candidat, Inscription, InscriptionEpreuve, Resultat
    from centres.models import Centre, Membership, User
    from demandes.models import Anomalie, Demande
    from sessions_app.models import BonDeCommande, Session
    from tarifs.models import Bareme, PalierGlobal, Produit, RegleEpreuves, Seuil, TableNiveaux

    auditlog.register(User, exclude_fields=["password", "last_login"])
    for model in (
        Centre,
        Membership,
        Candidat,
        Inscription,
        InscriptionEpreuve,
        Resultat,
        Session,
        BonDeCommande,
        Demande,
        Anomalie,
        # FDA's reference data: the catalogue, its registration rules, scales and level tables.
        Produit,
        RegleEpreuves,
        Bareme,
        TableNiveaux,
        Seuil,
        PalierGlobal,
    ):
        auditlog.register(model)
