"""Import of an enrolment file (the session's .xlsx template, or a CSV in the same columns).

parse_file() reads and converts every row (codes, dates, O/N), reporting each bad cell by row,
column and reason in French; validate_job() adds the business rules of the enrolment service
(services.check_rows: duplicates, épreuves, places for the whole file) and stores the report for the
preview; confirm_job() writes everything or nothing through services.enrol_many() (one session lock).

Limits: settings.MAX_UPLOAD_SIZE, MAX_ROWS (5,000) candidate rows; a file of more than SYNC_MAX_ROWS
(200) rows is validated and imported by a Celery task while its page shows the progress."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import time
from dataclasses import asdict, dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from core import bulk
from core.errors import BusinessError
from core.spreadsheets import check_xlsx_archive
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
MAX_BLANK_ROWS = 2_000
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


class FileRejected(BusinessError):
    """The file as a whole cannot be read (not a spreadsheet, empty, columns missing, too many rows)."""


@dataclass
class ParsedFile:
    rows: list[EnrolRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)
    total: int = 0


def _norm(value) -> str:
    return services.normalise(str(value or "")).replace("-", " ").replace("'", " ").replace("’", " ")


def _header_key(text: str, epreuves: dict[str, Epreuve]) -> str | None:
    """Which column a header names: a fixed field, or `ep:<code>` for an épreuve column."""
    n = _norm(text)
    if not n:
        return None
    if n in ("nom", "nom de famille"):
        return "nom"
    if n.startswith("prenom"):
        return "prenom"
    if n.startswith("date de naissance"):
        return "date_naissance"
    if n.startswith("genre"):
        return "genre"
    if n.startswith("langue"):
        return "langue_maternelle"
    if n in ("email", "e mail", "courriel", "adresse e mail", "adresse email"):
        return "email"
    if n.startswith("nationalite"):
        return "nationalite"
    if n.startswith("motivation"):
        return "motivation"
    if "piece" in n:
        return "numero_piece_identite"
    words = set(re.split(r"[^a-z0-9]+", n))
    for code in epreuves:
        if code.lower() in words:
            return f"ep:{code}"
    return None


# --- Reading the two formats ------------------------------------------------------------------------


def _xlsx_rows(content: bytes):
    if (refusal := check_xlsx_archive(content)) is not None:
        raise FileRejected(refusal)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise FileRejected("Ce fichier n'est pas un classeur Excel (.xlsx) lisible.") from exc
    ws = wb["Candidats"] if "Candidats" in wb.sheetnames else wb.worksheets[0]
    try:
        for row in ws.iter_rows(values_only=True):
            yield list(row)
    finally:
        wb.close()


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected("Encodage du fichier CSV non reconnu : enregistrez-le en UTF-8 ou Windows-1252.")


def _csv_rows(content: bytes):
    if b"\x00" in content[:4096]:
        raise FileRejected("Ce fichier n'est pas un fichier texte CSV.")
    text = _decode(content)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def read_rows(content: bytes, filename: str):
    if filename.lower().endswith(".csv"):
        return _csv_rows(content)
    if filename.lower().endswith(".xlsx"):
        return _xlsx_rows(content)
    raise FileRejected("Format non reconnu : déposez le modèle Excel rempli (.xlsx) ou un fichier .csv.")


def estimate_rows(content: bytes, filename: str) -> int:
    """A cheap upper bound of the candidate rows, to choose between inline and Celery."""
    if filename.lower().endswith(".csv"):
        return max(content.count(b"\n") - 1, 0)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True)
        ws = wb["Candidats"] if "Candidats" in wb.sheetnames else wb.worksheets[0]
        count = ws.max_row or 0
        wb.close()
        return max(count - 6, 0)
    except Exception:
        return 0


# --- Converting cells --------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def parse_date(value) -> dt.date:
    """A real Excel date, an Excel serial number or a text date (jj/mm/aaaa, jj-mm-aaaa, aaaa-mm-jj)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        return from_excel(value).date()
    text = _text(value)
    if match := DAY_MONTH_YEAR.fullmatch(text):  # the template's own form, without strptime's cost
        day, month, year = map(int, match.groups())
        return dt.date(year, month, day)
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y", "%Y-%m-%d %H:%M:%S"):
        try:
            parsed = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if fmt == "%d/%m/%y" and parsed > dt.date.today():
            parsed = parsed.replace(year=parsed.year - 100)
        return parsed
    raise ValueError(text)


def parse_file(content: bytes, filename: str, session: Session, progress=None) -> ParsedFile:
    """Every row converted, or reported (row, column, French reason). Raises FileRejected."""
    produit = session.produit
    product_epreuves = {e.code: e for e in produit.epreuves.all()}
    all_epreuves = {e.code: e for e in Epreuve.objects.all()}
    result = ParsedFile()
    header: dict[int, str] | None = None
    header_row = 0
    previous: list = []
    defaults: dict[str, str] = {}
    produit_cell = None
    for number, raw in enumerate(read_rows(content, filename), start=1):
        cells = list(raw)
        if header is None:
            texts = [_text(c) for c in cells]
            for index, text in enumerate(texts):
                if _norm(text) == _norm(TYPE_LABEL):
                    produit_cell = next((t for t in texts[index + 1 :] if t), None)
            keys = {i: _header_key(t, all_epreuves) for i, t in enumerate(texts)}
            keys = {i: k for i, k in keys.items() if k}
            if "nom" in keys.values() and "prenom" in keys.values():
                header, header_row = keys, number
                for i, key in keys.items():
                    if key in ("langue_maternelle", "nationalite") and i < len(previous):
                        value = _text(previous[i])
                        if value and _norm(value) != _norm(DEFAULT_LABEL):
                            defaults[key] = value
            elif number > 30:
                break
            previous = cells
            continue
        if not any(_text(c) for c in cells):
            if number > MAX_ROWS + MAX_BLANK_ROWS:
                # A sheet padded with blank rows (or a forged dimension) is not walked to its end.
                raise FileRejected("Le fichier contient trop de lignes : découpez-le en plusieurs fichiers.")
            continue
        result.total += 1
        if result.total > MAX_ROWS:
            raise FileRejected(
                f"Le fichier contient plus de {MAX_ROWS:,} lignes de candidats".replace(",", "\u202f")
                + " : découpez-le en plusieurs fichiers."
            )
        row = _convert(number, cells, header, defaults, produit, product_epreuves, result)
        if row is not None:
            result.rows.append(row)
        if progress and result.total % PROGRESS_EVERY == 0:
            progress(result.total)
    if header is None:
        raise FileRejected(
            "Colonnes introuvables : la ligne d'en-tête (Nom, Prénom, Date de naissance, …) du modèle est "
            "absente. Utilisez le modèle de la session."
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
    if produit_cell and _norm(produit_cell) not in (_norm(produit.nom), _norm(produit.code)):
        result.errors.insert(
            0,
            RowError(
                max(header_row - 2, 1),
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


def _convert(number, cells, header, defaults, produit, product_epreuves, result) -> EnrolRow | None:
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
            data["date_naissance"] = parse_date(raw_date)
        except (ValueError, OverflowError):
            errors.append(
                RowError(
                    number,
                    LABELS["date_naissance"],
                    f"Date invalide « {_text(raw_date)} » : format attendu jj/mm/aaaa.",
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
    """Conversion errors + the enrolment rules on the rows that converted; places for the whole file."""
    good = [r for r in parsed.rows if r.ligne not in parsed.bad_rows]
    errors, warnings = services.check_rows(session, good, wanted=len(parsed.rows))
    try:
        check_enrolment_open(session)
    except BusinessError as exc:
        errors.append(RowError(0, "", exc.message))
    # A row with an unknown code is already reported: don't say its field is also missing.
    combined = parsed.errors + errors
    combined.sort(key=lambda e: (e.ligne == 0, e.ligne))
    return combined, warnings


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
    J.EN_ATTENTE: {J.EN_COURS},
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
    """Store the upload (Django storage) as an ImportJob waiting for validation."""
    content = upload.read()
    upload.seek(0)
    job = ImportJob(
        centre=session.centre,
        session=session,
        nom_fichier=upload.name[:255],
        created_by=by,
        lignes_total=min(estimate_rows(content, upload.name), MAX_ROWS + 1),
    )
    job.fichier.save(upload.name, upload, save=False)
    job.save()
    IMPORTS.record_creation(job, by=by, comment="Fichier déposé.")
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
            parsed = parse_file(
                _read_job_file(job),
                job.nom_fichier,
                session,
                progress=_throttled(lambda n: ImportJob.objects.filter(pk=job.pk).update(lignes_traitees=n)),
            )
            errors, warnings = full_check(session, parsed)
            if not errors:
                cache.set(parsed_key(job), parsed, PARSED_TTL)
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
    }
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
