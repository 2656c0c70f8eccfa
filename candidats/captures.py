"""Photos, signatures and EO recordings of an enrolment: taken on test day (portal or Passeport API).

One function per kind, used by the portal's forms and by the API alike. Each returns True when the stored
file changed and False when the same content was already there, so that a client retrying a request
stores one file. Images are re-encoded (core.uploads); recordings are checked by their first bytes."""

from __future__ import annotations

import hashlib
import os

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from centres.roles import Permission
from core.errors import BusinessError
from core.uploads import UNSUPPORTED_FILE, check_size, reencode_image, safe_filename
from sessions_app.models import SessionStatus

from .models import Inscription, InscriptionStatus

# Statuses in which a capture may still change: once results are published the attestation shows the photo.
CAPTURE_STATUSES = frozenset(
    {
        SessionStatus.PLANIFIEE,
        SessionStatus.OUVERTE,
        SessionStatus.CLOSE,
        SessionStatus.ANOMALIES,
        SessionStatus.CORRECTION,
    }
)

PHOTO = "photo"
SIGNATURE = "signature"
EO = "enregistrement_eo"

# The Passeport right each kind needs (centres.roles), in the portal's upload form and in the API alike.
CAPTURE_PERMISSIONS = {
    PHOTO: Permission.PASSEPORT_PHOTO,
    SIGNATURE: Permission.PASSEPORT_SIGNATURE,
    EO: Permission.PASSEPORT_EO,
}


def capture_permission(*, kind: str, **_) -> str:
    """The permission a view storing a capture of `kind` declares (`@centre_view(capture_permission)`);
    an unknown kind needs only portal access, and the view answers 404."""
    return CAPTURE_PERMISSIONS.get(kind, Permission.PORTAL)


# EO recordings: extension → first bytes at an offset (the browser's declared type is not trusted).
AUDIO_SIGNATURES: dict[str, tuple[tuple[int, bytes], ...]] = {
    ".mp3": ((0, b"ID3"), (0, b"\xff\xfb"), (0, b"\xff\xf3"), (0, b"\xff\xf2")),
    ".ogg": ((0, b"OggS"),),
    ".opus": ((0, b"OggS"),),
    ".webm": ((0, b"\x1a\x45\xdf\xa3"),),
    ".wav": ((8, b"WAVE"),),
    ".m4a": ((4, b"ftyp"),),
}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _stored_digest(fieldfile) -> str | None:
    if not fieldfile:
        return None
    try:
        with fieldfile.storage.open(fieldfile.name, "rb") as f:
            return _sha256(f.read())
    except FileNotFoundError:
        return None


def cannot_capture_in(session) -> str | None:
    """Why the session's photos, signatures and recordings can no longer change (French), or None."""
    if session.statut not in CAPTURE_STATUSES:
        return (
            f"La session {session.numero} est « {session.get_statut_display()} » : "
            "les photos, signatures et enregistrements ne peuvent plus être modifiés."
        )
    return None


def can_capture_in(session) -> bool:
    return cannot_capture_in(session) is None


def _check_capturable(inscription: Inscription) -> None:
    if inscription.statut != InscriptionStatus.INSCRIT:
        raise BusinessError(
            f"L'inscription {inscription.numero} est « {inscription.get_statut_display()} » : "
            "aucune capture ne peut y être ajoutée.",
            code="wrong_status",
        )
    if (refusal := cannot_capture_in(inscription.session)) is not None:
        raise BusinessError(refusal, code="wrong_status")


@transaction.atomic
def _store(inscription: Inscription, field: str, content: bytes, ext: str) -> bool:
    locked = Inscription.objects.select_for_update().select_related("session").get(pk=inscription.pk)
    _check_capturable(locked)
    fieldfile = getattr(locked, field)
    digest = _sha256(content)
    if _stored_digest(fieldfile) == digest:
        return False
    old_name = fieldfile.name if fieldfile else None
    storage = fieldfile.storage
    fieldfile.save(f"{locked.numero}_{field}_{digest[:12]}{ext}", ContentFile(content), save=False)
    locked.save(update_fields=[field])
    if old_name and old_name != fieldfile.name:
        transaction.on_commit(lambda: storage.delete(old_name))
    setattr(inscription, field, getattr(locked, field))
    return True


def store_photo(inscription: Inscription, upload, *, by=None) -> bool:
    """The candidate's identity photo: JPEG, at most 1200 px, metadata removed."""
    image = reencode_image(
        upload, max_bytes=settings.MAX_CAPTURE_IMAGE_SIZE, max_side=1200, fmt="JPEG", label="La photo"
    )
    return _store(inscription, PHOTO, image.read(), ".jpg")


def store_signature(inscription: Inscription, upload, *, by=None) -> bool:
    """The candidate's signature: PNG (keeps transparency), at most 1000 px."""
    image = reencode_image(
        upload, max_bytes=settings.MAX_CAPTURE_IMAGE_SIZE, max_side=1000, fmt="PNG", label="La signature"
    )
    return _store(inscription, SIGNATURE, image.read(), ".png")


def store_eo_recording(inscription: Inscription, upload, *, by=None) -> bool:
    """The oral test (EO) recording, stored as sent once its type is proved by its first bytes."""
    label = "L'enregistrement EO"
    check_size(upload, settings.MAX_EO_RECORDING_SIZE, label)
    ext = os.path.splitext(safe_filename(upload.name))[1]
    upload.seek(0)
    content = upload.read()
    signatures = AUDIO_SIGNATURES.get(ext, ())
    if not any(content[offset : offset + len(magic)] == magic for offset, magic in signatures):
        raise BusinessError(
            f"{label} doit être un fichier audio MP3, OGG, Opus, WebM, WAV ou M4A.", code=UNSUPPORTED_FILE
        )
    return _store(inscription, EO, content, ext)
