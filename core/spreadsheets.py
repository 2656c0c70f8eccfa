"""What every spreadsheet export shares: text cells that can never become formulas."""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value safe to write in an exported cell: a text starting with = + - @, a tab or a carriage
    return is prefixed with a quote ('), so Excel/LibreOffice show it as text instead of running it
    (CSV/formula injection). Numbers, dates and None pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


# An .xlsx is a zip: a few kilobytes may inflate to gigabytes of sheet XML (a zip bomb). Uploaded workbooks
# are refused past these bounds before openpyxl reads a byte of them.
MAX_XLSX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_XLSX_RATIO = 150


def check_xlsx_archive(content: bytes) -> str | None:
    """None if `content` is a zip of a reasonable inflated size, else the French reason to refuse it."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return "Ce fichier n'est pas un classeur Excel (.xlsx) valide."
    if inflated > MAX_XLSX_UNCOMPRESSED or inflated > MAX_XLSX_RATIO * max(len(content), 1):
        return "Ce classeur est anormalement volumineux une fois décompressé : il est refusé."
    return None
