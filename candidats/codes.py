"""Access codes for the test platform, in the guide's form `L3B-RUC-WD1`.

The alphabet leaves out the characters people confuse when they copy a code from the access-code
sheet (I, L, O, 0 and 1)."""

import secrets

ACCESS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACCESS_CODE_GROUPS = 3
ACCESS_CODE_GROUP_LENGTH = 3
ACCESS_CODE_REGEX = r"^[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}$"
MAX_ATTEMPTS = 20


def generate_access_code() -> str:
    """A random code "XXX-XXX-XXX" (31^9 ≈ 2.6e13 possibilities), drawn with `secrets`."""
    return "-".join(
        "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_GROUP_LENGTH))
        for _ in range(ACCESS_CODE_GROUPS)
    )


def new_unique_access_code() -> str:
    """A code no Inscription uses yet. The unique constraint on `Inscription.code_acces` remains the
    final guard against a concurrent insert of the same code (astronomically unlikely)."""
    from candidats.models import Inscription

    for _ in range(MAX_ATTEMPTS):
        code = generate_access_code()
        if not Inscription.objects.filter(code_acces=code).exists():
            return code
    raise RuntimeError("Impossible de générer un code d'accès unique.")
