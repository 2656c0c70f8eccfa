"""Results: FDA enters or imports scores per épreuve, levels come from the scale in force at the session
date (tarifs.scales), publication moves the session to Résultats disponibles and hands the attestations to
the workers (candidats.attestations).

Every write is all-or-nothing: one wrong score refuses the whole grid or file, with the row named."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import ngettext

from core.background import run_in_background
from core.errors import BusinessError
from core.exports import ExportKind, register
from core.spreadsheets import check_xlsx_archive, safe_cell
from sessions_app.models import Session, SessionStatus
from sessions_app.services import SESSIONS
from tarifs import scales

from . import tasks
from .models import Inscription, InscriptionEpreuve, InscriptionStatus, Resultat

S = SessionStatus
ENTRY_STATUSES = frozenset({S.CORRECTION})
IMPORT_HEADERS = ("N° inscription", "Épreuve", "Score")
MAX_IMPORT_ROWS = 20_000


@dataclass(frozen=True)
class ScoreRow:
    """One score to record: (enrolment number, épreuve code, score) and where it came from ("Ligne 4")."""

    numero: int
    epreuve_code: str
    score: int
    where: str


def valid_until(session: Session) -> dt.date | None:
    """End of validity of the session's results: `Produit.validite_annees` years from the session date
    (29 February → 28 February); None for a product whose results do not expire (DFP, a diploma)."""
    years = session.produit.validite_annees
    if not years:
        return None
    try:
        return session.date.replace(year=session.date.year + years)
    except ValueError:
        return session.date.replace(year=session.date.year + years, day=28)


def scored_epreuves(session: Session) -> list[InscriptionEpreuve]:
    """The épreuves that get a score: sat (not absent, not dispensed) by an active enrolment."""
    return list(
        InscriptionEpreuve.objects.filter(
            inscription__session=session,
            inscription__statut=InscriptionStatus.INSCRIT,
            absent=False,
            dispense=False,
        )
        .select_related("inscription__candidat", "epreuve")
        .order_by(
            "inscription__candidat__nom",
            "inscription__candidat__prenom",
            "inscription__numero",
            "epreuve__ordre",
        )
    )


def cannot_enter_scores(session: Session) -> str | None:
    """Why scores cannot be entered in this session now (French), or None."""
    if session.statut not in ENTRY_STATUSES:
        return (
            f"La session {session.numero} est « {session.get_statut_display()} » : les scores se saisissent "
            "quand elle est En correction."
        )
    return None


def can_enter_scores(session: Session) -> bool:
    return cannot_enter_scores(session) is None


def _check_entry(session: Session) -> None:
    if (refusal := cannot_enter_scores(session)) is not None:
        raise BusinessError(refusal, code="entry")


def check_scores(session: Session, rows: list[ScoreRow]) -> list[tuple[InscriptionEpreuve, int]]:
    """Every check of `record_scores` (session En correction, épreuve sat in the session, a scale in
    force, 0 ≤ score ≤ maximum) without writing: forms call it to show the refusal as a form error.
    Returns the (épreuve sat, score) pairs; raises BusinessError listing every wrong row."""
    _check_entry(session)
    locked = session
    sat = {(ie.inscription.numero, ie.epreuve.code): ie for ie in scored_epreuves(locked)}
    errors, resolved = [], []
    book = scales.load_book(locked.produit.code, locked.date)
    for row in rows:
        ie = sat.get((row.numero, row.epreuve_code))
        if ie is None:
            errors.append(
                f"{row.where} : l'inscription {row.numero} n'a pas passé l'épreuve « {row.epreuve_code} » "
                "dans cette session (inconnue, absente ou dispensée)."
            )
            continue
        try:
            found = scales.levels(locked.produit.code, ie.epreuve.code, locked.date, row.score, book=book)
        except scales.ScoreError as exc:
            errors.append(f"{row.where} : {exc.message}")
        else:
            resolved.append((ie, found))
    if errors:
        raise BusinessError(
            " ".join(errors[:20]) + (f" (et {len(errors) - 20} autres erreurs)" if len(errors) > 20 else "")
        )
    return resolved


@transaction.atomic
def record_scores(session: Session, rows: list[ScoreRow], *, by=None) -> int:
    """Record scores (replacing earlier ones). Returns how many were recorded. Raises BusinessError listing
    every wrong row; then nothing is recorded. Every entry path calls it: the results page (grid and
    file), the enrolment's inline and the results list of the back office."""
    locked = Session.objects.select_for_update().select_related("produit").get(pk=session.pk)
    resolved = check_scores(locked, rows)
    for ie, found in resolved:
        # The levels at entry are kept on the row (personal-data export, history); pages, exports and
        # attestations read them again through tarifs.scales.levels().
        Resultat.objects.update_or_create(
            inscription=ie.inscription,
            epreuve=ie.epreuve,
            defaults={
                "score": found.score,
                "score_max": found.score_max,
                "niveau_cecrl": found.cecrl,
                "nclc": found.nclc,
                "saisi_par": by,
            },
        )
    return len(resolved)


def rows_from_grid(data: Mapping[str, str]) -> list[ScoreRow]:
    """The admin's entry grid: fields named `score-<numero>-<code épreuve>`; empty fields are skipped."""
    rows = []
    for key, value in data.items():
        if not key.startswith("score-") or not str(value).strip():
            continue
        _, numero, code = key.split("-", 2)
        where = f"Inscription {numero}, {code}"
        try:
            rows.append(ScoreRow(int(numero), code, int(str(value).strip()), where))
        except ValueError:
            raise BusinessError(f"{where} : « {value} » n'est pas un score entier.") from None
    return rows


def rows_from_xlsx(content: bytes) -> list[ScoreRow]:
    """Columns N° inscription, Épreuve, Score (first sheet, headers on row 1)."""
    from openpyxl import load_workbook

    if (refusal := check_xlsx_archive(content)) is not None:
        raise BusinessError(refusal)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise BusinessError("Le fichier n'est pas un classeur Excel (.xlsx) lisible.") from None
    sheet = workbook.worksheets[0]
    if (sheet.max_row or 0) > MAX_IMPORT_ROWS + 1:
        raise BusinessError(f"Le fichier dépasse {MAX_IMPORT_ROWS} lignes.")
    lines = sheet.iter_rows(values_only=True)
    header = tuple(str(c or "").strip() for c in next(lines, ())[:3])
    if header != IMPORT_HEADERS:
        raise BusinessError(f"La première ligne doit contenir les colonnes : {', '.join(IMPORT_HEADERS)}.")
    rows, errors = [], []
    for number, values in enumerate(lines, start=2):
        values = tuple(values[:3]) + (None,) * (3 - len(values[:3]))
        if all(v in (None, "") for v in values):
            continue
        numero, code, score = values
        where = f"Ligne {number}"
        try:
            rows.append(ScoreRow(int(numero), str(code or "").strip().upper(), int(score), where))
        except (TypeError, ValueError):
            errors.append(f"{where} : numéro d'inscription et score doivent être des nombres entiers.")
    workbook.close()
    if errors:
        raise BusinessError(" ".join(errors[:20]))
    if not rows:
        raise BusinessError("Le fichier ne contient aucun score.")
    return rows


def import_template(session: Session) -> bytes:
    """An .xlsx listing every épreuve to score, the Score column empty."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Scores {session.numero}"
    sheet.append(IMPORT_HEADERS + ("Nom", "Prénom"))
    for ie in scored_epreuves(session):
        candidat = ie.inscription.candidat
        sheet.append(
            [
                ie.inscription.numero,
                ie.epreuve.code,
                None,
                safe_cell(candidat.nom),
                safe_cell(candidat.prenom),
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def missing_scores(session: Session) -> list[InscriptionEpreuve]:
    scored = set(
        Resultat.objects.filter(inscription__session=session).values_list("inscription_id", "epreuve_id")
    )
    return [ie for ie in scored_epreuves(session) if (ie.inscription_id, ie.epreuve_id) not in scored]


def cannot_publish(session: Session) -> str | None:
    """Why "Publier les résultats" is refused (French), or None. Missing scores are not a refusal: the
    publication then asks for a confirmation (`allow_missing`)."""
    if not SESSIONS.allows(session.statut, S.RESULTATS):
        return (
            f"La session {session.numero} est « {session.get_statut_display()} » : seuls les résultats d'une "
            "session En correction peuvent être publiés."
        )
    return None


def can_publish(session: Session) -> bool:
    return cannot_publish(session) is None


@transaction.atomic
def publish(session: Session, *, by=None, allow_missing: bool = False) -> None:
    """ "Publier les résultats": Résultats disponibles, then the workers render the attestations."""
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if (refusal := cannot_publish(locked)) is not None:
        raise BusinessError(refusal, code="publish")
    missing = missing_scores(locked)
    if missing and not allow_missing:
        n = len(missing)
        raise BusinessError(
            f"{n} score{'s' if n > 1 else ''} manque{'nt' if n > 1 else ''} (par exemple inscription "
            f"{missing[0].inscription.numero}, {missing[0].epreuve.code}). Saisissez-les, ou confirmez la "
            "publication sans eux."
        )
    comment = "Résultats publiés par le FDA."
    if missing:
        n = len(missing)
        comment += " " + ngettext(
            "Publiés sans %(n)d score manquant, sur confirmation.",
            "Publiés sans %(n)d scores manquants, sur confirmation.",
            n,
        ) % {"n": n}
    SESSIONS.transition(locked, S.RESULTATS, by=by, comment=comment, locked=True)
    # Once committed, the workers render the attestations in chunks (never this request, not even in the
    # demo): the results pages show their progress.
    run_in_background(tasks.publish_attestations, locked.pk)
    session.statut = locked.statut


def results_queryset(session: Session) -> QuerySet[Inscription]:
    """The Tableau de résultats' enrolments, in its order (paginated by the page, whole for exports)."""
    return (
        Inscription.objects.filter(session=session, statut=InscriptionStatus.INSCRIT)
        .select_related("candidat")
        .prefetch_related("epreuves__epreuve", "resultats")
        .order_by("candidat__nom", "candidat__prenom", "numero")
    )


def results_table(session: Session) -> list[Inscription]:
    """The Tableau de résultats: every active enrolment with `lines` and `overall` (see with_lines)."""
    return with_lines(list(results_queryset(session)), session)


@dataclass(frozen=True)
class Columns:
    """Which columns the results of a page / export / attestation need."""

    nclc: bool
    equivalence: bool
    niveau_global: bool
    nclc_global: bool
    demo: bool


def with_lines(inscriptions: list[Inscription], session: Session) -> list[Inscription]:
    """Set on each enrolment (prefetched épreuves and results): `lines` = (épreuve, result or None,
    absent, dispensé), each result carrying `levels` (tarifs.scales.levels(), None when the scale no
    longer holds its score), and `overall` (tarifs.scales.overall()). The session's tables are read once
    (four queries, whatever the number of enrolments)."""
    if not inscriptions:
        return inscriptions
    book = scales.load_book(session.produit.code, session.date)
    for inscription in inscriptions:
        by_epreuve = {r.epreuve_id: r for r in inscription.resultats.all()}
        inscription.lines = []
        found = {}
        for ie in sorted(inscription.epreuves.all(), key=lambda ie: (ie.epreuve.ordre, ie.epreuve.code)):
            result = by_epreuve.get(ie.epreuve_id)
            if result is not None:
                try:
                    result.levels = scales.levels(
                        session.produit.code, ie.epreuve.code, session.date, result.score, book=book
                    )
                    found[ie.epreuve.code] = result.levels
                except scales.ScoreError:
                    result.levels = None
            inscription.lines.append((ie.epreuve, result, ie.absent, ie.dispense))
        inscription.overall = scales.overall(session.produit.code, session.date, found, book=book)
    return inscriptions


def columns(inscriptions: list[Inscription]) -> Columns:
    levels = [r.levels for i in inscriptions for _, r, _, _ in i.lines if r is not None and r.levels]
    return Columns(
        nclc=any(lv.has_nclc for lv in levels),
        equivalence=any(lv.equivalence is not None for lv in levels),
        niveau_global=any(i.overall.has_niveau for i in inscriptions),
        nclc_global=any(i.overall.has_nclc for i in inscriptions),
        demo=any(lv.demo for lv in levels),
    )


def _results_sheet(sessions: QuerySet[Session]):
    """The Tableau de résultats as a sheet: one row per candidate and épreuve (the export kind below)."""
    from core.spreadsheets import Column

    session = sessions.select_related("centre", "produit").get()
    inscriptions = results_table(session)
    cols = columns(inscriptions)
    columns_out = [
        Column("N° inscription", "integer"),
        Column("Nom"),
        Column("Prénom"),
        Column("Épreuve"),
        Column("Score", "integer"),
        Column("Sur", "integer"),
        Column("Niveau CECRL"),
    ]
    columns_out += [Column("NCLC", "integer")] if cols.nclc else []
    columns_out += [Column("Équivalence ancien score", "integer")] if cols.equivalence else []
    columns_out += [Column("NCLC global", "integer")] if cols.nclc_global else []
    columns_out += [Column("Niveau global")] if cols.niveau_global else []
    columns_out += [Column("Statut"), Column("Valable jusqu'au", "date")]
    until = valid_until(session)

    def line(inscription, epreuve, result, absent, dispense):
        lv = result.levels if result else None
        row = [
            inscription.numero,
            inscription.candidat.nom.upper(),
            inscription.candidat.prenom,
            epreuve.code,
            result.score if result else None,
            lv.score_max if lv else None,
            (lv.cecrl or None) if lv else None,
        ]
        row += [lv.nclc if lv else None] if cols.nclc else []
        row += [lv.equivalence if lv else None] if cols.equivalence else []
        row += [inscription.overall.nclc] if cols.nclc_global else []
        row += [inscription.overall.niveau or None] if cols.niveau_global else []
        row += ["Absent" if absent else "Dispensé" if dispense else "" if result else "Non noté"]
        row += [until if until and result else None]
        return row

    rows = (
        line(inscription, epreuve, result, absent, dispense)
        for inscription in inscriptions
        for epreuve, result, absent, dispense in inscription.lines
    )
    return columns_out, rows


def _results_lines(sessions: QuerySet[Session]) -> int:
    return InscriptionEpreuve.objects.filter(
        inscription__session__in=sessions, inscription__statut=InscriptionStatus.INSCRIT
    ).count()


RESULTATS = register(
    ExportKind(
        name="resultats",
        title="Résultats de la session",
        sheet=lambda sessions: f"Résultats {sessions.get().numero}",
        filename=lambda sessions: f"resultats_{sessions.get().numero}.xlsx",
        table=_results_sheet,
        count=_results_lines,
    )
)
