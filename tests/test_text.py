"""The one normaliser of typed text (core.text): what is stored, and how names are compared."""

import pytest

from core.text import clean, clean_multiline, fold


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("  Dupont  ", "Dupont"),
        ("Jean\u00a0\u00a0Pierre", "Jean Pierre"),  # non-breaking spaces pasted from a web page
        ("Lef\u200bèvre", "Lefèvre"),  # zero-width space
        ("Le\u00adfèvre", "Lefèvre"),  # soft hyphen
        ("\ufeffMartin", "Martin"),  # BOM at the start of a CSV cell
        ("\u202eNIRAM\u202c", "NIRAM"),  # bidi override and pop
        ("Jose\u0301", "José"),  # decomposed accent → NFC
        ("A\x00B\x1bC", "ABC"),  # control characters
        ("Marie\tClaire\n", "Marie Claire"),
        (None, ""),
        (1965, "1965"),
    ],
)
def test_it_stores_what_the_person_meant(typed, stored):
    assert clean(typed) == stored


def test_it_keeps_line_breaks_of_a_message_but_cleans_each_line():
    assert (
        clean_multiline("Bonjour\u00a0 Madame,\r\n\r\n\r\n\r\nmerci\u200b.  ") == "Bonjour Madame,\n\nmerci."
    )


@pytest.mark.parametrize("variant", ["lefèvre", "LEFEVRE", "Lefèvre", "LEFÈVRE", " le\u200bfevre "])
def test_names_fold_alike_whatever_the_case_and_accents(variant):
    assert fold(variant) == "lefevre"


def test_folding_keeps_different_names_apart():
    assert fold("Œuvray") == "oeuvray" and fold("Straße") == "strasse"
    assert fold("Martin") != fold("Martine")


def test_the_fast_paths_give_what_the_character_by_character_rule_gives():
    """ASCII (one translate) and text without any character the rule changes (one regex search) skip the loop
    over characters: for every character of planes 0, 1 and 14, between an accented letter and an ASCII one,
    the result is the loop's."""
    import unicodedata

    from core.text import _keep, _normalise

    def loop(value, keep_newlines):
        text = unicodedata.normalize("NFC", value)
        if keep_newlines:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        return "".join(_keep(char, keep_newlines) for char in text)

    codes = [*range(0xD800), *range(0xE000, 0x20000), *range(0xE0000, 0xE1000), 0xF0000, 0x10FFFD]
    for prefix in ("é", "a"):
        for code in codes:
            value = f"{prefix}{chr(code)}x"
            assert _normalise(value, False) == loop(value, False), hex(code)
            assert _normalise(value, True) == loop(value, True), hex(code)
