"""Import of an enrolment file (the session's .xlsx template, or a CSV in the same columns).

parse_file() reads and converts every row (codes, dates, O/N), reporting each bad cell by row,
column and reason in French; validate_job() adds the business rules of the enrolment service
(services.check_rows: duplicates, épreuves, places for the whole file) and stores the report for the
preview; confirm_job() writes everything or nothing through services.enrol_many() (one session lock).

Limits: settings.MAX_UPLOAD_SIZE, MAX_ROWS (5,000) candidate rows; a file of more than SYNC_MAX_ROWS
(200) rows is validated and imported by a Celery task while its page shows the progress."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import logging
import re
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import charset_normalizer
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.datetime import from_excel

from core import bulk
from core.errors import BusinessError
from core.spreadsheets import check_xlsx_archive, safe_cell
from core.text import clean, fold
from core.uploads import safe_filename
from core.workflow import Workflow
from sessions_app.models import Session
from sessions_app.services import check_enrolment_open
from tarifs.models import Epreuve

from . import referentiels, services
from .excel_template import COLUMNS, DEFAULT_LABEL, MAX_ROWS, TYPE_LABEL
from .models import ImportJob, ImportJobStatusChange
from .services import CandidatData, EnrolRow, RowError

logger = logging.getLogger(__name__)
SYNC_MAX_ROWS = 200
UNEXPECTED = "L'import a échoué sur une erreur inattendue : aucune inscription n'a été enregistrée. Réessayez ; si l'erreur persiste, contactez le FDA."
PROGRESS_EVERY = 100
PROGRESS_SECONDS = 0.5
PARSED_TTL = 3600  # validated rows kept for the confirmation; read from the file again after that
LABELS = dict(COLUMNS) | {
    "genre": "Genre",
    "email": "E-mail",
    "numero_piece_identite": "Numéro de pièce d'identité",
}
REQUIRED_COLUMNS = (
    "nom",
    "prenom",
    "date_naissance",
    "genre",
    "langue_maternelle",
    "nationalite",
    "motivation",
)
FORMULA_START = ("=", "+", "-", "@")
YES = {"O", "OUI", "X", "Y", "YES", "1"}
NO = {"", "N", "NON", "NO", "0"}
DAY_MONTH_YEAR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
YEAR_ONLY = re.compile(r"\d{4}")


class FileRejected(BusinessError):
    """The file as a whole cannot be read (not a spreadsheet, empty, columns missing, too many rows)."""


@dataclass
class ParsedFile:
    rows: list[EnrolRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)
    total: int = 0
    header_row: int = 0
    columns: dict[int, str] = field(default_factory=dict)  # column index (0-based) → field key
    ignored: list[str] = field(default_factory=list)  # "K « Remarque »": columns read by nobody
    hidden_rows: list[int] = field(default_factory=list)  # candidate rows hidden in the workbook


# --- Headers ---------------------------------------------------------------------------------------------
# A header is recognised by its normalised text (case, accents, spaces and punctuation folded) being EXACTLY
# one of its field's names: never "contains" or "starts with" ("Prénom d'usage", "Langue de l'examen" or
# "Type de pièce" are other columns, listed as ignored).
HEADER_NAMES = {
    "nom": ("nom", "nom de famille", "nom de naissance", "noms"),
    "prenom": ("prenom", "prenoms"),
    "date_naissance": (
        "date de naissance",
        "date de naissance jj mm aaaa",
        "date naissance",
        "naissance",
        "ne le",
        "ne e le",
        "nee le",
    ),
    "genre": ("genre", "genre f femme h homme n non binaire", "sexe"),
    "langue_maternelle": ("langue maternelle", "langue maternelle du candidat"),
    "email": (
        "email",
        "e mail",
        "mail",
        "courriel",
        "adresse email",
        "adresse e mail",
        "adresse mail",
        "adresse electronique",
        "adresse de courriel",
    ),
    "nationalite": ("nationalite", "pays de nationalite"),
    "motivation": ("motivation", "motif", "motivation du candidat"),
    "numero_piece_identite": (
        "numero piece d identite",
        "numero de piece d identite",
        "n piece d identite",
        "no piece d identite",
        "n de piece d identite",
        "no de piece d identite",
        "piece d identite",
        "numero d identite",
        "numero de passeport",
        "passeport",
    ),
}
_HEADER_INDEX = {name: key for key, names in HEADER_NAMES.items() for name in names}
HEADER_SEARCH_ROWS = 10  # the header row may sit anywhere in the first rows
MAX_SCANNED_ROWS = 100_000  # rows walked, blank ones included (formatted empty rows are skipped)


def header_text(value) -> str:
    """A header as it is compared: folded (case, accents, invisible characters), punctuation as spaces."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(value)).split())


@lru_cache(maxsize=64)
def _epreuve_names(codes_and_labels: tuple) -> dict[str, str]:
    """The names of an épreuve column: its code, its label, both, with or without « Inscription » and the
    template's « O (oui) N (non) »."""
    names = {}
    for code, libelle in codes_and_labels:
        for base in (code, libelle, f"{libelle} {code}", f"{code} {libelle}"):
            for name in (
                base,
                f"{base} inscription",
                f"inscription {base}",
                f"{base} inscription o oui n non",
            ):
                names[header_text(name)] = f"ep:{code}"
    return names


def _header_key(text: str, epreuves: dict[str, Epreuve]) -> str | None:
    """Which column a header names: a fixed field, or `ep:<code>` for an épreuve column; None if unknown."""
    n = header_text(text)
    if not n:
        return None
    if n in _HEADER_INDEX:
        return _HEADER_INDEX[n]
    return _epreuve_names(tuple(sorted((e.code, e.libelle) for e in epreuves.values()))).get(n)


def _letter(index: int) -> str:
    return get_column_letter(index + 1)


# --- Reading the two formats ------------------------------------------------------------------------


@dataclass
class Grid:
    """The cells of the sheet, row by row (row 1 first), and what the sheet says about its rows."""

    rows: Iterator[list]
    numeric_cells: bool = False  # an xlsx: a number is a real numeric cell (a date serial in a date column)
    merged: list[tuple[str, int]] = field(default_factory=list)  # (range "B4:B5", its last row)
    hidden: frozenset[int] = frozenset()
    sheet: str = ""


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b[^>]*>")
_ROW_NUMBER = re.compile(rb'\br="([0-9]+)"')
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')


def _sheet_facts(content: bytes, path: str) -> tuple[list[tuple[str, int]], frozenset[int]]:
    """Merged ranges and hidden rows, read from the sheet's XML (openpyxl's read-only mode has neither)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read(path.lstrip("/"))
    merged = []
    if b"mergeCell" in xml:
        for ref in _MERGE.findall(xml):
            ref = ref.decode()
            merged.append((ref, range_boundaries(ref)[3]))
    hidden = set()
    if b"hidden=" in xml:
        for tag in _ROW_TAG.findall(xml):
            if _HIDDEN.search(tag) and (number := _ROW_NUMBER.search(tag)):
                hidden.add(int(number.group(1)))
    return merged, frozenset(hidden)


def _xlsx_grid(content: bytes) -> Grid:
    # The archive is checked (zip bomb) before openpyxl reads a byte of it.
    if (refusal := check_xlsx_archive(content)) is not None:
        raise FileRejected(refusal)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        ws = wb["Candidats"] if "Candidats" in wb.sheetnames else wb.worksheets[0]
        merged, hidden = _sheet_facts(content, ws._worksheet_path)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise FileRejected("Ce fichier n'est pas un classeur Excel (.xlsx) lisible.") from exc
    # The dimension a file declares is not trusted: only the rows it really holds are walked.
    ws.reset_dimensions()

    def rows():
        try:
            for row in ws.iter_rows(values_only=True):
                yield list(row)
        finally:
            wb.close()

    return Grid(rows(), numeric_cells=True, merged=merged, hidden=hidden, sheet=ws.title)


SAVE_AS = (
    "enregistrez-le depuis Excel avec « Enregistrer sous » > « CSV UTF-8 (délimité par des virgules) », "
    "ou déposez directement le classeur .xlsx"
)
# What a Windows-1252 file decoded as UTF-8 turns into: C1 controls, IPA and modifier letters, Latin
# Extended-B ("JOSÉ" + non-breaking space is valid UTF-8 for "JOSɠ"). Kept: the letters of real names
# (Vietnamese ơ ư, pinyin ǎ ǐ ǒ ǔ, Romanian ș ț, the apostrophes ʻ ʼ of Uzbek or Hawaiian names).
_MISREAD = re.compile(
    "[\u0080-\u009f\u0180-\u019f\u01a2-\u01ae\u01b1-\u01cc\u01dd-\u0217\u021c-\u02b8\u02bd-\u02ff]"
)


def decode_csv(content: bytes) -> str:
    """The text of a CSV: UTF-8 with or without BOM, UTF-16 (Excel's « Texte Unicode ») or Windows-1252,
    told apart on the bytes, never "UTF-8 first whatever it yields". Raises FileRejected."""
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError:
            raise FileRejected(f"Ce fichier CSV est mal encodé : {SAVE_AS}.") from None
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in content[:4096]:
        head = content[:4096]
        encoding = "utf-16"
        if not content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            text = ""
        if not text or "\x00" in text:
            raise FileRejected(f"Ce fichier n'est pas un fichier texte CSV lisible : {SAVE_AS}.")
        return text
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and not _MISREAD.search(text):
        return text
    # Not UTF-8, or UTF-8 only by accident: charset-normalizer judges whether Windows-1252 reads it as text.
    match = charset_normalizer.from_bytes(content, cp_isolation=["cp1252"]).best()
    if match is not None:
        return str(match)
    if text is not None:
        return text
    raise FileRejected(f"Encodage du fichier CSV non reconnu : {SAVE_AS}.")


def _csv_grid(content: bytes) -> Grid:
    text = decode_csv(content)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(";,\t", key=first.count)
    if not first.count(delimiter):
        delimiter = ";"
    return Grid(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def read_grid(content: bytes, filename: str) -> Grid:
    if filename.lower().endswith(".csv"):
        return _csv_grid(content)
    if filename.lower().endswith(".xlsx"):
        return _xlsx_grid(content)
    raise FileRejected("Format non reconnu : déposez le modèle Excel rempli (.xlsx) ou un fichier .csv.")


def read_rows(content: bytes, filename: str):
    return read_grid(content, filename).rows


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*\bref="[A-Z]+[0-9]+:[A-Z]+([0-9]+)"')


def estimate_rows(content: bytes, filename: str) -> int:
    """A cheap upper bound of the candidate rows (the progress bar), without any parser: the CSV's lines,
    or the dimension the first sheet declares (read from the zip after check_xlsx_archive())."""
    if filename.lower().endswith(".csv"):
        return max(content.count(b"\n") - 1, 0)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            with archive.open("xl/worksheets/sheet1.xml") as sheet:
                head = sheet.read(4096)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return 0
    match = _DIMENSION.search(head)
    return max(int(match.group(1)) - 6, 0) if match else 0


# --- Converting cells --------------------------------------------------------------------------------


def _text(value) -> str:
    """Every text cell goes through THE normaliser (core.text.clean: NFC, invisible characters removed,
    spaces collapsed)."""
    if value is None:
        return ""
    if value.__class__ is str:
        if value.isascii() and value.isprintable():
            return " ".join(
                value.split()
            )  # what clean() gives for printable ASCII, at a fraction of its cost
        return _clean_text(value)  # codes with accents (« DZ_Algérie ») repeat on every row
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(value)


_clean_text = lru_cache(maxsize=8192)(clean)


class YearOnly(ValueError):
    pass


def parse_date(value, *, numeric_cells: bool = True) -> dt.date:
    """A real Excel date, an Excel serial number (only a numeric cell of an xlsx: `numeric_cells`) or a text
    date (jj/mm/aaaa, jj-mm-aaaa, aaaa-mm-jj). A year alone raises YearOnly; anything else ValueError."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1000 <= value <= 9999 and float(value).is_integer():
            raise YearOnly(str(int(value)))
        if not numeric_cells:
            raise ValueError(str(value))
        return from_excel(value).date()
    text = _text(value)
    if match := DAY_MONTH_YEAR.fullmatch(text):  # the template's own form, without strptime's cost
        day, month, year = map(int, match.groups())
        return dt.date(year, month, day)
    if YEAR_ONLY.fullmatch(text):
        raise YearOnly(text)
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y", "%Y-%m-%d %H:%M:%S"):
        try:
            parsed = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if fmt == "%d/%m/%y" and parsed > dt.date.today():
            parsed = parsed.replace(year=parsed.year - 100)
        return parsed
    raise ValueError(text)


def _column_refusals(cells_text: list[str], keys: dict[int, str]) -> None:
    by_key: dict[str, list[int]] = {}
    for index, key in keys.items():
        by_key.setdefault(key, []).append(index)
    doubles = [(key, indexes) for key, indexes in by_key.items() if len(indexes) > 1]
    if doubles:
        parts = [
            f"les colonnes {' et '.join(_letter(i) for i in indexes)} sont toutes "
            f"{'deux' if len(indexes) == 2 else 'des'} la colonne « {LABELS.get(key) or key.removeprefix('ep:')} » "
            f"({', '.join('« ' + cells_text[i] + ' »' for i in indexes)})"
            for key, indexes in doubles
        ]
        raise FileRejected(
            "Colonnes en double : "
            + " ; ".join(parts)
            + ". Supprimez ou renommez l'une d'elles, puis importez "
            "de nouveau le fichier."
        )


def parse_file(content: bytes, filename: str, session: Session, progress=None) -> ParsedFile:
    """Every row converted, or reported (row, column, French reason). Raises FileRejected."""
    produit = session.produit
    product_epreuves = {e.code: e for e in produit.epreuves.all()}
    all_epreuves = {e.code: e for e in Epreuve.objects.all()}
    result = ParsedFile()
    grid = read_grid(content, filename)
    header: dict[int, str] | None = None
    previous: list = []
    defaults: dict[str, str] = {}
    produit_cell = None
    type_label = header_text(TYPE_LABEL)
    for number, raw in enumerate(grid.rows, start=1):
        cells = list(raw)
        if header is None:
            texts = [_text(c) for c in cells]
            for index, text in enumerate(texts):
                if header_text(text) == type_label:
                    produit_cell = next((t for t in texts[index + 1 :] if t), None)
            keys = {i: _header_key(t, all_epreuves) for i, t in enumerate(texts)}
            keys = {i: k for i, k in keys.items() if k}
            if "nom" in keys.values() and "prenom" in keys.values():
                _column_refusals(texts, keys)
                header, result.header_row, result.columns = keys, number, keys
                result.ignored = [f"{_letter(i)} « {t} »" for i, t in enumerate(texts) if t and i not in keys]
                merged = [ref for ref, last in grid.merged if last > number]
                if merged:
                    raise FileRejected(
                        f"Cellule{'s' if len(merged) > 1 else ''} fusionnée{'s' if len(merged) > 1 else ''} "
                        f"dans la zone des candidats : {', '.join('« ' + r + ' »' for r in merged[:10])}"
                        f"{' …' if len(merged) > 10 else ''}. Annulez la fusion et remplissez chaque cellule, "
                        "puis importez de nouveau le fichier."
                    )
                for i, key in keys.items():
                    if key in ("langue_maternelle", "nationalite") and i < len(previous):
                        value = _text(previous[i])
                        if value and header_text(value) != header_text(DEFAULT_LABEL):
                            defaults[key] = value
            elif number >= HEADER_SEARCH_ROWS:
                break
            previous = cells
            continue
        if number > MAX_SCANNED_ROWS:
            # A sheet padded with rows far below its candidates (or a forged row number) is not walked to its end.
            raise FileRejected(
                f"Le fichier contient trop de lignes (au-delà de la ligne {MAX_SCANNED_ROWS:,})".replace(
                    ",", "\u202f"
                )
                + " : supprimez les lignes vides sous les candidats ou découpez-le en plusieurs fichiers."
            )
        if not any(c is not None and c != "" and _text(c) for c in cells):
            continue  # an empty row, formatted or not
        result.total += 1
        if result.total > MAX_ROWS:
            raise FileRejected(
                f"Le fichier contient plus de {MAX_ROWS:,} lignes de candidats".replace(",", "\u202f")
                + " : découpez-le en plusieurs fichiers."
            )
        if number in grid.hidden:
            result.hidden_rows.append(number)
        row = _convert(number, cells, header, defaults, produit, product_epreuves, result, grid.numeric_cells)
        if row is not None:
            result.rows.append(row)
        if progress and result.total % PROGRESS_EVERY == 0:
            progress(result.total)
    if header is None:
        raise FileRejected(
            "Colonnes introuvables : la ligne d'en-tête (Nom, Prénom, Date de naissance, …) est absente des "
            f"{HEADER_SEARCH_ROWS} premières lignes. Utilisez le modèle de la session."
        )
    found = set(header.values())
    missing = [LABELS[k] for k in REQUIRED_COLUMNS if k not in found]
    if produit.modulaire and not any(k.startswith("ep:") for k in found):
        missing.append("colonnes des épreuves (O/N)")
    if missing:
        raise FileRejected(
            f"Colonne{'s' if len(missing) > 1 else ''} manquante{'s' if len(missing) > 1 else ''} : {', '.join(missing)}."
        )
    if result.total == 0:
        raise FileRejected("Le fichier ne contient aucun candidat (aucune ligne remplie sous l'en-tête).")
    if produit_cell and header_text(produit_cell) not in (
        header_text(produit.nom),
        header_text(produit.code),
    ):
        result.errors.insert(
            0,
            RowError(
                max(result.header_row - 2, 1),
                "Type de test",
                f"Le type de test du fichier (« {produit_cell} ») n'est pas celui de la session ({produit.nom}).",
            ),
        )
    return result


CODE_PARSERS = {
    "genre": (referentiels.parse_genre, "F (femme), H (homme) ou N (non binaire)"),
    "langue_maternelle": (
        referentiels.parse_langue,
        "langue inconnue (choisissez dans la liste, ex. ARA_arabe)",
    ),
    "nationalite": (
        referentiels.parse_nationalite,
        "pays inconnu (choisissez dans la liste, ex. DZ_Algérie)",
    ),
    "motivation": (referentiels.parse_motivation, "motivation inconnue (choisissez dans la liste)"),
}


def _convert(
    number, cells, header, defaults, produit, product_epreuves, result, numeric_cells=True
) -> EnrolRow | None:
    values = {}
    epreuves = []
    errors = []
    for index, key in header.items():
        raw = cells[index] if index < len(cells) else None
        if isinstance(raw, str) and raw.strip().startswith(FORMULA_START) and key != "date_naissance":
            label = LABELS.get(key) or key.removeprefix("ep:")
            errors.append(
                RowError(
                    number,
                    label,
                    f"Formule ou valeur interdite « {raw.strip()[:30]} » : saisissez une valeur, pas une formule.",
                )
            )
            continue
        if key.startswith("ep:"):
            code = key[3:]
            text = _text(raw).upper()
            if text in YES:
                if code not in product_epreuves:
                    errors.append(
                        RowError(number, code, f"L'épreuve {code} n'appartient pas au produit {produit.nom}.")
                    )
                else:
                    epreuves.append(product_epreuves[code])
            elif text not in NO:
                errors.append(
                    RowError(number, code, f"Valeur « {_text(raw)} » invalide : O (oui) ou N (non).")
                )
            continue
        values[key] = raw
    data = {}
    for key in ("nom", "prenom", "email", "numero_piece_identite"):
        data[key] = _text(values.get(key))
    raw_date = values.get("date_naissance")
    data["date_naissance"] = None
    if isinstance(raw_date, str) and raw_date.strip().startswith(("=", "+", "@")):
        errors.append(
            RowError(number, LABELS["date_naissance"], "Formule interdite : saisissez la date (jj/mm/aaaa).")
        )
    elif _text(raw_date):
        try:
            data["date_naissance"] = parse_date(raw_date, numeric_cells=numeric_cells)
        except YearOnly:
            errors.append(
                RowError(
                    number,
                    LABELS["date_naissance"],
                    f"Année seule « {_text(raw_date)} » : saisissez la date de naissance complète au format "
                    "JJ/MM/AAAA (ex. 05/03/1965).",
                )
            )
        except (ValueError, OverflowError):
            errors.append(
                RowError(
                    number,
                    LABELS["date_naissance"],
                    f"Date invalide « {_text(raw_date)} » : format attendu JJ/MM/AAAA.",
                )
            )
    for key, (parse, hint) in CODE_PARSERS.items():
        text = _text(values.get(key)) or defaults.get(key, "")
        data[key] = ""
        if text:
            code = parse(text)
            if code is None:
                errors.append(RowError(number, LABELS[key], f"Code inconnu « {text} » : {hint}."))
                data[key] = "?"
            else:
                data[key] = code
    if data["email"]:
        try:
            validate_email(data["email"])
        except ValidationError:
            errors.append(RowError(number, LABELS["email"], f"Adresse e-mail invalide « {data['email']} »."))
    if not produit.modulaire:
        epreuves = list(product_epreuves.values())
    if errors:
        result.errors.extend(errors)
        result.bad_rows.add(number)
    return EnrolRow(ligne=number, data=CandidatData(**data), epreuves=epreuves)


# --- The report ----------------------------------------------------------------------------------------


def full_check(session: Session, parsed: ParsedFile) -> tuple[list[RowError], list[RowError]]:
    """ONE exhaustive report: the conversion errors, and the enrolment rules on EVERY row (a row with an
    unknown code still has its empty Nom or future birth date reported), places for the whole file."""
    errors, warnings = services.check_rows(session, parsed.rows, wanted=len(parsed.rows))
    # What conversion already reported is not said twice (an unreadable date is not also "obligatoire";
    # a wrong O/N does not also leave "no épreuve chosen").
    reported: dict[int, set[str]] = {}
    for error in parsed.errors:
        reported.setdefault(error.ligne, set()).add(error.colonne)
    epreuve_labels = {k.removeprefix("ep:") for k in parsed.columns.values() if k.startswith("ep:")}
    kept = []
    for error in errors:
        columns = reported.get(error.ligne, set())
        if error.colonne in columns or (error.colonne == "Épreuves" and columns & epreuve_labels):
            continue
        kept.append(error)
    try:
        check_enrolment_open(session)
    except BusinessError as exc:
        kept.append(RowError(0, "", exc.message))
    combined = parsed.errors + kept
    combined.sort(key=lambda e: (e.ligne == 0, e.ligne))
    warnings = [
        RowError(
            n,
            "",
            "Ligne masquée dans le fichier : elle sera importée comme les autres, vérifiez qu'elle doit l'être.",
        )
        for n in parsed.hidden_rows
    ] + warnings
    warnings.sort(key=lambda w: w.ligne)
    return combined, warnings


# --- The user's file back, with its errors ----------------------------------------------------------------

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
ERRORS_HEADER = "Erreurs"


def _column_of(parsed: ParsedFile) -> dict[str, int]:
    """Report column label → column index (0-based) in the user's file."""
    out = {}
    for index, key in parsed.columns.items():
        out[LABELS.get(key) or key.removeprefix("ep:")] = index
    return out


def error_workbook(content: bytes, filename: str, parsed: ParsedFile, errors: list[RowError]) -> bytes:
    """The user's own file (an .xlsx; a CSV comes back as one) with an « Erreurs » column holding every
    reason of its row, and each faulty cell filled in red with the reason as a comment: to fix in Excel or
    LibreOffice and upload again (the « Erreurs » column is then ignored)."""
    if filename.lower().endswith(".xlsx"):
        wb = load_workbook(io.BytesIO(content))
        ws = wb["Candidats"] if "Candidats" in wb.sheetnames else wb.worksheets[0]
    else:
        wb = Workbook()
        ws = wb.active
        ws.title = "Candidats"
        for row in _csv_grid(content).rows:
            ws.append([safe_cell(clean(value)) for value in row])
    header_row = parsed.header_row or 1
    errors_column = max(ws.max_column, max(parsed.columns, default=0) + 1) + 1
    for index in range(1, ws.max_column + 1):  # an « Erreurs » column of an earlier round is used again
        if header_text(ws.cell(row=header_row, column=index).value) == header_text(ERRORS_HEADER):
            errors_column = index
            for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
                cell.value = None
            break
    head = ws.cell(row=header_row, column=errors_column, value=ERRORS_HEADER)
    head.font = Font(bold=True, color="C00000")
    ws.column_dimensions[get_column_letter(errors_column)].width = 60
    columns = _column_of(parsed)
    by_row: dict[int, list[RowError]] = {}
    for error in errors:
        by_row.setdefault(error.ligne, []).append(error)
    for ligne, row_errors in by_row.items():
        messages = [f"{e.colonne} : {e.message}" if e.colonne else e.message for e in row_errors]
        if ligne == 0:  # the file as a whole (places, session closed): on the « Erreurs » header
            head.comment = Comment("\n".join(messages), "Portail centres", width=300, height=120)
            continue
        cell = ws.cell(row=ligne, column=errors_column, value=safe_cell(" ; ".join(messages)))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(color="C00000")
        for error in row_errors:
            if error.colonne in columns:
                faulty = ws.cell(row=ligne, column=columns[error.colonne] + 1)
                faulty.fill = ERROR_FILL
                text = error.message if faulty.comment is None else f"{faulty.comment.text}\n{error.message}"
                faulty.comment = Comment(text, "Portail centres", width=300, height=100)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def error_file_name(job: ImportJob) -> str:
    stem = safe_filename(job.nom_fichier).rsplit(".", 1)[0]
    return f"{stem}_erreurs.xlsx"


def _store_error_file(
    job: ImportJob, content: bytes, parsed: ParsedFile, errors: list[RowError]
) -> str | None:
    try:
        data = error_workbook(content, job.nom_fichier, parsed, errors)
    except Exception:  # the report stays on the page even if the file cannot be rebuilt
        logger.exception("Import %s: error file not built", job.pk)
        return None
    return job.fichier.storage.save(f"imports/erreurs/{job.pk}_{error_file_name(job)}", ContentFile(data))


def _preview(rows: list[EnrolRow], limit: int = 50) -> list[dict]:
    out = []
    for row in rows[:limit]:
        d = row.data
        out.append(
            {
                "ligne": row.ligne,
                "nom": d.nom,
                "prenom": d.prenom,
                "date_naissance": d.date_naissance.strftime("%d/%m/%Y") if d.date_naissance else "",
                "genre": d.genre,
                "langue": referentiels.langue_name(d.langue_maternelle),
                "nationalite": d.nationalite,
                "motivation": d.motivation,
                "epreuves": ", ".join(e.code for e in row.epreuves),
            }
        )
    return out


def _read_job_file(job: ImportJob) -> bytes:
    with job.fichier.open("rb") as f:
        return f.read()


def _throttled(store):
    """Progress stored at most twice a second: one UPDATE (and commit) per 100 rows was a tenth of a
    5,000-row validation (make bench)."""
    last = 0.0

    def set_progress(n: int) -> None:
        nonlocal last
        if time.monotonic() - last >= PROGRESS_SECONDS:
            last = time.monotonic()
            store(n)

    return set_progress


def progress_key(job_id: int) -> str:
    return f"candidats:import:{job_id}:progress"


def parsed_key(job: ImportJob) -> str:
    # The creation instant too: a job number may come back after a database is recreated, not with it.
    return f"candidats:import:{job.pk}:{job.created_at.timestamp()}:{job.fichier.name}:parsed"


def has_parsed(job: ImportJob) -> bool:
    """Whether the confirmation can reuse the validated rows (else it reads the file: a worker's job)."""
    return isinstance(cache.get(parsed_key(job)), ParsedFile)


def _parsed_for_import(job: ImportJob, session: Session) -> ParsedFile:
    """The rows validation converted (the stored file never changes), or the file read again when
    the cache has lost them: reading and converting 5,000 rows once instead of twice (make bench)."""
    parsed = cache.get(parsed_key(job))
    if isinstance(parsed, ParsedFile):
        return parsed
    return parse_file(_read_job_file(job), job.nom_fichier, session)


J = ImportJob.Statut

# The one table of an import's statuses. Only these changes go through the workflow (lock, history row):
# the progress of a validation or an import is a bare UPDATE of a counter (or a cache key), never a
# history row, so the import speed is the bench's.
IMPORT_TRANSITIONS = {
    # A file refused at upload (its archive fails the check before any parser opens it) never runs.
    J.EN_ATTENTE: {J.EN_COURS, J.ERREURS},
    J.EN_COURS: {J.A_CONFIRMER, J.ERREURS, J.ECHEC, J.TERMINE},
    J.A_CONFIRMER: {J.EN_COURS},
}
IMPORTS = Workflow(
    ImportJob,
    transitions=IMPORT_TRANSITIONS,
    history=ImportJobStatusChange,
    noun=lambda job: "Cet import",
    pronoun="il",
)
FINISH_COMMENTS = {
    J.A_CONFIRMER: "Fichier validé : prêt à confirmer.",
    J.ERREURS: "Erreurs à corriger dans le fichier.",
    J.ECHEC: "Échec de l'import.",
    J.TERMINE: "Import terminé.",
}


def start_import(*, session: Session, upload, by) -> ImportJob:
    """Store the upload (Django storage) as an ImportJob waiting for validation (tasks.validate_import: the
    file is parsed in the worker, never in the web request). An .xlsx whose archive is abnormal (zip bomb)
    is refused here, before any parser opens it: its job is finished at once with the reason."""
    content = upload.read()
    upload.seek(0)
    refusal = check_xlsx_archive(content) if upload.name.lower().endswith(".xlsx") else None
    job = ImportJob(
        centre=session.centre,
        session=session,
        nom_fichier=upload.name[:255],
        created_by=by,
        lignes_total=0 if refusal else min(estimate_rows(content, upload.name), MAX_ROWS + 1),
    )
    job.fichier.save(upload.name, upload, save=False)
    job.save()
    IMPORTS.record_creation(job, by=by, comment="Fichier déposé.")
    if refusal:
        return _finish(job, J.ERREURS, {"fichier": refusal, "errors": [], "warnings": []}, 0)
    return job


def validate_job(job_id: int) -> ImportJob | None:
    """Parse and check the whole file; the report (errors, warnings, preview) goes in job.rapport.
    Idempotent: a job already validated or imported is left as it is."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.statut not in (J.EN_ATTENTE,):
            return job
        IMPORTS.transition(
            job,
            J.EN_COURS,
            comment="Validation du fichier.",
            changes={"rapport": {"phase": "validation"}},
            locked=True,
        )
    session = Session.objects.select_related("produit", "centre").get(pk=job.session_id)
    try:
        with bulk.collector_paused():
            content = _read_job_file(job)
            parsed = parse_file(
                content,
                job.nom_fichier,
                session,
                progress=_throttled(lambda n: ImportJob.objects.filter(pk=job.pk).update(lignes_traitees=n)),
            )
            errors, warnings = full_check(session, parsed)
            if not errors:
                cache.set(parsed_key(job), parsed, PARSED_TTL)
            error_file = _store_error_file(job, content, parsed, errors) if errors else None
    except FileRejected as exc:
        return _finish(job, J.ERREURS, {"fichier": exc.message, "errors": [], "warnings": []}, 0)
    except Exception:
        # Never leave the page spinning: the job says it failed, the log keeps the traceback.
        logger.exception("Import %s: validation failed", job.pk)
        return _finish(job, J.ECHEC, {"message": UNEXPECTED, "errors": [], "warnings": []}, 0)
    rapport = {
        "errors": [asdict(e) for e in errors],
        "warnings": [asdict(w) for w in warnings],
        "lignes": parsed.total,
        "apercu": _preview(parsed.rows),
        "ignorees": parsed.ignored,
    }
    if error_file:
        rapport["fichier_erreurs"] = error_file
    statut = J.ERREURS if errors else J.A_CONFIRMER
    return _finish(job, statut, rapport, parsed.total)


def _finish(job: ImportJob, statut: str, rapport: dict, total: int, *, by=None) -> ImportJob:
    IMPORTS.transition(
        job,
        statut,
        by=by,
        comment=FINISH_COMMENTS[statut],
        changes={
            "rapport": rapport,
            "lignes_total": total,
            "lignes_traitees": total,
            "finished_at": timezone.now() if statut in (J.TERMINE, J.ERREURS, J.ECHEC) else None,
        },
    )
    return job


def cannot_confirm(job: ImportJob) -> str | None:
    """Why "Confirmer l'import" is refused (French), or None: only a validated file, once."""
    if job.statut != J.A_CONFIRMER:
        return f"Cet import est « {job.get_statut_display()} » : il ne peut pas être confirmé."
    return None


def can_confirm(job: ImportJob) -> bool:
    return cannot_confirm(job) is None


def claim_for_import(job: ImportJob, *, by=None) -> ImportJob:
    """A→"en cours" once (a second click or a second worker finds it taken)."""
    with transaction.atomic():
        locked = IMPORTS.lock(job)
        if (refusal := cannot_confirm(locked)) is not None:
            raise BusinessError(refusal, code="transition")
        IMPORTS.transition(
            locked,
            J.EN_COURS,
            by=by,
            comment="Import confirmé.",
            changes={"lignes_traitees": 0, "rapport": {**(locked.rapport or {}), "phase": "import"}},
            locked=True,
        )
    return locked


def confirm_job(job_id: int, *, by_id: int | None, confirm_warnings: bool) -> ImportJob:
    """Write every row or none (services.enrol_many, one session lock). The job must have been
    claimed (claim_for_import). The rules are checked again: places may have gone meanwhile."""
    from django.contrib.auth import get_user_model

    job = ImportJob.objects.get(pk=job_id)
    if job.statut != J.EN_COURS or job.rapport.get("phase") != "import":
        return job
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    session = Session.objects.select_related("produit", "centre").get(pk=job.session_id)
    rapport = dict(job.rapport)
    key = progress_key(job.pk)
    try:
        with bulk.collector_paused():
            parsed = _parsed_for_import(job, session)
            if parsed.errors:
                raise services.RowsInvalid(parsed.errors)
            # The enrolments and the job's "Terminé" commit together: a crash in between cannot leave
            # candidates enrolled by a job that says otherwise (a retry then finds the job finished).
            with transaction.atomic():
                numbers = services.enrol_many(
                    session=session,
                    rows=parsed.rows,
                    by=by,
                    confirm_warnings=confirm_warnings,
                    progress=_throttled(lambda n: cache.set(key, n, 3600)),
                )
                rapport.update(inscrits=len(numbers), premier=numbers[0], dernier=numbers[-1])
                return _finish(job, J.TERMINE, rapport, len(numbers), by=by)
    except services.ConfirmationRequired as exc:
        rapport["phase"] = "validation"
        rapport["message"] = "Confirmez l'inscription malgré l'avertissement."
        IMPORTS.transition(
            job,
            J.A_CONFIRMER,
            by=by,
            comment="Avertissement à confirmer.",
            changes={"rapport": rapport | {"warnings_text": exc.warnings}},
        )
        return job
    except services.RowsInvalid as exc:
        rapport.update(errors=[asdict(e) for e in exc.errors], message=exc.message)
        return _finish(job, J.ERREURS, rapport, job.lignes_total, by=by)
    except FileRejected as exc:
        rapport.update(fichier=exc.message)
        return _finish(job, J.ERREURS, rapport, job.lignes_total, by=by)
    except BusinessError as exc:
        rapport.update(message=exc.message)
        return _finish(job, J.ECHEC, rapport, job.lignes_total, by=by)
    except Exception:
        logger.exception("Import %s: enrolment failed", job.pk)
        rapport.update(message=UNEXPECTED)
        return _finish(job, J.ECHEC, rapport, job.lignes_total, by=by)
