"""core.downloads: the one download response (Content-Disposition built by Django, accents included)."""

from urllib.parse import unquote

import pytest

from core.downloads import file_response, serve_file
from tests.factories import SessionFactory, session_document

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_french_filename_reaches_the_browser_with_its_accents():
    response = file_response("Relevé des épreuves — Besançon.xlsx", XLSX, b"PK\x03\x04data")

    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    # RFC 5987: browsers read filename*, which keeps every accent; the header itself stays ASCII.
    assert "filename*=utf-8''" in disposition
    assert unquote(disposition.split("filename*=utf-8''")[1]) == "Relevé des épreuves — Besançon.xlsx"
    disposition.encode("ascii")
    assert response["Content-Type"] == XLSX
    assert response.content == b"PK\x03\x04data"


def test_an_ascii_filename_keeps_the_plain_form():
    response = file_response("codes_acces_7000001.pdf", "application/pdf", b"%PDF-1.7")
    assert response["Content-Disposition"] == 'attachment; filename="codes_acces_7000001.pdf"'


def test_a_quote_in_a_filename_cannot_break_the_header():
    response = file_response('x".pdf', "application/pdf", b"%PDF")
    assert response["Content-Disposition"] == 'attachment; filename="x\\".pdf"'


def test_inline_and_guessed_type():
    response = file_response("photo.png", None, b"\x89PNG", as_attachment=False)
    assert response["Content-Disposition"] == 'inline; filename="photo.png"'
    assert response["Content-Type"] == "image/png"


@pytest.mark.django_db
def test_a_stored_file_is_streamed_under_a_french_name(centre_a):
    """serve_file (stored documents, photos, attachments) goes through the same helper."""
    document = session_document(SessionFactory(centre=centre_a))

    response = serve_file(
        document.fichier, filename="Procès-verbal d'été.pdf", content_type="application/pdf"
    )

    assert b"".join(response.streaming_content) == document.fichier.open("rb").read()
    assert unquote(response["Content-Disposition"].split("filename*=utf-8''")[1]) == "Procès-verbal d'été.pdf"
    assert response["Content-Type"] == "application/pdf"
