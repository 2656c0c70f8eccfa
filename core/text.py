"""The one normaliser for text a person types (import cells, every form, the public site, the API), and the one
fold used to compare names.

`clean()` is what gets stored: Unicode NFC; invisible format characters (zero-width spaces and joiners, soft
hyphen, BOM, bidi embeddings, overrides and isolates) and control characters removed; non-breaking and other
spaces turned into a plain space, runs of spaces collapsed; trimmed. `clean_multiline()` does the same but keeps
line breaks (messages, comments). `fold()` is for comparing, never for storing: `clean()`, then case and
accents folded ("Lefèvre", "LEFEVRE" and "lefèvre" fold alike), the same in Python whatever the database."""

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


def _normalise(value, keep_newlines: bool) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value))
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


def de(name) -> str:
    """French elision of « de » before a name: « de Centre A », « d'Alliance Française », « d'Évaluateur »."""
    name = clean(name)
    return f"d'{name}" if fold(name[:1]) in set("aeiouy") and name else f"de {name}"
