"""Issue 10 seen from outside: Passeport (an HTTP client) obtains a token as an Évaluateur and uploads a photo
and a signature; the centre's candidate list in the browser shows Photo ✓ and Signature ✓. The API's
documentation page renders under the portal's Content Security Policy."""

from django.utils import timezone

from centres.roles import Role
from sessions_app.models import SessionStatus
from tests.e2e.portal import log_in
from tests.factories import (
    PASSWORD,
    CandidatFactory,
    CentreFactory,
    InscriptionFactory,
    MembershipFactory,
    SessionFactory,
    image_upload,
)


def png() -> dict:
    return {"name": "capture.png", "mimeType": "image/png", "buffer": image_upload().read()}


def test_passeport_uploads_show_in_the_portal(page):
    centre = CentreFactory(nom="Alliance Française de Rennes", code="REN01")
    MembershipFactory(centre=centre, role=Role.RESPONSABLE, user__email="resp@rennes.test")
    MembershipFactory(centre=centre, role=Role.EVALUATEUR, user__email="eval@rennes.test")
    session = SessionFactory(centre=centre, date=timezone.localdate(), statut=SessionStatus.CLOSE)
    inscription = InscriptionFactory(
        session=session, candidat=CandidatFactory(centre=centre, nom="Ba", prenom="Inès")
    )

    api = page.request
    token = api.post(
        "/api/v1/auth/token/", data={"email": "eval@rennes.test", "password": PASSWORD, "name": "Tablette"}
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    sessions = api.get(f"/api/v1/sessions/?date={timezone.localdate():%Y-%m-%d}", headers=headers).json()
    assert [s["numero"] for s in sessions] == [session.numero]
    for kind in ("photo", "signature"):
        response = api.put(
            f"/api/v1/inscriptions/{inscription.numero}/{kind}/",
            headers=headers,
            multipart={"fichier": png()},
        )
        assert response.status == 200 and response.json()["changed"] is True
    again = api.put(
        f"/api/v1/inscriptions/{inscription.numero}/photo/", headers=headers, multipart={"fichier": png()}
    )
    assert again.json()["changed"] is False
    refused = api.put(
        f"/api/v1/inscriptions/{inscription.numero}/photo/",
        headers=headers,
        multipart={"fichier": {"name": "x.png", "mimeType": "image/png", "buffer": b"<svg/>"}},
    )
    assert refused.status == 415 and refused.json()["code"] == "unsupported_file"

    log_in(page, "resp@rennes.test")
    page.goto(f"/candidats/session/{session.numero}/")
    row = page.locator("tr", has_text="BA")
    assert row.get_by_text("Photo ✓").count() == 1 and row.get_by_text("Signature ✓").count() == 1


def test_the_api_documentation_renders_under_the_csp(page):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/api/v1/docs/")
    page.get_by_text("API Passeport — Portail centres").first.wait_for()
    page.get_by_text("/api/v1/inscriptions/{numero}/{kind}/").first.wait_for()
    assert violations == []
