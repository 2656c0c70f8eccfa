"""The import template of a session (the guide's screenshot), built with openpyxl.

Layout: row 2 the instruction, row 4 "INDIQUEZ LE TYPE DE TEST" and the product, rows 4–5 the default
langue maternelle and nationalité, row 6 the header, candidates from row 7. Dropdowns (data
validation) are fed by the hidden sheet "Listes". A non-modular product has no épreuve columns (the
candidate takes them all)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.spreadsheets import XLSX
from sessions_app.models import Session
from tarifs.models import Epreuve

from . import referentiels

TYPE_LABEL = "INDIQUEZ LE TYPE DE TEST"
DEFAULT_LABEL = "Indiquez une valeur par défaut"
INSTRUCTION = "Merci de respecter le format de saisie présenté"
HEADER_ROW = 6
FIRST_ROW = 7
MAX_ROWS = 5000  # also the import's limit

# (key, header) of the fixed columns, in the template's order.
COLUMNS = [
    ("nom", "Nom"),
    ("prenom", "Prénom"),
    ("date_naissance", "Date de naissance"),
    ("genre", "Genre F (femme) H (homme) N (non binaire)"),
    ("langue_maternelle", "Langue maternelle"),
    ("email", "email"),
    ("nationalite", "Nationalité"),
    ("motivation", "Motivation"),
    ("numero_piece_identite", "numéro Pièce d'identité"),
]


def epreuve_header(epreuve: Epreuve) -> str:
    return f"{epreuve.libelle} {epreuve.code} Inscription O (oui) N (non)"


def template_epreuves(session: Session) -> list[Epreuve]:
    if not session.produit.modulaire:
        return []
    return sorted(session.produit.epreuves.all(), key=lambda e: (e.ordre, e.code))


def _list_column(ws, column: int, title: str, values: list[str]) -> str:
    ws.cell(row=1, column=column, value=title)
    for index, value in enumerate(values, start=2):
        ws.cell(row=index, column=column, value=value)
    letter = get_column_letter(column)
    return f"Listes!${letter}$2:${letter}${len(values) + 1}"


def build_template(session: Session) -> tuple[str, str, bytes]:
    """`(filename, mimetype, bytes)` of the session's import template."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Candidats"
    lists = wb.create_sheet("Listes")
    ranges = {
        "genre": _list_column(lists, 1, "Genre", referentiels.genre_codes()),
        "langue_maternelle": _list_column(lists, 2, "Langue maternelle", referentiels.langue_codes()),
        "nationalite": _list_column(lists, 3, "Nationalité", referentiels.nationalite_codes()),
        "motivation": _list_column(lists, 4, "Motivation", referentiels.motivation_codes()),
        "oui_non": _list_column(lists, 5, "Inscription", ["O", "N"]),
        "produit": _list_column(lists, 6, "Type de test", [session.produit.nom]),
    }
    lists.cell(row=1, column=8, value="Session")
    lists.cell(row=2, column=8, value=session.numero)
    lists.sheet_state = "hidden"

    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="1D3C6E")
    ws["C2"] = INSTRUCTION
    ws["C2"].font = Font(bold=True, color="C00000")
    ws["A4"] = TYPE_LABEL
    ws["A4"].font = bold
    ws["C4"] = session.produit.nom
    ws["C4"].font = bold
    col = {key: index for index, (key, _) in enumerate(COLUMNS, start=1)}
    for key in ("langue_maternelle", "nationalite"):
        ws.cell(row=4, column=col[key], value=DEFAULT_LABEL).font = Font(italic=True)
    country = session.centre.pays.code if session.centre.pays else ""
    if country:
        ws.cell(row=5, column=col["nationalite"], value=referentiels.nationalite_code(country))

    epreuves = template_epreuves(session)
    headers = [label for _, label in COLUMNS] + [epreuve_header(e) for e in epreuves]
    for index, label in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=index, value=label)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(index)].width = 22 if index > 2 else 18
    ws.row_dimensions[HEADER_ROW].height = 60
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1)

    last = FIRST_ROW + MAX_ROWS - 1

    def validate(key_range: str, cells, prompt: str):
        dv = DataValidation(type="list", formula1=f"={key_range}", allow_blank=True, showDropDown=False)
        dv.error = prompt
        dv.errorTitle = "Valeur non valide"
        dv.showErrorMessage = True
        ws.add_data_validation(dv)
        for area in [cells] if isinstance(cells, str) else cells:
            dv.add(area)

    def column_cells(key: str, first=FIRST_ROW) -> str:
        letter = get_column_letter(col[key])
        return f"{letter}{first}:{letter}{last}"

    validate(ranges["produit"], "C4", "Choisissez le type de test de la session.")
    validate(ranges["genre"], column_cells("genre"), "F (femme), H (homme) ou N (non binaire).")
    for key in ("langue_maternelle", "nationalite"):
        letter = get_column_letter(col[key])
        validate(ranges[key], [f"{letter}5", column_cells(key)], "Choisissez une valeur de la liste.")
    validate(ranges["motivation"], column_cells("motivation"), "Choisissez une motivation de la liste.")
    if epreuves:
        first = get_column_letter(len(COLUMNS) + 1)
        end = get_column_letter(len(COLUMNS) + len(epreuves))
        validate(ranges["oui_non"], f"{first}{FIRST_ROW}:{end}{last}", "O (oui) ou N (non).")
    date_letter = get_column_letter(col["date_naissance"])
    for row in range(FIRST_ROW, FIRST_ROW + 200):
        ws[f"{date_letter}{row}"].number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    wb.save(buffer)
    return f"inscriptions_session_{session.numero}.xlsx", XLSX, buffer.getvalue()
