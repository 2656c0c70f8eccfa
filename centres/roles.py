"""The guide's role matrix (PRODUCT.md §2), in one table, checked by one helper.

Every action a centre user can take is a permission here. Views declare the one they need with
`centres.tenancy.centre_view(Permission.X)`; templates ask the same table through the `can` context object
(`{% if can.manage_sessions %}`, set by `portail.context_processors.portal`); Python code calls `role_can()` or
`Membership.can()`. No other place lists roles to decide what someone may do."""

from django.db import models


class Role(models.TextChoices):
    RESPONSABLE = "responsable", "Responsable de centre"
    ADMINISTRATIF = "administratif", "Administratif centre"
    EVALUATEUR = "evaluateur", "Évaluateur centre"


class Permission(models.TextChoices):
    # The guide's matrix.
    PORTAL = "portal", "Accès Portail (consulter les pages du centre)"
    REQUEST_ACCOUNTS = (
        "request_accounts",
        "Création de comptes Portail (demander une création, une désactivation)",
    )
    PARAGRAPHE = "paragraphe", "Accès Paragraphe"
    PASSEPORT_PHOTO = "passeport_photo", "Passeport : photo"
    PASSEPORT_SIGNATURE = "passeport_signature", "Passeport : signature"
    PASSEPORT_EO = "passeport_eo", "Passeport : EO"
    # The portal's actions (PRODUCT §1-§7), each granted with portal access unless the guide says otherwise.
    EDIT_CENTRE = "edit_centre", "Modifier la fiche centre"
    DEFINE_TARIFS = "define_tarifs", "Définir les tarifs"
    MANAGE_SESSIONS = "manage_sessions", "Créer, ouvrir et annuler une session"
    SIGN_BON_COMMANDE = "sign_bon_commande", "Signer le bon de commande"
    ENROL_CANDIDATES = "enrol_candidates", "Inscrire des candidats (formulaire, import, pré-inscriptions)"
    RUN_SESSION = "run_session", "Déclarer les absents, ajouter des candidats virtuels"
    START_CORRECTION = "start_correction", "Mettre en correction, feuille d'anomalies"
    HANDLE_CONTACTS = "handle_contacts", "Traiter les demandes de contact"
    MAKE_DEMANDES = "make_demandes", "Faire une demande (report, fraude, aménagement, dispense)"
    WRITE_MESSAGES = "write_messages", "Écrire au FDA (messagerie)"


P = Permission
# What both centre staff roles may do in the portal: everything but the Responsable's own rights.
_STAFF = frozenset(
    {
        P.PORTAL,
        P.PARAGRAPHE,
        P.PASSEPORT_PHOTO,
        P.PASSEPORT_SIGNATURE,
        P.DEFINE_TARIFS,
        P.MANAGE_SESSIONS,
        P.SIGN_BON_COMMANDE,
        P.ENROL_CANDIDATES,
        P.RUN_SESSION,
        P.START_CORRECTION,
        P.HANDLE_CONTACTS,
        P.MAKE_DEMANDES,
        P.WRITE_MESSAGES,
    }
)
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # The guide: only the Responsable may ask for accounts; editing the fiche centre stays his (as before).
    Role.RESPONSABLE: _STAFF | {P.REQUEST_ACCOUNTS, P.EDIT_CENTRE},
    Role.ADMINISTRATIF: _STAFF,
    # No portal access: Passeport only.
    Role.EVALUATEUR: frozenset({P.PASSEPORT_PHOTO, P.PASSEPORT_SIGNATURE, P.PASSEPORT_EO}),
}


def role_can(role: str | None, permission: str) -> bool:
    return role is not None and permission in ROLE_PERMISSIONS.get(role, frozenset())


def roles_with(permission: str) -> frozenset[str]:
    """The roles that hold `permission` (for queries: `role__in=roles_with(...)`)."""
    return frozenset(role for role, perms in ROLE_PERMISSIONS.items() if permission in perms)


# Roles that may use the portal at all (derived from the table, not written twice).
PORTAL_ROLES = roles_with(P.PORTAL)


class UnknownPermission(Exception):
    """A template asked `can.<name>` for a name that is not a permission: a typo must fail loudly, never hide a
    button silently (Django templates swallow KeyError and AttributeError, not this)."""


class CentrePermissions:
    """What the current role may do, for templates: `{% if can.sign_bon_commande %}`."""

    def __init__(self, role: str | None):
        self.role = role

    def __getitem__(self, name: str) -> bool:
        if name not in Permission.values:
            raise UnknownPermission(f"« {name} » n'est pas une permission de centres.roles.Permission.")
        return role_can(self.role, name)
