"""Exports a person can read, checked by reading the produced files back with openpyxl: bold header frozen with
auto-filters over the table, columns wide enough for their values (a date needs 10 characters, the header
its own), dates, instants and amounts as numbers with their number format, never as text."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from candidats.exports import INSCRIPTIONS
from candidats.models import Inscription
from core.exports import export_now
from core.spreadsheets import Column, xlsx_table
from demandes.exports import DEMANDES
from demandes.models import Demande, DemandeKind
from tests.factories import CandidatFactory, InscriptionFactory, SessionFactory

pytestmark = pytest.mark.django_db


def sheet_of(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def columns_by_title(sheet) -> dict[str, str]:
    return {cell.value: cell.column_letter for cell in sheet[1]}


def assert_readable_header(sheet, n_rows: int):
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    last = sheet[1][-1].column_letter
    assert sheet.auto_filter.ref == f"A1:{last}{n_rows + 1}"
    for cell in sheet[1]:
        width = sheet.column_dimensions[cell.column_letter].width
        assert width >= len(cell.value) + 2, (cell.value, width)  # the header and its filter button


def test_the_enrolments_export_is_readable_with_real_dates_and_amounts(centre_a):
    session = SessionFactory(centre=centre_a, date=dt.date(2027, 5, 13))
    candidat = CandidatFactory(
        centre=centre_a, nom="Lefèvre-Dubois de la Fontaine", date_naissance=dt.date(1990, 2, 3)
    )
    InscriptionFactory(session=session, candidat=candidat, prix_total=Decimal("1234.50"))
    InscriptionFactory(session=session, prix_total=Decimal("0"))
    _, _, content = export_now(INSCRIPTIONS, Inscription.objects.for_centre(centre_a))
    sheet = sheet_of(content)
    assert_readable_header(sheet, 2)
    col = columns_by_title(sheet)
    date = sheet[f"{col['Date de la session']}2"]
    assert date.is_date and date.value.date() == dt.date(2027, 5, 13) and date.number_format == "DD/MM/YYYY"
    assert sheet[f"{col['Date de naissance']}2"].number_format == "DD/MM/YYYY"
    price = sheet[f"{col['Prix']}2"]
    assert (
        price.value == 1234.5
        and price.data_type == "n"
        and "€" in price.number_format
        and "0.00" in price.number_format
    )
    assert sheet[f"{col['N° inscription']}2"].data_type == "n"
    # Wide enough: a date needs 10 characters, the long name its length.
    assert sheet.column_dimensions[col["Date de la session"]].width >= 12
    assert sheet.column_dimensions[col["Nom"]].width >= len("Lefèvre-Dubois de la Fontaine")


def test_the_requests_export_shows_paris_instants_as_dates(centre_a):
    inscription = InscriptionFactory(session=SessionFactory(centre=centre_a))
    Demande.objects.create(
        numero=1,
        kind=DemandeKind.REPORT,
        centre=centre_a,
        inscription=inscription,
        description="=HYPERLINK(1)",
    )
    _, _, content = export_now(DEMANDES, Demande.objects.all())
    sheet = sheet_of(content)
    assert_readable_header(sheet, 1)
    col = columns_by_title(sheet)
    filed = sheet[f"{col['Déposée le']}2"]
    assert filed.is_date and filed.number_format == "DD/MM/YYYY HH:MM"
    assert sheet.column_dimensions[col["Déposée le"]].width >= 17
    assert sheet[f"{col['Description']}2"].value == "'=HYPERLINK(1)"  # still never a formula


def test_an_empty_export_still_has_its_header_and_filters():
    sheet = sheet_of(xlsx_table("Vide", [Column("Nom"), Column("Montant", "euros")], []))
    assert [c.value for c in sheet[1]] == ["Nom", "Montant"]
    assert sheet.auto_filter.ref == "A1:B1" and sheet.freeze_panes == "A2"
