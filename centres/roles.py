"""The guide's role matrix (PRODUCT.md §2), in one table, checked by one helper."""

from django.db import models


class Role(models.TextChoices):
    RESPONSABLE = "responsable", "Responsable de centre"
    ADMINISTRATIF = "administratif", "Administratif centre"
    EVALUATEUR = "evaluateur", "Évaluateur centre"


class Permission(models.TextChoices):
    PORTAL = "portal", "Accès Portail"
    REQUEST_ACCOUNTS = "request_accounts", "Création de comptes Portail"
    PARAGRAPHE = "paragraphe", "Accès Paragraphe"
    PASSEPORT_PHOTO = "passeport_photo", "Passeport : photo"
    PASSEPORT_SIGNATURE = "passeport_signature", "Passeport : signature"
    PASSEPORT_EO = "passeport_eo", "Passeport : EO"


P = Permission
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.RESPONSABLE: frozenset(
        {P.PORTAL, P.REQUEST_ACCOUNTS, P.PARAGRAPHE, P.PASSEPORT_PHOTO, P.PASSEPORT_SIGNATURE}
    ),
    Role.ADMINISTRATIF: frozenset({P.PORTAL, P.PARAGRAPHE, P.PASSEPORT_PHOTO, P.PASSEPORT_SIGNATURE}),
    Role.EVALUATEUR: frozenset({P.PASSEPORT_PHOTO, P.PASSEPORT_SIGNATURE, P.PASSEPORT_EO}),
}

# Roles that may use the portal at all (derived from the table, not written twice).
PORTAL_ROLES = frozenset(role for role, perms in ROLE_PERMISSIONS.items() if P.PORTAL in perms)


def role_can(role: str | None, permission: str) -> bool:
    return role is not None and permission in ROLE_PERMISSIONS.get(role, frozenset())
