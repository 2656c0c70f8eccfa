"""Access codes for the test platform, in the guide's form `L3B-RUC-WD1`.

The alphabet leaves out the characters people confuse when they copy a code from the access-code
sheet (I, L, O, 0 and 1)."""

import secrets

from django.db import connection

ACCESS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACCESS_CODE_GROUPS = 3
ACCESS_CODE_GROUP_LENGTH = 3
ACCESS_CODE_REGEX = r"^[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}$"
MAX_ATTEMPTS = 20


CODE_CHARACTERS = ACCESS_CODE_GROUPS * ACCESS_CODE_GROUP_LENGTH
# A random byte below 248 (8 × 31) picks a character with equal chances; a byte above is dropped.
UNBIASED_BYTES = 256 - 256 % len(ACCESS_CODE_ALPHABET)


def generate_access_codes(count: int) -> list[str]:
    """`count` random codes "XXX-XXX-XXX" (31^9 ≈ 2.6e13 possibilities each), from the system's
    cryptographic randomness (`secrets`) read once for all: 5,000 codes of an import file in one call."""
    characters: list[str] = []
    needed = count * CODE_CHARACTERS
    while len(characters) < needed:
        characters.extend(
            ACCESS_CODE_ALPHABET[byte % len(ACCESS_CODE_ALPHABET)]
            for byte in secrets.token_bytes(needed - len(characters) + 16)
            if byte < UNBIASED_BYTES
        )
    step = ACCESS_CODE_GROUP_LENGTH
    return [
        "-".join(
            "".join(characters[start + g * step : start + (g + 1) * step]) for g in range(ACCESS_CODE_GROUPS)
        )
        for start in range(0, needed, CODE_CHARACTERS)
    ]


def generate_access_code() -> str:
    return generate_access_codes(1)[0]


def new_unique_access_codes(count: int) -> list[str]:
    """`count` distinct codes no Inscription uses yet, checked in one query per draw. The unique
    constraint on `Inscription.code_acces` remains the final guard against a concurrent insert of the
    same code (astronomically unlikely)."""
    codes: set[str] = set()
    for _ in range(MAX_ATTEMPTS):
        batch = set(generate_access_codes(count - len(codes))) - codes
        codes |= batch - _taken(batch)
        if len(codes) == count:
            return list(codes)
    raise RuntimeError("Impossible de générer un code d'accès unique.")


def new_unique_access_code() -> str:
    return new_unique_access_codes(1)[0]


def _taken(codes: set[str]) -> set[str]:
    from candidats.models import Inscription

    if connection.vendor == "postgresql":
        # One array parameter: 5,000 IN parameters took 0.1 s to send and plan (make bench).
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT code_acces FROM {Inscription._meta.db_table} WHERE code_acces = ANY(%s)",
                [list(codes)],
            )
            return {code for (code,) in cursor.fetchall()}
    return set(Inscription.objects.filter(code_acces__in=codes).values_list("code_acces", flat=True))
