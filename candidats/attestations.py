"""Attestations de résultats: one PDF per candidate who sat the session, rendered by Celery at publication.

Idempotent: a candidate who already has an attestation is skipped, so the task may run twice (retries,
a worker restarted) without making two. Each attestation carries a verification code FDA can check."""

from __future__ import annotations

import base64
import io
import secrets
import zipfile

from django.db import transaction

from core.pdf import PDF_MIMETYPE, render_pdf
from sessions_app.models import Document, DocumentKind, Session, SessionStatus
from sessions_app.services import _store

from . import results, verification
from .codes import ACCESS_CODE_ALPHABET
from .models import Inscription

PUBLISHED = frozenset({SessionStatus.RESULTATS, SessionStatus.CLOTUREE})


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


def attestation_pdf(session: Session, inscription: Inscription, code: str) -> bytes:
    return render_pdf(
        "pdf/attestation.html",
        {
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
        },
    )


def render_attestations(session_id: int) -> int:
    """Render the missing attestations of a published session; returns how many were made."""
    session = Session.objects.select_related("centre", "produit").filter(pk=session_id).first()
    if session is None or not results_published(session):
        return 0
    done = set(
        Document.objects.filter(session=session, kind=DocumentKind.ATTESTATION).values_list(
            "inscription_id", flat=True
        )
    )
    made = 0
    for inscription in results.results_table(session):
        has_result = any(result for _, result, _, _ in inscription.lines)
        if inscription.virtuel or inscription.pk in done or not has_result:
            continue
        with transaction.atomic():
            # The row lock makes two concurrent runs render each attestation once.
            Inscription.objects.select_for_update().get(pk=inscription.pk)
            if Document.objects.filter(inscription=inscription, kind=DocumentKind.ATTESTATION).exists():
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


def attestations_zip(session: Session) -> bytes:
    """Every attestation of the session in one zip, for "Télécharger toutes les attestations"."""
    buffer = io.BytesIO()
    documents = Document.objects.filter(session=session, kind=DocumentKind.ATTESTATION).order_by("nom")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for document in documents:
            try:
                with document.fichier.open("rb") as f:
                    archive.writestr(document.nom, f.read())
            except FileNotFoundError:
                continue
    return buffer.getvalue()
