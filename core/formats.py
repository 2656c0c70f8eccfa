"""How amounts and dates read in French, in pages, exports and PDFs alike."""

from decimal import Decimal

NARROW_NBSP = "\u202f"


def euros(value):
    """French amount: 1 234,50 €."""
    if value in (None, ""):
        return ""
    value = Decimal(value).quantize(Decimal("0.01"))
    integer, _, cents = f"{value:,.2f}".partition(".")
    return integer.replace(",", NARROW_NBSP) + "," + cents + " €"
