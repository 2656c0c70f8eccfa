"""Results notices through a real SMTP server, and the public verification page (/verification/)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from candidats import notices, results, verification
from candidats.models import AvisResultats, Resultat, VerificationLookup
from candidats.verification_views import LOOKUPS_PER_WINDOW
from sessions_app.models import Document, DocumentKind
from tests.cache import clear_own_cache
from tests.factories import CandidatFactory, InscriptionFactory
from tests.sessions_app.test_results import rows, session, tef_canada  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(session, smtp, django_capture_on_commit_callbacks):  # noqa: F811
    centre = session.centre
    centre.email = "contact@centre-a.test"
    centre.save()
    lea = InscriptionFactory(
        session=session,
        candidat=CandidatFactory(centre=centre, nom="Martin", prenom="Léa", email="lea@exemple.test"),
    )
    sans = InscriptionFactory(session=session, candidat=CandidatFactory(centre=centre, email=""))
    for i in (lea, sans):
        results.record_scores(session, rows(i, CE=349, CO=398, EE=271, EO=453))
    with django_capture_on_commit_callbacks(execute=True):
        results.publish(session)
    return session, lea, sans


def attestation_of(inscription) -> Document:
    return Document.objects.get(inscription=inscription, kind=DocumentKind.ATTESTATION)


def test_publication_tells_each_candidate_without_the_pdf_by_default(published, smtp):
    published_session, lea, sans = published
    [message] = smtp.messages
    assert message.envelope_to == ["lea@exemple.test"]
    assert message.subject == "Vos résultats TEF Canada sont disponibles"
    assert "sont disponibles auprès de votre centre" in message.text
    assert message.header("Reply-To") == "contact@centre-a.test" and message.attachments() == []
    assert dict(AvisResultats.objects.values_list("inscription_id", "status")) == {
        lea.pk: "sent",
        sans.pk: "no_email",
    }
    assert notices.send_results_notices(published_session.pk) == 0 and len(smtp.messages) == 1  # once


def test_the_centre_may_attach_the_attestation(session, smtp, django_capture_on_commit_callbacks):  # noqa: F811
    session.centre.attestation_avec_resultats = True
    session.centre.save()
    inscription = InscriptionFactory(session=session)
    results.record_scores(session, rows(inscription, CE=349, CO=398, EE=271, EO=453))
    with django_capture_on_commit_callbacks(execute=True):
        results.publish(session)
    [(filename, mimetype, content)] = smtp.messages[0].attachments()
    assert filename == attestation_of(inscription).nom and mimetype == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())
    assert "Attestation de résultats" in text and attestation_of(inscription).code_verification in text
    assert AvisResultats.objects.get().with_attestation


def test_the_attestation_carries_a_qr_code_of_the_verification_address(published, settings):
    _, lea, _ = published
    document = attestation_of(lea)
    with document.fichier.open("rb") as f:
        reader = PdfReader(f)
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert f"/verification/?code={document.code_verification}" in text.replace(" ", "")
    # The QR code is drawn (an SVG becomes vector paths, not an image): it encodes the same address.
    svg = verification.qr_code_data_uri(document.code_verification)
    assert svg.startswith("data:image/svg+xml")
    assert verification.verification_url("ABCD-EFGH-JKMN") == (
        "http://127.0.0.1:8000/verification/?code=ABCD-EFGH-JKMN"
    )


def post(client, code, birth, ip="203.0.113.7"):
    return client.post(reverse("verification"), {"code": code, "date_naissance": birth}, REMOTE_ADDR=ip)


def test_a_real_code_with_the_right_birth_date_is_confirmed(client, published):
    clear_own_cache()
    _, lea, _ = published
    code = attestation_of(lea).code_verification
    page = post(client, code.lower().replace("-", " "), "1990-05-17").content.decode()
    assert "Attestation authentique" in page and "Authentic certificate" in page
    assert "MARTIN Léa" in page and "TEF Canada" in page and "02/11/2026" in page
    # CE 349 on 2026-11-02: NCLC 4 on IRCC's table C; no CECRL table is published (a dash).
    assert "349 / 699</td><td>—</td><td>4</td>" in page and "02/11/2028" in page
    lookup = VerificationLookup.objects.get()
    assert lookup.found and lookup.code == code and lookup.ip == "203.0.113.7"


def test_a_wrong_birth_date_and_a_wrong_code_get_the_same_answer(client, published):
    clear_own_cache()
    _, lea, _ = published
    code = attestation_of(lea).code_verification
    wrong_birth = post(client, code, "1990-05-18").content.decode()
    wrong_code = post(client, "AAAA-BBBB-CCCC", "1990-05-17").content.decode()
    for page in (wrong_birth, wrong_code):
        assert "Aucune attestation ne correspond" in page and "MARTIN" not in page
    strip = lambda html: html.split('data-testid="verification-result"')[1].split("</div>")[0]  # noqa: E731
    assert strip(wrong_birth) == strip(wrong_code)
    assert list(VerificationLookup.objects.values_list("found", flat=True)) == [False, False]


def test_withdrawn_and_replaced_attestations_say_so(client, published):
    clear_own_cache()
    _, lea, _ = published
    code = attestation_of(lea).code_verification
    Resultat.objects.filter(inscription=lea, epreuve__code="CE").update(
        score=398, saisi_le=attestation_of(lea).created_at + dt.timedelta(days=3)
    )
    page = post(client, code, "1990-05-17").content.decode()
    assert "Attestation remplacée" in page and "398 / 699" in page
    lea.fraude = True
    lea.save()
    page = post(client, code, "1990-05-17").content.decode()
    assert "Attestation retirée" in page and "Certificate withdrawn" in page


def test_lookups_are_throttled_per_ip_and_logged(client, published):
    clear_own_cache()
    _, lea, _ = published
    code = attestation_of(lea).code_verification
    for _ in range(LOOKUPS_PER_WINDOW):
        assert post(client, "AAAA-BBBB-CCCC", "1990-05-17").status_code == 200
    refused = post(client, code, "1990-05-17")
    assert refused.status_code == 429 and "MARTIN" not in refused.content.decode()
    assert VerificationLookup.objects.filter(throttled=True).count() == 1
    assert post(client, code, "1990-05-17", ip="198.51.100.1").status_code == 200  # another IP


def test_the_page_prefills_the_code_from_the_qr_address(client):
    page = client.get(reverse("verification") + "?code=ABCD-EFGH-JKMN").content.decode()
    assert 'value="ABCD-EFGH-JKMN"' in page and "Vérifier une attestation" in page
    assert not VerificationLookup.objects.exists()  # only a lookup is logged
