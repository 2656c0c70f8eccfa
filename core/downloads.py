"""The one way to send a file to the browser: `file_response(filename, mimetype, content)`.

Exporters return `(filename, mimetype, bytes)` (`file_response(*exports.x(...))`); stored files go through
`serve_file(fieldfile, ...)`. The Content-Disposition header is built by Django
(`content_disposition_header`): an ASCII `filename=` and an RFC 5987 `filename*=` for names with accents
("relevé_séance.xlsx"), never by hand."""

import mimetypes
from collections.abc import Iterable
from typing import BinaryIO

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

OCTET_STREAM = "application/octet-stream"


def file_response(
    filename: str,
    mimetype: str | None,
    content: bytes | BinaryIO | Iterable[bytes],
    *,
    as_attachment: bool = True,
) -> HttpResponse:
    """A download (or, with as_attachment=False, a file shown inline such as a photo). `content` is bytes, an
    open binary file (streamed and closed by Django) or an iterator of bytes (streamed). A missing mimetype is guessed from the filename."""
    mimetype = mimetype or mimetypes.guess_type(filename)[0] or OCTET_STREAM
    if isinstance(content, bytes | bytearray | memoryview):
        response = HttpResponse(bytes(content), content_type=mimetype)
    elif hasattr(content, "read"):
        response = FileResponse(content, content_type=mimetype)
    else:  # an iterator of bytes, sent as it is produced (a zip streamed from the storage)
        response = StreamingHttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return response


def serve_file(fieldfile, *, filename: str, content_type: str | None = None, as_attachment: bool = True):
    """A stored file as a response (callers have checked the user may see it); 404 if it is gone."""
    try:
        handle = fieldfile.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("Fichier introuvable.") from exc
    return file_response(filename, content_type, handle, as_attachment=as_attachment)
