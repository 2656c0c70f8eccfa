"""Public verification of an attestation (/verification/): its code AND the candidate's birth date confirm
it; anything else gets the same answer as a code that does not exist (nothing to enumerate). Every lookup
is logged (VerificationLookup).

What the page tells (the issue is silent on the rule, chosen here):
- « retirée » when a fraude was validated on the enrolment (Inscription.fraude);
- « remplacée » when a newer attestation exists for the enrolment, or a score was changed after this one
  was issued (a recours that changed a score): the current scores are then shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import segno
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from core import emails
from core.text import clean
from sessions_app.models import Document, DocumentKind

from . import results
from .models import Inscription, Resultat, VerificationLookup


def verification_url(code: str) -> str:
    """The address printed (as a QR code) on the attestation."""
    return emails.absolute_url(reverse("verification") + "?" + urlencode({"code": code}))


def qr_code_data_uri(code: str) -> str:
    return segno.make(verification_url(code), error="m").svg_data_uri(scale=3, border=2)


def normalise_code(raw: str) -> str:
    compact = "".join(ch for ch in clean(raw or "").upper() if ch.isalnum())[:12]
    return "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))


@dataclass
class Verified:
    document: Document
    inscription: Inscription
    lines: list
    valid_until: dt.date | None  # None: a product whose results do not expire (the DFP, a diploma)
    withdrawn: bool
    replaced: bool

    @property
    def valid(self) -> bool:
        fresh = self.valid_until is None or self.valid_until >= timezone.localdate()
        return not self.withdrawn and not self.replaced and fresh


def verify(code: str, birth_date: dt.date | None, *, ip: str | None) -> Verified | None:
    """The attestation this code and birth date confirm, or None (the same None for every mismatch)."""
    code = normalise_code(code)
    document = (
        Document.objects.select_related("inscription__candidat", "session__produit", "session__centre")
        .filter(kind=DocumentKind.ATTESTATION, code_verification=code)
        .first()
        if len(code) == 14
        else None
    )
    inscription = document.inscription if document else None
    ok = bool(inscription and birth_date and inscription.candidat.date_naissance == birth_date)
    VerificationLookup.objects.create(
        ip=ip or None, code=code[:32], found=ok, document=document if ok else None
    )
    if not ok:
        return None
    [with_lines] = results.with_lines(
        list(
            Inscription.objects.filter(pk=inscription.pk)
            .select_related("candidat", "session__produit")
            .prefetch_related("epreuves__epreuve", "resultats")
        ),
        inscription.session,
    )
    newer = Document.objects.filter(
        inscription=inscription, kind=DocumentKind.ATTESTATION, created_at__gt=document.created_at
    ).exists()
    rescored = Resultat.objects.filter(inscription=inscription, saisi_le__gt=document.created_at).exists()
    return Verified(
        document=document,
        inscription=with_lines,
        lines=with_lines.lines,
        valid_until=results.valid_until(document.session),
        withdrawn=inscription.fraude,
        replaced=newer or rescored,
    )


def log_throttled(code: str, *, ip: str | None) -> None:
    VerificationLookup.objects.create(ip=ip or None, code=normalise_code(code)[:32], throttled=True)
