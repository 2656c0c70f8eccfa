"""Issue 10: the Passeport API — tokens, scoping, the guide's role matrix on every endpoint, uploads."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from candidats.models import Inscription
from centres.roles import Role
from sessions_app.models import SessionStatus
from tests.factories import PASSWORD, InscriptionFactory, MembershipFactory, SessionFactory, image_upload

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    _, raw = ApiToken.issue(user)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def today_session(centre_a):
    return SessionFactory(centre=centre_a, date=timezone.localdate(), statut=SessionStatus.CLOSE)


@pytest.fixture
def inscription(today_session):
    return InscriptionFactory(session=today_session)


def ogg():
    return SimpleUploadedFile("eo.ogg", b"OggS\x00\x02" + b"\x00" * 200, content_type="audio/ogg")


# --- Tokens --------------------------------------------------------------------------------------------


def test_an_evaluateur_obtains_a_token_shown_once_and_stored_hashed(evaluateur):
    response = APIClient().post(
        reverse("api:token"),
        {"email": evaluateur.email, "password": PASSWORD, "name": "Tablette salle 1"},
        format="json",
    )
    assert response.status_code == 201
    raw = response.json()["token"]
    token = ApiToken.objects.get()
    assert raw.startswith("pc_") and raw not in (token.key_hash, token.prefix) and len(token.key_hash) == 64
    assert token.expires_at - timezone.now() > dt.timedelta(days=29)
    listed = APIClient()
    listed.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert listed.get(reverse("api:tokens")).json()[0]["name"] == "Tablette salle 1"


def test_wrong_password_is_a_json_401(evaluateur):
    response = APIClient().post(
        reverse("api:token"), {"email": evaluateur.email, "password": "faux"}, format="json"
    )
    assert response.status_code == 401
    assert response.json() == {
        "code": "invalid_credentials",
        "message": "Adresse e-mail ou mot de passe incorrect.",
    }


def test_token_requests_are_throttled(evaluateur):
    codes = [
        APIClient()
        .post(reverse("api:token"), {"email": f"x{n}@y.test", "password": "x"}, format="json")
        .status_code
        for n in range(11)
    ]
    assert codes[:10] == [401] * 10 and codes[10] == 429


def test_the_login_lockout_holds_on_the_api_and_spares_other_users(evaluateur, administratif):
    wrong = [
        APIClient().post(reverse("api:token"), {"email": evaluateur.email, "password": "faux"}, format="json")
        for _ in range(6)
    ]
    assert [r.status_code for r in wrong] == [401] * 4 + [429, 429]
    assert wrong[-1].json()["code"] == "locked_out"
    right = APIClient().post(
        reverse("api:token"), {"email": evaluateur.email, "password": PASSWORD}, format="json"
    )
    assert right.status_code == 429  # locked even with the right password
    other = APIClient().post(
        reverse("api:token"), {"email": administratif.email, "password": PASSWORD}, format="json"
    )
    assert other.status_code == 201


@pytest.mark.parametrize("state", ["revoked", "expired", "unknown", "missing"])
def test_revoked_expired_unknown_or_missing_tokens_are_401(responsable, state):
    token, raw = ApiToken.issue(responsable)
    client = APIClient()
    if state == "revoked":
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    if state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    if state != "missing":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw if state != 'unknown' else 'pc_nope'}")
    response = client.get(reverse("api:sessions"))
    assert response.status_code == 401
    assert response.json()["code"] in {"invalid_token", "token_expired", "not_authenticated"}


def test_revoking_own_token_and_a_responsable_revokes_a_colleagues(responsable, evaluateur, responsable_b):
    colleague_token, _ = ApiToken.issue(evaluateur)
    own = client_for(evaluateur)
    assert own.delete(reverse("api:revoke_token", args=[colleague_token.pk])).status_code == 204
    assert ApiToken.objects.get(pk=colleague_token.pk).revoked
    other, _ = ApiToken.issue(evaluateur)
    assert client_for(responsable_b).delete(reverse("api:revoke_token", args=[other.pk])).status_code == 404
    assert client_for(responsable).delete(reverse("api:revoke_token", args=[other.pk])).status_code == 204
    assert ApiToken.objects.get(pk=other.pk).revoked_by == responsable
    mine, _ = ApiToken.issue(responsable)
    assert client_for(evaluateur).delete(reverse("api:revoke_token", args=[mine.pk])).status_code == 404


# --- Reading -------------------------------------------------------------------------------------------


def test_sessions_of_the_day_are_scoped_to_the_users_centres(evaluateur, today_session, centre_b):
    SessionFactory(centre=centre_b, date=timezone.localdate())
    SessionFactory(centre=today_session.centre)  # another day
    data = client_for(evaluateur).get(reverse("api:sessions")).json()
    assert [s["numero"] for s in data] == [today_session.numero]


def test_enrolments_show_captures_and_absences(
    evaluateur, inscription, responsable_b, django_assert_max_num_queries
):
    InscriptionFactory(session=inscription.session)
    client = client_for(evaluateur)
    url = reverse("api:session_inscriptions", args=[inscription.session.numero])
    with django_assert_max_num_queries(8):
        data = client.get(url).json()
    first = next(i for i in data if i["numero"] == inscription.numero)
    assert first["photo"] is False and [e["code"] for e in first["epreuves"]] == ["CE", "CO", "EE", "EO"]
    other = client_for(responsable_b).get(url)
    assert other.status_code == 404 and other.json()["code"] == "not_found"


# --- The role matrix on every upload -------------------------------------------------------------------

MATRIX = {  # PRODUCT.md §2: Passeport rights by role
    Role.RESPONSABLE: {"photo": 200, "signature": 200, "enregistrement-eo": 403},
    Role.ADMINISTRATIF: {"photo": 200, "signature": 200, "enregistrement-eo": 403},
    Role.EVALUATEUR: {"photo": 200, "signature": 200, "enregistrement-eo": 200},
}


@pytest.mark.parametrize("role", list(MATRIX))
@pytest.mark.parametrize("kind", ["photo", "signature", "enregistrement-eo"])
def test_the_guides_matrix_on_every_upload(inscription, role, kind):
    user = MembershipFactory(centre=inscription.session.centre, role=role).user
    upload = ogg() if kind == "enregistrement-eo" else image_upload()
    response = client_for(user).put(
        reverse("api:upload", args=[inscription.numero, kind]), {"fichier": upload}, format="multipart"
    )
    assert response.status_code == MATRIX[role][kind], response.json()
    field = {"photo": "photo", "signature": "signature", "enregistrement-eo": "enregistrement_eo"}[kind]
    assert bool(getattr(Inscription.objects.get(pk=inscription.pk), field)) == (MATRIX[role][kind] == 200)


def test_another_centre_and_anonymous_never_upload(inscription, responsable_b):
    url = reverse("api:upload", args=[inscription.numero, "photo"])
    assert (
        client_for(responsable_b).put(url, {"fichier": image_upload()}, format="multipart").status_code == 404
    )
    assert APIClient().put(url, {"fichier": image_upload()}, format="multipart").status_code == 401
    assert not Inscription.objects.get(pk=inscription.pk).photo


def test_a_retried_upload_stores_one_file_and_shows_in_the_portal(
    client, inscription, administratif, responsable
):
    api = client_for(administratif)
    url = reverse("api:upload", args=[inscription.numero, "photo"])
    first = api.put(url, {"fichier": image_upload()}, format="multipart").json()
    name = Inscription.objects.get(pk=inscription.pk).photo.name
    again = api.put(url, {"fichier": image_upload()}, format="multipart").json()
    assert (first["changed"], again["changed"]) == (True, False)
    assert Inscription.objects.get(pk=inscription.pk).photo.name == name
    client.force_login(responsable)
    page = client.get(
        reverse("candidats:session_candidats", args=[inscription.session.numero])
    ).content.decode()
    assert "Photo ✓" in page


def test_bad_files_are_413_or_415_in_json(inscription, evaluateur, settings):
    api = client_for(evaluateur)
    svg = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = api.put(
        reverse("api:upload", args=[inscription.numero, "photo"]), {"fichier": svg}, format="multipart"
    )
    assert response.status_code == 415 and response.json()["code"] == "unsupported_file"
    settings.MAX_EO_RECORDING_SIZE = 10
    response = api.put(
        reverse("api:upload", args=[inscription.numero, "enregistrement-eo"]),
        {"fichier": ogg()},
        format="multipart",
    )
    assert response.status_code == 413 and response.json()["code"] == "file_too_large"
    assert "dépasse la taille maximale" in response.json()["message"]


def test_no_capture_once_results_are_published_is_409(inscription, evaluateur):
    inscription.session.statut = SessionStatus.RESULTATS
    inscription.session.save()
    response = client_for(evaluateur).put(
        reverse("api:upload", args=[inscription.numero, "photo"]),
        {"fichier": image_upload()},
        format="multipart",
    )
    assert response.status_code == 409 and response.json()["code"] == "wrong_status"


# --- Every endpoint has its rows -----------------------------------------------------------------------

TESTED = {
    "api:schema",
    "api:docs",
    "api:token",
    "api:tokens",
    "api:revoke_token",
    "api:sessions",
    "api:session_inscriptions",
    "api:upload",
}


def test_every_api_endpoint_is_in_this_matrix():
    resolver = get_resolver().url_patterns
    api = next(p for p in resolver if getattr(p, "namespace", None) == "api")
    names = {f"api:{p.name}" for p in api.url_patterns if isinstance(p, URLPattern)}
    assert names == TESTED, f"Endpoints without tests here: {names - TESTED}"


def test_the_documentation_opens_for_a_user_logged_in_to_the_portal(client, responsable):
    client.force_login(responsable)
    assert client.get(reverse("api:docs")).status_code == 200


def test_the_schema_and_its_documentation_are_served(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200 and b"/api/v1/inscriptions/{numero}/{kind}/" in schema.content
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 200 and b"swagger-ui" in docs.content


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/sessions/-960042366/inscriptions/",
        "/api/v1/inscriptions/-5/photo/",
        "/api/v1/inscriptions/12/autre/chose/",
        "/api/v1/nulle-part/",
        "/api/v2/sessions/",
        "/api/",
    ],
)
@pytest.mark.parametrize("authenticated", [True, False])
def test_every_path_under_api_answers_the_json_error(evaluateur, inscription, path, authenticated):
    client = client_for(evaluateur) if authenticated else APIClient(enforce_csrf_checks=True)
    for method in ("get", "post", "put", "delete"):
        response = getattr(client, method)(path)
        assert response.status_code == 404, method
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"code": "not_found", "message": "Introuvable."}


@pytest.mark.parametrize(
    "numero", ["0", "2147483648", "9223372036854775808", "100000000000000000000000000000"]
)
def test_numbers_past_any_column_are_a_json_404(evaluateur, inscription, numero):
    client = client_for(evaluateur)
    for path in (f"/api/v1/sessions/{numero}/inscriptions/", f"/api/v1/inscriptions/{numero}/photo/"):
        response = client.get(path) if "sessions" in path else client.put(path, {}, format="multipart")
        assert response.status_code == 404, path
        assert response.json() == {"code": "not_found", "message": "Introuvable."}
