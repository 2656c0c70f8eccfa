"""Photos, signatures and EO recordings: re-encoded, checked, idempotent, served only to their centre."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from candidats import captures
from candidats.models import Inscription
from core.errors import BusinessError
from core.uploads import FILE_TOO_LARGE, UNSUPPORTED_FILE, safe_filename
from sessions_app.models import SessionStatus
from tests.factories import InscriptionFactory, MembershipFactory, image_upload, past_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def inscription(centre_a):
    return InscriptionFactory(session=past_session(centre_a))


def stored_image(fieldfile):
    with fieldfile.open("rb") as f:
        return Image.open(io.BytesIO(f.read()))


def test_a_photo_is_re_encoded_as_jpeg_without_metadata(inscription):
    assert captures.store_photo(inscription, image_upload("photo.png", "PNG", size=(3000, 2000))) is True
    inscription.refresh_from_db()
    image = stored_image(inscription.photo)
    assert image.format == "JPEG"
    assert max(image.size) == 1200  # downscaled
    assert "exif" not in image.info
    assert inscription.photo.name.endswith(".jpg")


def test_a_signature_is_stored_as_png(inscription):
    captures.store_signature(inscription, image_upload("sig.jpg", "JPEG"))
    inscription.refresh_from_db()
    assert stored_image(inscription.signature).format == "PNG"


def test_the_same_photo_sent_twice_stores_one_file(inscription):
    assert captures.store_photo(inscription, image_upload()) is True
    first = Inscription.objects.get(pk=inscription.pk).photo.name
    assert captures.store_photo(inscription, image_upload()) is False
    assert Inscription.objects.get(pk=inscription.pk).photo.name == first


def test_a_new_photo_replaces_the_old_file(inscription, django_capture_on_commit_callbacks):
    captures.store_photo(inscription, image_upload(colour="navy"))
    old = Inscription.objects.get(pk=inscription.pk).photo
    old_name, storage = old.name, old.storage
    with django_capture_on_commit_callbacks(execute=True):
        assert captures.store_photo(inscription, image_upload(colour="red")) is True
    assert Inscription.objects.get(pk=inscription.pk).photo.name != old_name
    assert not storage.exists(old_name)


@pytest.mark.parametrize(
    "name, content",
    [
        ("polyglot.png", b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00 this is an executable"),
        ("../../etc/passwd.png", b"root:x:0:0"),
        ("photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ],
)
def test_hostile_files_are_refused_and_nothing_is_stored(inscription, name, content):
    with pytest.raises(BusinessError) as error:
        captures.store_photo(inscription, SimpleUploadedFile(name, content, content_type="image/png"))
    assert error.value.code == UNSUPPORTED_FILE
    assert "n'est pas une image JPEG, PNG ou WebP valide" in error.value.message
    assert not Inscription.objects.get(pk=inscription.pk).photo


def test_a_decompression_bomb_is_refused(inscription):
    buffer = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buffer, "PNG")  # 100 megapixels in a few kilobytes
    with pytest.raises(BusinessError) as error:
        captures.store_photo(inscription, SimpleUploadedFile("bomb.png", buffer.getvalue()))
    assert error.value.code == FILE_TOO_LARGE


def test_a_file_over_the_size_limit_is_refused(inscription, settings):
    settings.MAX_CAPTURE_IMAGE_SIZE = 1000
    with pytest.raises(BusinessError) as error:
        captures.store_photo(inscription, image_upload(size=(400, 400), fmt="PNG"))
    assert error.value.code == FILE_TOO_LARGE
    assert "dépasse la taille maximale" in error.value.message


def test_no_capture_once_results_are_published(inscription):
    inscription.session.statut = SessionStatus.RESULTATS
    inscription.session.save()
    with pytest.raises(BusinessError, match="ne peuvent plus être modifiés"):
        captures.store_photo(inscription, image_upload())


def test_eo_recordings_are_checked_by_their_first_bytes(inscription):
    ogg = SimpleUploadedFile("eo.ogg", b"OggS\x00\x02" + b"\x00" * 100, content_type="audio/ogg")
    assert captures.store_eo_recording(inscription, ogg) is True
    ogg.seek(0)
    assert captures.store_eo_recording(inscription, ogg) is False
    with pytest.raises(BusinessError) as error:
        captures.store_eo_recording(
            inscription, SimpleUploadedFile("eo.mp3", b"<html>", content_type="audio/mpeg")
        )
    assert error.value.code == UNSUPPORTED_FILE


def test_safe_filename_keeps_no_path():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\x\\Élève photo.PNG") == "Eleve_photo.png"


# --- Views -------------------------------------------------------------------------------------------


def test_upload_and_see_the_photo_on_the_candidate_page(client, responsable, inscription):
    client.force_login(responsable)
    url = reverse("candidats:capture_upload", args=[inscription.numero, "photo"])
    response = client.post(url, {"fichier": image_upload()}, follow=True)
    assert "La photo est enregistrée." in response.content.decode()
    page = client.get(
        reverse("candidats:session_candidats", args=[inscription.session.numero])
    ).content.decode()
    assert "Photo ✓" in page and "Signature ✗" in page
    served = client.get(reverse("candidats:capture", args=[inscription.numero, "photo"]))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith("inline")


def test_a_refused_upload_says_why_and_changes_nothing(client, administratif, inscription):
    client.force_login(administratif)
    url = reverse("candidats:capture_upload", args=[inscription.numero, "signature"])
    bad = SimpleUploadedFile("sig.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = client.post(url, {"fichier": bad}, follow=True)
    assert "n&#x27;est pas une image JPEG, PNG ou WebP valide" in response.content.decode()
    assert not Inscription.objects.get(pk=inscription.pk).signature


def test_another_centre_never_sees_a_photo(client, centre_b, inscription):
    captures.store_photo(inscription, image_upload())
    client.force_login(MembershipFactory(centre=centre_b).user)
    assert client.get(reverse("candidats:capture", args=[inscription.numero, "photo"])).status_code == 404
    upload = client.post(
        reverse("candidats:capture_upload", args=[inscription.numero, "photo"]), {"fichier": image_upload()}
    )
    assert upload.status_code == 404


def test_unknown_capture_kind_is_404(client, responsable, inscription):
    client.force_login(responsable)
    assert client.get(reverse("candidats:capture", args=[inscription.numero, "keylogger"])).status_code == 404
