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
