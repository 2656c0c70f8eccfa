"""Hostile files and payloads on every way in: each is refused with a French message or rendered inert.

Captures (photos, signatures, EO) have their own hostile files in tests/candidats/test_captures.py and the API in
tests/api/; here: spreadsheets (zip bomb, padded sheet), justificatifs and attachments, and script payloads in
names shown by pages, the back office, PDFs and e-mails."""

import io
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from pypdf import PdfReader

from candidats import results
from candidats.documents import codes_acces_pdf
from candidats.imports import FileRejected, parse_file
from core.errors import BusinessError
from demandes import services as demandes
from messagerie import services as messagerie
from sessions_app.models import SessionStatus
from tests.admin_auth import admin_force_login
from tests.factories import CandidatFactory, InscriptionFactory, SessionFactory, past_session

pytestmark = pytest.mark.django_db
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def zip_bomb() -> bytes:
    """A valid-looking .xlsx whose sheet inflates to 200 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (200 * 1024 * 1024))
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_by_both_spreadsheet_imports(centre_a):
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024
    with pytest.raises(FileRejected, match="anormalement volumineux"):
        parse_file(bomb, "candidats.xlsx", SessionFactory(centre=centre_a))
    with pytest.raises(BusinessError, match="anormalement volumineux"):
        results.rows_from_xlsx(bomb)


def test_a_sheet_padded_with_blank_rows_is_not_walked_to_its_end(centre_a):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Candidats"
    sheet.append(["Nom", "Prénom"])
    sheet.cell(row=1_048_576, column=1, value="fin")  # the last row Excel has, far below any candidate
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(FileRejected, match="trop de lignes"):
        parse_file(out.getvalue(), "candidats.xlsx", SessionFactory(centre=centre_a))


@pytest.mark.parametrize(
    "name, content",
    [
        ("certificat.pdf", b"<html><script>alert(1)</script></html>"),  # HTML named .pdf
        ("certificat.pdf.exe", b"MZ\x90\x00"),  # executable
        ("image.svg", b"<svg onload=alert(1)/>"),
        (
            "photo.png",
            b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script>",
        ),  # polyglot: refused by type? see below
    ],
)
def test_hostile_justificatifs_and_attachments(centre_a, responsable, name, content):
    inscription = InscriptionFactory(session=SessionFactory(centre=centre_a))
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    if name == "photo.png":
        # A PNG header with HTML behind it is accepted as a PNG attachment, but only ever served as a download
        # (Content-Disposition: attachment, nosniff): the browser never renders it as a page.
        upload.content_type = "image/png"
        demande = demandes.file_demande(
            inscription, "report", by=responsable, description="x", justificatifs=[upload]
        )
        document = demande.justificatifs.get()
        response = _download(centre_a, responsable, document)
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
        return
    with pytest.raises(BusinessError):
        demandes.file_demande(inscription, "report", by=responsable, description="x", justificatifs=[upload])
    upload.seek(0)
    with pytest.raises(BusinessError):
        messagerie.start_conversation(
            centre=centre_a, titre="t", body="b", attachments=[upload], by=responsable
        )


def _download(centre, user, document):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(reverse("sessions:document", args=[document.session.numero, document.pk]))


def test_a_path_in_a_file_name_is_dropped(centre_a, responsable):
    inscription = InscriptionFactory(session=SessionFactory(centre=centre_a))
    upload = SimpleUploadedFile("../../../etc/cron.d/x.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    demande = demandes.file_demande(
        inscription, "report", by=responsable, description="x", justificatifs=[upload]
    )
    document = demande.justificatifs.get()
    assert document.nom == "x.pdf" and ".." not in document.fichier.name


def test_script_payloads_are_inert_in_pages_admin_pdfs_and_emails(client, centre_a, responsable, fda_agent):
    session = past_session(centre_a, statut=SessionStatus.CLOSE)
    inscription = InscriptionFactory(
        session=session, candidat=CandidatFactory(centre=centre_a, nom=PAYLOAD, prenom=PAYLOAD)
    )
    client.force_login(responsable)
    pages = [
        reverse("candidats:session_candidats", args=[session.numero]),
        reverse("candidats:inscription", args=[inscription.numero]),
        reverse("candidats:inscriptions"),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "&lt;script&gt;" in html or "&lt;SCRIPT&gt;" in html, url
    admin_force_login(client, fda_agent)
    html = client.get(reverse("admin:candidats_candidat_changelist")).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    # A PDF shows the text as text.
    _, _, pdf = codes_acces_pdf(session)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "<script>" in text or "<SCRIPT>" in text
    # The e-mail's text part carries it as text, its HTML part escaped (nothing to execute).
    demande = demandes.file_demande(
        inscription, "fraude", by=responsable, description=PAYLOAD, sous_type="fraude"
    )
    demandes.decide(demande, accept=False, by=fda_agent, comment=PAYLOAD)
    from demandes.emails import send_decision_email

    send_decision_email(demande.pk)
    [(html, mimetype)] = mail.outbox[-1].alternatives
    assert mimetype == "text/html" and "<script>alert" not in html and "&lt;script&gt;" in html
