"""The reference lists of the candidate data, in ONE place: form choices and import-file codes.

- Langues maternelles: ISO 639 languages that have a 2-letter code (pycountry), stored as their
  3-letter code (ISO 639-2/T: ``ara``, ``fra``), named in French by babel (CLDR). Import code:
  ``ARA_arabe``.
- Nationalités: django-countries (ISO 3166), French names. Import code: ``DZ_Algérie``.
- Motivations: ``tarifs.models.Motivation``. Import code: ``C_Citoyenneté canadienne``.
- Genre: ``F``/``H``/``N``.

Import codes are read by their part before the first "_" (case-insensitive), so a typo in the
label part (the guide's own example reads "C_Acces a la citoyennnet") does not reject the row."""

from __future__ import annotations

from functools import lru_cache

import babel
import pycountry
from django.utils import translation
from django_countries import countries

from centres.models import Genre
from tarifs.models import Motivation


@lru_cache(maxsize=1)
def _languages() -> tuple[tuple[str, str], ...]:
    names = babel.Locale("fr").languages
    rows = []
    for lang in pycountry.languages:
        alpha_2 = getattr(lang, "alpha_2", None)
        if not alpha_2:
            continue
        name = names.get(alpha_2) or names.get(lang.alpha_3)
        if name:
            rows.append((lang.alpha_3, name))
    return tuple(sorted(rows, key=lambda r: _sort_key(r[1])))


def _sort_key(text: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(c))


def langue_choices() -> list[tuple[str, str]]:
    """(ISO 639-2 code, French name), by French name: `("ara", "arabe")`."""
    return list(_languages())


def langue_name(code: str) -> str:
    return dict(_languages()).get((code or "").lower(), code or "")


@lru_cache(maxsize=1)
def _countries_fr() -> tuple[tuple[str, str], ...]:
    with translation.override("fr"):
        return tuple((code, str(name)) for code, name in countries)


def nationalite_choices() -> list[tuple[str, str]]:
    return list(_countries_fr())


def motivation_choices() -> list[tuple[str, str]]:
    return list(Motivation.choices)


def genre_choices() -> list[tuple[str, str]]:
    return list(Genre.choices)


# --- Import-file codes ------------------------------------------------------------------------------


def langue_codes() -> list[str]:
    return [f"{code.upper()}_{name}" for code, name in _languages()]


def nationalite_codes() -> list[str]:
    return [f"{code}_{name}" for code, name in _countries_fr()]


def motivation_codes() -> list[str]:
    return [f"{code}_{label}" for code, label in Motivation.choices]


def genre_codes() -> list[str]:
    return [code for code, _ in Genre.choices]


def langue_code(value: str) -> str:
    """`ara` → `ARA_arabe` (the import file's form)."""
    return f"{value.upper()}_{langue_name(value)}" if value else ""


def nationalite_code(value: str) -> str:
    return f"{value}_{dict(_countries_fr()).get(value, value)}" if value else ""


def motivation_code(value: str) -> str:
    return f"{value}_{Motivation(value).label}" if value else ""


def _prefix(value: str) -> str:
    return str(value).strip().split("_", 1)[0].strip().upper()


@lru_cache(maxsize=1)
def _langue_set() -> frozenset[str]:
    return frozenset(code for code, _ in _languages())


@lru_cache(maxsize=1)
def _nationalite_set() -> frozenset[str]:
    return frozenset(code for code, _ in _countries_fr())


def parse_langue(value: str) -> str | None:
    """`ARA_arabe`, `ara` or `ARA` → `ara`; unknown → None."""
    code = _prefix(value).lower()
    known = _langue_set()
    if code in known:
        return code
    if len(code) == 2:
        lang = pycountry.languages.get(alpha_2=code)
        if lang and lang.alpha_3 in known:
            return lang.alpha_3
    return None


def parse_nationalite(value: str) -> str | None:
    code = _prefix(value)
    return code if code in _nationalite_set() else None


MOTIVATION_CODES = frozenset(Motivation.values)
GENRE_CODES = frozenset(Genre.values)


def parse_motivation(value: str) -> str | None:
    code = _prefix(value)
    return code if code in MOTIVATION_CODES else None


def parse_genre(value: str) -> str | None:
    code = _prefix(value)
    return code if code in GENRE_CODES else None
