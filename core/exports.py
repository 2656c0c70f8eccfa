"""Exports: a file written from a list, answered in the request when it is small, else written by a Celery
worker (core.tasks.run_export) with its progress shown and a download link for the person who asked.

Each app declares its exports once, in its own exports module, as an `ExportKind` registered here
(`register`); views and back-office actions call `export_or_start` with the kind and the queryset they
already scope to the user (tenancy included), and never write a file themselves. The worker receives the
queryset as its pickled `query` (Django's documented way to rebuild a queryset elsewhere), reads it in
chunks and writes the sheet in a temporary file (openpyxl's write-only mode): memory stays flat from ten rows
to a million. The finished file goes to the default storage (the object store in production)."""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .background import run_in_background
from .models import Export, ExportStatusChange
from .spreadsheets import XLSX, Column, write_xlsx_table
from .workflow import Workflow

logger = logging.getLogger(__name__)
S = Export.Statut

EXPORTS = Workflow(
    Export,
    transitions={S.EN_ATTENTE: {S.EN_COURS, S.ECHEC}, S.EN_COURS: {S.PRET, S.ECHEC}},
    history=ExportStatusChange,
    noun=lambda export: f"L'export « {export.titre} »",
    pronoun="il",
)
PROGRESS_EVERY = 1000  # rows between two progress updates of a running export
CHUNK_ROWS = 2000  # rows read from the database at a time


def in_chunks(queryset: QuerySet, *fields: str, key: str = "pk", size: int | None = None):
    """The queryset's rows as lists of `values_list(key, *fields)` tuples, `size` at a time, by ascending
    `key` (a unique column): keyset pagination, so memory stays flat and no server-side cursor is needed
    (PgBouncer in transaction mode has none). Each chunk is one indexed query, however far the list goes."""
    queryset = queryset.order_by(key).values_list(key, *fields)
    size = size or CHUNK_ROWS
    last = None
    while True:
        page = queryset if last is None else queryset.filter(**{f"{key}__gt": last})
        rows = list(page[:size])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


@dataclass(frozen=True)
class ExportKind:
    """One export of the portal. `table(queryset)` gives the sheet's columns and its rows (an iterator that
    reads the database in chunks); `count(queryset)` the number of rows, known before writing (the progress
    bar and the choice between the request and a worker)."""

    name: str
    title: str
    sheet: str | Callable[[QuerySet], str]
    filename: Callable[[QuerySet], str]
    table: Callable[[QuerySet], tuple[Sequence[Column], Iterable[Sequence]]]
    count: Callable[[QuerySet], int] = lambda queryset: queryset.count()
    content_type: str = XLSX

    def write(self, queryset: QuerySet, target, on_progress: Callable[[int], None] | None = None) -> int:
        columns, rows = self.table(queryset)
        sheet = self.sheet(queryset) if callable(self.sheet) else self.sheet
        return write_xlsx_table(target, sheet, columns, rows, on_progress=on_progress, every=PROGRESS_EVERY)


KINDS: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    KINDS[kind.name] = kind
    return kind


def inline_max_rows() -> int:
    """Up to this many rows an export is answered at once; above, a worker writes it."""
    return settings.EXPORT_INLINE_MAX_ROWS


def export_now(kind: ExportKind, queryset: QuerySet) -> tuple[str, str, bytes]:
    """A small export, in the request: `(filename, mimetype, bytes)` for core.downloads.file_response."""
    import io

    out = io.BytesIO()
    kind.write(queryset, out)
    return kind.filename(queryset), kind.content_type, out.getvalue()


def export_or_start(
    kind: ExportKind, queryset: QuerySet, *, by, centre=None, page_liste: str = ""
) -> tuple[str, str, bytes] | Export:
    """The file itself when the list is small, else the Export a worker is writing (the caller shows it)."""
    total = kind.count(queryset)
    if total <= inline_max_rows():
        return export_now(kind, queryset)
    return start_export(kind, queryset, by=by, centre=centre, total=total, page_liste=page_liste)


def start_export(
    kind: ExportKind,
    queryset: QuerySet,
    *,
    by,
    centre=None,
    total: int | None = None,
    page_liste: str = "",
) -> Export:
    with transaction.atomic():
        export = Export.objects.create(
            kind=kind.name,
            titre=kind.title,
            centre=centre,
            requested_by=by,
            requete=pickle.dumps(queryset.query),
            lignes_total=kind.count(queryset) if total is None else total,
            nom_fichier=kind.filename(queryset),
            content_type=kind.content_type,
            page_liste=page_liste,
        )
        EXPORTS.record_creation(export, by=by)
        from . import tasks

        run_in_background(tasks.run_export, export.pk)
    return export


def _queryset(export: Export) -> QuerySet:
    query = pickle.loads(bytes(export.requete))  # written by start_export above, never by a user
    queryset = query.model._default_manager.all()
    queryset.query = query
    return queryset


def run_export(export_id: int) -> Export | None:
    """Write the export's file (the worker's side). Idempotent: a finished or failed export is left alone;
    one given again after its worker died starts again from the first row."""
    export = Export.objects.filter(pk=export_id).first()
    if export is None or export.statut in (S.PRET, S.ECHEC):
        return export
    if export.statut == S.EN_ATTENTE:
        EXPORTS.transition(export, S.EN_COURS, changes={"lignes_faites": 0})
    kind = KINDS.get(export.kind)
    try:
        if kind is None:
            raise LookupError(f"unknown export kind {export.kind!r}")

        def progress(done: int) -> None:
            Export.objects.filter(pk=export.pk).update(lignes_faites=done)

        with tempfile.TemporaryFile(suffix=".xlsx") as out:
            written = kind.write(_queryset(export), out, on_progress=progress)
            out.seek(0)
            export.fichier.save(export.nom_fichier, File(out), save=False)
        EXPORTS.transition(
            export,
            S.PRET,
            changes={
                "fichier": export.fichier.name,
                "lignes_faites": written,
                "lignes_total": written,
                "finished_at": timezone.now(),
            },
        )
    except Exception as exc:
        logger.exception("Export %s failed", export.pk)
        EXPORTS.transition(
            export,
            S.ECHEC,
            changes={"erreur": f"{type(exc).__name__}: {exc}"[:2000], "finished_at": timezone.now()},
        )
    return export


def may_download(export: Export, user) -> bool:
    """An export is the requester's own (it may hold personal data): nobody else downloads it."""
    return (
        export.statut == S.PRET
        and export.requested_by_id == getattr(user, "pk", None)
        and bool(export.fichier)
    )


def purge_expired(now: dt.datetime | None = None) -> int:
    """Delete the exports (files and rows) older than EXPORT_KEEP_DAYS; returns how many."""
    limit = (now or timezone.now()) - dt.timedelta(days=settings.EXPORT_KEEP_DAYS)
    count = 0
    for export in Export.objects.filter(created_at__lt=limit).only("pk", "fichier").iterator():
        if export.fichier:
            export.fichier.delete(save=False)
        export.delete()
        count += 1
    return count
