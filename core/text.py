"""The one normaliser for text a person types (import cells, every form, the public site, the API), and the one
fold used to compare names.

`clean()` is what gets stored: Unicode NFC; invisible format characters (zero-width spaces and joiners, soft
hyphen, BOM, bidi embeddings, overrides and isolates) and control characters removed; non-breaking and other
spaces turned into a plain space, runs of spaces collapsed; trimmed. `clean_multiline()` does the same but keeps
line breaks (messages, comments). `fold()` is for comparing, never for storing: `clean()`, then case and
accents folded ("Lefèvre", "LEFEVRE" and "lefèvre" fold alike), the same in Python whatever the database."""

import functools
import itertools
import re
import unicodedata

# Unicode "Cf" (format) characters are all invisible: zero-width space/joiners, soft hyphen, BOM, word joiner,
# bidi marks, embeddings, overrides and isolates. "Cc" are control characters (NUL, ESC, DEL…).
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cs"})
_SPACES = re.compile(r"\s+")
_LINE_SPACES = re.compile(r"[^\S\n]+")


def _keep(char: str, keep_newlines: bool) -> str:
    if keep_newlines and char == "\n":
        return char
    if char in "\t\n\r\v\f" or unicodedata.category(char) in {"Zs", "Zl", "Zp"}:
        return " "
    if unicodedata.category(char) in _INVISIBLE_CATEGORIES:
        return ""
    return char


# The same rule for ASCII text (most of what is typed), as one str.translate(): a 5,000-row import file holds
# some 60,000 cells, and a character-by-character loop over them was a tenth of the import (make bench).
_ASCII_TABLES = {
    keep: {code: _keep(chr(code), keep) or None for code in range(128) if _keep(chr(code), keep) != chr(code)}
    for keep in (False, True)
}


@functools.cache
def _suspects() -> re.Pattern:
    """Every character `_keep()` may change, as one regex class, built once per process (about a tenth of a second): planes 0,
    1 and 14 scanned, surrogates and the private-use planes 15-16 added whole. A text without any of them is
    kept as it is without the character-by-character loop (names with accents: most of the others)."""
    codes = itertools.chain(range(0xD800), range(0xE000, 0x20000), range(0xE0000, 0xE1000))
    chars = "".join(re.escape(chr(c)) for c in codes if _keep(chr(c), False) != chr(c))
    return re.compile(f"[{chars}\ud800-\udfff\U000f0000-\U0010ffff]")


def _normalise(value, keep_newlines: bool) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.isascii() and not (keep_newlines and "\r" in text):
        return text.translate(_ASCII_TABLES[keep_newlines])
    text = unicodedata.normalize("NFC", text)
    if not _suspects().search(text):
        return text
    if keep_newlines:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(_keep(char, keep_newlines) for char in text)


def clean(value) -> str:
    """A one-line text as it should be stored: see the module's docstring."""
    return _SPACES.sub(" ", _normalise(value, keep_newlines=False)).strip()


def clean_multiline(value) -> str:
    """Like `clean()`, keeping the line breaks (spaces collapsed within each line, at most one blank line)."""
    lines = [
        _LINE_SPACES.sub(" ", line).strip() for line in _normalise(value, keep_newlines=True).split("\n")
    ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def fold(value) -> str:
    """The comparison key of a name: cleaned, case-folded, accents removed (ß → ss, Œ → oe)."""
    decomposed = unicodedata.normalize("NFKD", clean(value).casefold())
    return (
        "".join(char for char in decomposed if not unicodedata.combining(char))
        .replace("œ", "oe")
        .replace("æ", "ae")
    )


# Numbers people type into a search box or a query string (an enrolment, a session): a bigint column holds
# 18 digits safely; "²" or "٣" pass str.isdigit() but are no number anyone means.
_NUMBER = re.compile(r"[0-9]{1,18}")


def as_number(value) -> int | None:
    """The integer a person typed ("2000123"), or None when the text is not a plain number that fits a
    database integer (letters, superscripts, 10,000 digits…)."""
    text = clean(value)
    return int(text) if _NUMBER.fullmatch(text) else None


def de(name) -> str:
    """French elision of « de » before a name: « de Centre A », « d'Alliance Française », « d'Évaluateur »."""
    name = clean(name)
    return f"d'{name}" if fold(name[:1]) in set("aeiouy") and name else f"de {name}"
