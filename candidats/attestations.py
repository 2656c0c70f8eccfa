"""Attestations de résultats: one PDF per candidate who sat the session, rendered by the Celery workers at
publication, never in the request: a dispatcher lists the enrolments still without one and hands them out in
chunks (CHUNK_SIZE) that several workers share; the pages show the progress (`progress`).

Idempotent: a candidate who already has an attestation is skipped under the enrolment's row lock, so a chunk
may run twice or on two workers at once (retries, a worker restarted) without making two. Each attestation
carries a verification code FDA can check."""

from __future__ import annotations

import base64
import io
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, QuerySet

from core.pdf import PDF_MIMETYPE, render_pdf
from sessions_app.models import Document, DocumentKind, Session, SessionStatus
from sessions_app.services import _store

from . import results, verification
from .codes import ACCESS_CODE_ALPHABET
from .models import Inscription, InscriptionEpreuve, InscriptionStatus, Resultat

PUBLISHED = frozenset({SessionStatus.RESULTATS, SessionStatus.CLOTUREE})
# Enrolments per chunk task: small enough that several workers share a session of 300 (15 chunks) and a
# re-delivered chunk redoes little, large enough that the results tables are read once per 20 PDFs.
CHUNK_SIZE = 20


def results_published(session: Session) -> bool:
    """The Tableau de résultats, its export and the attestations are shown once FDA has published."""
    return session.statut in PUBLISHED


def verification_code() -> str:
    """12 characters of the unambiguous alphabet, in groups of 4 (ABCD-EFGH-JKMN)."""
    raw = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def attestation_filename(inscription: Inscription) -> str:
    return f"attestation_{inscription.session.numero}_{inscription.numero}.pdf"


def _photo_data_uri(inscription: Inscription) -> str | None:
    if not inscription.photo:
        return None
    try:
        with inscription.photo.open("rb") as f:
            return "data:image/jpeg;base64," + base64.b64encode(f.read()).decode()
    except FileNotFoundError:
        return None


def attestation_context(session: Session, inscription: Inscription, code: str) -> dict:
    """What templates/pdf/attestation.html is given (the bench renders the same HTML for its floor)."""
    return {
        "session": session,
        "centre": session.centre,
        "inscription": inscription,
        "candidat": inscription.candidat,
        "lines": inscription.lines,
        "code": code,
        "verification_url": verification.verification_url(code),
        "qr_code": verification.qr_code_data_uri(code),
        "valid_until": results.valid_until(session),
        "validite_annees": session.produit.validite_annees,
        "photo": _photo_data_uri(inscription),
        "cols": results.columns([inscription]),
        "overall": inscription.overall,
    }


def attestation_pdf(session: Session, inscription: Inscription, code: str) -> bytes:
    return render_pdf("pdf/attestation.html", attestation_context(session, inscription, code))


def expected(session: Session) -> QuerySet[Inscription]:
    """The enrolments that get an attestation: active, not virtual, with a score in at least one épreuve
    they sat. One rule for the dispatcher, the chunks and the progress shown on the pages."""
    scored = Resultat.objects.filter(
        inscription_id=OuterRef("inscription_id"), epreuve_id=OuterRef("epreuve_id")
    )
    sat_and_scored = InscriptionEpreuve.objects.filter(inscription_id=OuterRef("pk")).filter(Exists(scored))
    return Inscription.objects.filter(
        session=session, statut=InscriptionStatus.INSCRIT, virtuel=False
    ).filter(Exists(sat_and_scored))


def _has_attestation() -> Exists:
    return Exists(Document.objects.filter(inscription_id=OuterRef("pk"), kind=DocumentKind.ATTESTATION))


def _missing(session: Session) -> QuerySet[Inscription]:
    return expected(session).exclude(_has_attestation())


def _published_session(session_id: int) -> Session | None:
    session = Session.objects.select_related("centre", "produit").filter(pk=session_id).first()
    if session is None or not results_published(session):
        return None
    return session


def missing_ids(session_id: int) -> list[int]:
    """The enrolments of a published session still waiting for their attestation, in id order (what the
    dispatcher hands out); none before publication."""
    session = _published_session(session_id)
    if session is None:
        return []
    return list(_missing(session).order_by("pk").values_list("pk", flat=True))


def chunks(ids: list[int], size: int | None = None) -> list[list[int]]:
    """The dispatcher's shares: CHUNK_SIZE enrolments each, the last one shorter."""
    size = size or CHUNK_SIZE
    return [ids[i : i + size] for i in range(0, len(ids), size)]


@dataclass(frozen=True)
class Progress:
    """Attestations of a published session: how many exist out of how many are expected."""

    ready: int
    expected: int

    @property
    def complete(self) -> bool:
        return self.ready >= self.expected

    @property
    def percent(self) -> int:
        return 100 if not self.expected else min(100, self.ready * 100 // self.expected)


def progress(session: Session) -> Progress:
    """ "Attestations : X sur Y prêtes", read from the database: one query, whatever the session's size."""
    counts = expected(session).aggregate(expected=Count("pk"), ready=Count("pk", filter=_has_attestation()))
    return Progress(ready=counts["ready"], expected=counts["expected"])


def all_rendered(session_id: int) -> bool:
    """True once every expected attestation of the published session exists (the last chunk then has the
    notices sent; two chunks finishing together may both see it: the notices are once per enrolment)."""
    session = _published_session(session_id)
    return session is not None and not _missing(session).exists()


def render_attestation_chunk(session_id: int, inscription_ids: list[int]) -> int:
    """Render the missing attestations of these enrolments of a published session (a share of the
    dispatcher's list); returns how many were made. An enrolment that got its attestation meanwhile (another
    worker, a re-delivered chunk) or no longer needs one is left alone."""
    session = _published_session(session_id)
    if session is None or not inscription_ids:
        return 0
    return _render(session, _missing(session).filter(pk__in=inscription_ids))


def render_attestations(session_id: int) -> int:
    """Render every missing attestation of a published session in one run (the whole-session fallback:
    the demo data, a task given again by hand); returns how many were made."""
    session = _published_session(session_id)
    if session is None:
        return 0
    return _render(session, _missing(session))


def _render(session: Session, wanted: QuerySet[Inscription]) -> int:
    made = 0
    inscriptions = results.results_queryset(session).filter(pk__in=wanted.values("pk"))
    for inscription in results.with_lines(list(inscriptions), session):
        with transaction.atomic():
            # Checked again under the enrolment's row lock: two concurrent runs (two workers, a chunk given
            # twice) render each attestation once.
            Inscription.objects.select_for_update().get(pk=inscription.pk)
            if not _missing(session).filter(pk=inscription.pk).exists():
                continue
            code = verification_code()
            document = Document(
                centre=session.centre,
                session=session,
                inscription=inscription,
                kind=DocumentKind.ATTESTATION,
                nom=attestation_filename(inscription),
                content_type=PDF_MIMETYPE,
                code_verification=code,
            )
            _store(document, document.nom, attestation_pdf(session, inscription, code))
            document.save()
            made += 1
    return made


class _Chunks(io.RawIOBase):
    """A write-only stream whose bytes are taken out as they come (the zip streamed to the browser)."""

    def __init__(self):
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def attestations_zip(session: Session) -> Iterator[bytes]:
    """Every attestation of the session in one zip, for "Télécharger toutes les attestations", streamed: each
    PDF is read from the storage and sent on before the next (memory holds one attestation, not 300). The
    PDFs are stored as they are (already compressed)."""
    documents = Document.objects.filter(session=session, kind=DocumentKind.ATTESTATION).order_by("nom")
    out = _Chunks()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for document in documents.iterator():
            try:
                with document.fichier.open("rb") as f:
                    archive.writestr(document.nom, f.read())
            except FileNotFoundError:
                continue
            yield out.take()
    yield out.take()
