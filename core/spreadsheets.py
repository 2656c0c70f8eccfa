"""What every spreadsheet export shares: text cells that can never become formulas, and a sheet a person can
read as soon as it opens (in Excel or LibreOffice): bold header frozen at the top with filters, columns wide
enough for what they hold (no "###" for a date), dates, instants and amounts as real numbers with their number
format (sortable, summable), never as text."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

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


# --- Readable exports --------------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Number formats, in the file's own (English) syntax; Excel and LibreOffice show them in the reader's locale
# (13/05/2026, 1 234,50 €).
FORMATS = {
    "date": "DD/MM/YYYY",
    "datetime": "DD/MM/YYYY HH:MM",
    "euros": '#,##0.00\\ "€"',
    "integer": "0",
    "text": "@",
}
# Width (in characters) a formatted value needs, with a margin for the filter button of the header.
MIN_WIDTHS = {"date": 12, "datetime": 17, "euros": 13, "integer": 10, "text": 8}
MAX_WIDTH = 60
SAMPLE_ROWS = 500  # rows read to size the text columns (the sheet is written as it streams)


@dataclass(frozen=True)
class Column:
    """A column of an export: its header and the kind of its values (text, integer, date, datetime, euros)."""

    title: str
    kind: str = "text"


def _cell_value(value, kind: str):
    if value is None or value == "":
        return None
    if kind == "datetime" and isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            from django.utils import timezone

            value = timezone.localtime(value)
        return value.replace(tzinfo=None, second=0, microsecond=0)  # spreadsheets know no time zones
    if kind == "euros":
        return Decimal(value)
    if kind == "text":
        return safe_cell(str(value))
    return value


def _width(column: Column, values: list) -> float:
    longest = len(column.title) + 3  # + the filter button of the header
    if column.kind == "text":
        for value in values:
            if value is not None:
                longest = max(longest, max(len(line) for line in str(value).split("\n")) + 1)
    return float(min(max(longest, MIN_WIDTHS.get(column.kind, 8)), MAX_WIDTH))


def xlsx_table(sheet_title: str, columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """One sheet as bytes (small exports, answered in the request): see write_xlsx_table."""
    out = io.BytesIO()
    write_xlsx_table(out, sheet_title, columns, rows)
    return out.getvalue()


def write_xlsx_table(
    target,
    sheet_title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    *,
    on_progress: Callable[[int], None] | None = None,
    every: int = 1000,
) -> int:
    """One sheet written to `target` (a path or a binary file): header row in bold, frozen, with auto-filters
    over the whole table; each column as wide as its header and its values need (text sized on the first
    rows), each value written with its kind's number format. Streams (openpyxl's write-only workbook keeps
    the sheet in a temporary file): memory stays flat however many rows. `on_progress(n)` is called every
    `every` rows and at the end; returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    rows = iter(rows)
    sample = [list(row) for row in itertools.islice(rows, SAMPLE_ROWS)]
    for index, column in enumerate(columns):
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = _width(column, [row[index] for row in sample])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.title)
        cell.font = bold
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    sheet.append(header)
    # Text and whole numbers go in as plain values (no cell object: the fast path of the write-only sheet; a
    # whole number shows the same in the General format); dates, instants and amounts as cells carrying
    # their number format.
    kinds = [column.kind for column in columns]
    formats = [None if kind in ("text", "integer") else FORMATS[kind] for kind in kinds]
    count = 0
    for row in itertools.chain(sample, rows):
        if len(row) != len(kinds):
            raise ValueError(f"row of {len(row)} values for {len(kinds)} columns")
        cells = []
        for kind, number_format, value in zip(kinds, formats, row, strict=True):
            value = _cell_value(value, kind)
            if number_format is None or value is None:
                cells.append(value)
            else:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                cells.append(cell)
        sheet.append(cells)
        count += 1
        if on_progress is not None and count % every == 0:
            on_progress(count)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(target)
    if on_progress is not None:
        on_progress(count)
    return count
