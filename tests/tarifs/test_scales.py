"""The published tables shipped by the migration tarifs/0003_reference_data, read through THE lookup
tarifs.scales.levels(): every cut-off on both sides, every date of effect and the day before, the old
scale, TEF IRN's overall-level rule. Values from /work/shared/reference/tef-scales.md."""

import datetime as dt

import pytest

from core.errors import BusinessError
from tarifs.models import Produit, RegleEpreuves, Seuil, TableNiveaux
from tarifs.scales import levels, load_book, overall
from tests.factories import epreuve

pytestmark = pytest.mark.django_db

LEVELS = [10, 9, 8, 7, 6, 5, 4]
TABLE_A = {
    "CE": [263, 248, 233, 207, 181, 151, 121],
    "CO": [316, 298, 280, 249, 217, 181, 145],
    "EE": [393, 371, 349, 310, 271, 226, 181],
    "EO": [393, 371, 349, 310, 271, 226, 181],
}
TABLE_B = dict.fromkeys(["CE", "CO", "EE", "EO"], [566, 533, 500, 450, 400, 350, 300])
TABLE_C = {
    "CE": [546, 503, 462, 434, 393, 352, 306],
    "CO": [546, 503, 462, 434, 393, 352, 306],
    "EE": [558, 512, 472, 428, 379, 330, 268],
    "EO": [556, 518, 494, 456, 422, 387, 328],
}
OLD_MAX = {"CE": 300, "CO": 360, "EE": 450, "EO": 450}
IN_A, IN_B, IN_C = dt.date(2019, 6, 1), dt.date(2021, 5, 4), dt.date(2024, 6, 1)


def cut_offs(table):
    """(épreuve, score, expected NCLC) on both sides of every cut-off of a table."""
    cases = []
    for code, minima in table.items():
        for level, minimum in zip(LEVELS, minima, strict=True):
            cases.append((code, minimum, level))
            cases.append((code, minimum - 1, level - 1 if level > 4 else None))
    return cases


def test_done_when_examples_of_the_issue():
    assert levels("TEFCAN", "CE", dt.date(2024, 6, 1), 434).nclc == 7
    assert levels("TEFCAN", "CE", dt.date(2024, 6, 1), 433).nclc == 6
    assert levels("TEFCAN", "EE", dt.date(2024, 6, 1), 428).nclc == 7
    assert levels("TEFCAN", "EO", dt.date(2024, 6, 1), 455).nclc == 6
    assert levels("TEFCAN", "CE", dt.date(2023, 12, 10), 434).nclc == 6
    assert levels("TEFCAN", "CE", dt.date(2019, 6, 1), 207).nclc == 7
    assert levels("TEFCAN", "CE", dt.date(2024, 6, 1), 349).nclc == 4


@pytest.mark.parametrize("code, score, nclc", cut_offs(TABLE_A))
def test_table_a_on_the_old_scale(code, score, nclc):
    found = levels("TEFCAN", code, IN_A, score)
    assert (found.nclc, found.score_max) == (nclc, OLD_MAX[code])


@pytest.mark.parametrize("code, score, nclc", cut_offs(TABLE_B))
def test_table_b(code, score, nclc):
    assert levels("TEFCAN", code, IN_B, score).nclc == nclc


@pytest.mark.parametrize("code, score, nclc", cut_offs(TABLE_C))
def test_table_c(code, score, nclc):
    assert levels("TEFCAN", code, IN_C, score).nclc == nclc


@pytest.mark.parametrize("code", ["CE", "CO", "EE", "EO"])
def test_the_top_of_each_scale_is_nclc_10_and_above_it_is_refused(code):
    assert levels("TEFCAN", code, IN_A, OLD_MAX[code]).nclc == 10
    assert levels("TEFCAN", code, IN_C, 699).nclc == 10
    with pytest.raises(BusinessError, match=f"doit être compris entre 0 et {OLD_MAX[code]}"):
        levels("TEFCAN", code, IN_A, OLD_MAX[code] + 1)
    with pytest.raises(BusinessError, match="doit être compris entre 0 et 699"):
        levels("TEFCAN", code, IN_C, 700)


@pytest.mark.parametrize(
    "day, score_max, nclc_of_434",
    [
        (dt.date(2019, 9, 30), 300, None),  # last day of table A and the old scale: 434 > 300 is refused
        (dt.date(2019, 10, 1), 699, 6),  # first day of 0–699 and table B
        (dt.date(2023, 12, 10), 699, 6),  # last day of table B
        (dt.date(2023, 12, 11), 699, 7),  # first day of table C
    ],
)
def test_each_date_of_effect_and_the_day_before(day, score_max, nclc_of_434):
    assert levels("TEFCAN", "CE", day, 0).score_max == score_max
    if nclc_of_434 is None:
        with pytest.raises(BusinessError):
            levels("TEFCAN", "CE", day, 434)
    else:
        assert levels("TEFCAN", "CE", day, 434).nclc == nclc_of_434


def test_the_old_scale_gives_table_a_levels_for_the_same_score_that_table_b_reads_differently():
    assert levels("TEFCAN", "CO", dt.date(2019, 9, 30), 249).nclc == 7
    assert levels("TEFCAN", "CO", dt.date(2019, 10, 1), 249).nclc is None  # below NCLC 4 on 0–699


def test_nothing_is_guessed_where_nothing_is_published():
    found = levels("TEFCAN", "CE", IN_C, 500)
    assert (found.cecrl, found.equivalence, found.demo) == ("", None, False)
    assert levels("TEFAQ", "CO", IN_C, 500).nclc is None
    assert levels("TEFAQ", "CO", IN_C, 500).cecrl == ""
    assert levels("TEF", "LS", IN_C, 699).score_max == 699
    with pytest.raises(BusinessError, match="Aucun barème de l'épreuve CTI du produit DFPA1"):
        levels("DFPA1", "CTI", IN_C, 10)


def test_a_table_fda_enters_is_read_from_its_date_of_effect():
    produit = Produit.objects.get(code="TEFCAN")
    table = TableNiveaux.objects.create(
        produit=produit, epreuve=epreuve("CE"), nature="cecrl", date_effet=dt.date(2026, 1, 1), source="FDA"
    )
    Seuil.objects.bulk_create(
        [Seuil(table=table, score_min=0, valeur="A1"), Seuil(table=table, score_min=400, valeur="B2")]
    )
    assert levels("TEFCAN", "CE", dt.date(2025, 12, 31), 400).cecrl == ""
    assert levels("TEFCAN", "CE", dt.date(2026, 1, 1), 399).cecrl == "A1"
    assert levels("TEFCAN", "CE", dt.date(2026, 1, 1), 400).cecrl == "B2"


# --- TEF IRN before 1 April 2025 --------------------------------------------------------------------

IRN_DAY = dt.date(2025, 3, 31)


def irn_overall(ce, co, ee, eo, day=IRN_DAY):
    book = load_book("TEFIRN", day)
    found = {
        c: levels("TEFIRN", c, day, s, book=book)
        for c, s in zip(["CE", "CO", "EE", "EO"], [ce, co, ee, eo], strict=True)
    }
    return overall("TEFIRN", day, found, book=book).niveau


@pytest.mark.parametrize(
    "scores, niveau",
    [
        ((99, 349, 349, 349), ""),  # one épreuve below A1 (0–99)
        ((100, 100, 100, 100), "A1"),
        ((167, 349, 349, 349), "A1"),  # A2 needs every épreuve > 167
        ((168, 201, 201, 201), "A2"),
        ((168, 201, 201, 200), "A1"),  # only two > 200
        ((267, 349, 349, 349), "A2"),  # B1 needs every épreuve > 267
        ((268, 301, 301, 301), "B1"),
        ((268, 301, 301, 300), "A2"),  # only two > 300
        ((349, 349, 349, 349), "B1"),
    ],
)
def test_irn_overall_level_rule(scores, niveau):
    assert irn_overall(*scores) == niveau


def test_irn_old_scale_ends_on_31_march_2025():
    assert levels("TEFIRN", "CE", IRN_DAY, 349).score_max == 349
    with pytest.raises(BusinessError, match="doit être compris entre 0 et 349"):
        levels("TEFIRN", "CE", IRN_DAY, 350)
    with pytest.raises(BusinessError, match="Aucun barème"):
        levels("TEFIRN", "CE", dt.date(2025, 4, 1), 100)


def test_tef_canada_overall_nclc_is_the_lowest_skill():
    book = load_book("TEFCAN", IN_C)
    found = {
        c: levels("TEFCAN", c, IN_C, s, book=book)
        for c, s in {"CE": 546, "CO": 434, "EE": 558, "EO": 556}.items()
    }
    assert overall("TEFCAN", IN_C, found, book=book).nclc == 7
    found["EO"] = levels("TEFCAN", "EO", IN_C, 327, book=book)
    assert overall("TEFCAN", IN_C, found, book=book).nclc is None  # a skill below NCLC 4


def test_the_catalogue_and_its_rules_ship_with_the_migration():
    assert sorted(Produit.objects.filter(numero__lt=100).values_list("code", flat=True)) == sorted(
        ["TEF", "TEFCAN", "TEFAQ", "TEFIRN", "DFPA1", "DFPB1"]
    )
    assert {p.code: p.validite_annees for p in Produit.objects.filter(numero__lt=100)} == {
        "TEF": 2,
        "TEFCAN": 2,
        "TEFAQ": 2,
        "TEFIRN": 2,
        "DFPA1": None,
        "DFPB1": None,
    }
    combinaisons = RegleEpreuves.objects.filter(produit__code="TEFCAN", type="combinaison")
    assert sorted(sorted(e.code for e in r.epreuves.all()) for r in combinaisons) == [
        ["CE", "CO", "EE", "EO"],
        ["CO", "EO"],
    ]
    assert not RegleEpreuves.objects.filter(produit__code="TEFAQ").exists()
