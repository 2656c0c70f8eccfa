"""What every upload goes through: a safe name, and images decoded then re-encoded.

An uploaded image is never stored as sent: Pillow decodes it (refusing anything that is not really a
JPEG, PNG or WebP, and decompression bombs), and only the pixels are written back in a format we
choose, without metadata. A PNG/HTML polyglot or an SVG with a script therefore never reaches the disk."""

from __future__ import annotations

import io
import os
import re
import unicodedata
import warnings

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

from core.errors import BusinessError

ACCEPTED_IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
# 40 megapixels: more than any camera of a test day; a decompression bomb is refused before decoding.
MAX_IMAGE_PIXELS = 40_000_000

FILE_TOO_LARGE = "file_too_large"
UNSUPPORTED_FILE = "unsupported_file"


def safe_filename(name: str) -> str:
    """A file name safe to store and to send back: no path, ASCII letters, digits, dot, dash, underscore."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem, ext = os.path.splitext(name)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("._-")[:100] or "fichier"
    ext = re.sub(r"[^A-Za-z0-9.]+", "", ext.lower())[:10]
    return stem + ext


def check_size(upload, max_bytes: int, label: str) -> None:
    if upload.size > max_bytes:
        raise BusinessError(
            f"{label} dépasse la taille maximale de {max_bytes // (1024 * 1024)} Mo.", code=FILE_TOO_LARGE
        )


def reencode_image(upload, *, max_bytes: int, max_side: int, fmt: str, label: str = "L'image") -> ContentFile:
    """Decode `upload` as a JPEG/PNG/WebP image and return it re-encoded as `fmt` ("JPEG" or "PNG"),
    at most `max_side` pixels on its longest side, without metadata. Raises BusinessError."""
    check_size(upload, max_bytes, label)
    refused = BusinessError(f"{label} n'est pas une image JPEG, PNG ou WebP valide.", code=UNSUPPORTED_FILE)
    upload.seek(0)
    data = upload.read()
    too_large = BusinessError(f"{label} est trop grande (plus de 40 mégapixels).", code=FILE_TOO_LARGE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_IMAGE_FORMATS:
                    raise refused
                if probe.width * probe.height > MAX_IMAGE_PIXELS:
                    raise too_large
                probe.verify()  # truncated or corrupt data
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = _normalised(image, fmt)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise refused from None
    image.thumbnail((max_side, max_side))
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=88, optimize=True)
    else:
        image.save(out, fmt, optimize=True)
    return ContentFile(out.getvalue())


def _normalised(image: Image.Image, fmt: str) -> Image.Image:
    from PIL import ImageOps

    image = ImageOps.exif_transpose(image)  # photos taken on a phone keep their orientation
    if fmt == "JPEG":
        if image.mode in ("RGBA", "LA", "P"):
            background = Image.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            return background
        return image.convert("RGB")
    return image.convert("RGBA") if image.mode not in ("RGB", "RGBA", "L", "LA") else image


# Allowed attachments: extension → content types a browser may send for it.
ALLOWED_ATTACHMENTS: dict[str, frozenset[str]] = {
    ".pdf": frozenset({"application/pdf"}),
    ".png": frozenset({"image/png"}),
    ".jpg": frozenset({"image/jpeg", "image/pjpeg"}),
    ".jpeg": frozenset({"image/jpeg", "image/pjpeg"}),
    ".docx": frozenset({"application/vnd.openxmlformats-officedocument.wordprocessingml.document"}),
    ".xlsx": frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
}
# First bytes of each kind of file: the declared type is the browser's word, the content is not.
MAGIC: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}
GENERIC_TYPES = {"", "application/octet-stream"}
MAX_ATTACHMENTS = 10


def validate_attachment(upload) -> str:
    """Check an uploaded file (type, size, content); return its content type. Raises BusinessError."""
    name = safe_filename(upload.name)
    ext = os.path.splitext(name)[1]
    if ext not in ALLOWED_ATTACHMENTS:
        raise BusinessError(
            f"Le fichier « {name} » n'est pas accepté : formats autorisés PDF, PNG, JPG, DOCX, XLSX."
        )
    if upload.size > settings.MAX_UPLOAD_SIZE:
        limit = settings.MAX_UPLOAD_SIZE // (1024 * 1024)
        raise BusinessError(f"Le fichier « {name} » dépasse la taille maximale de {limit} Mo.")
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if declared not in GENERIC_TYPES and declared not in ALLOWED_ATTACHMENTS[ext]:
        raise BusinessError(f"Le fichier « {name} » ne correspond pas à son extension.")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not head.startswith(MAGIC[ext]):
        raise BusinessError(f"Le contenu du fichier « {name} » ne correspond pas à son extension.")
    return sorted(ALLOWED_ATTACHMENTS[ext])[0]
