"""Issue 20, part 3: while the workers render a published session's attestations, the Tableau de résultats and
the back office's results page show "Attestations : X sur Y prêtes" (from the database), refreshed every 2 s;
the zip of every attestation comes once they are all there. Another centre gets 404."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from candidats.models import Resultat
from sessions_app.models import Document, DocumentKind, SessionStatus
from tests.admin_auth import admin_force_login
from tests.factories import InscriptionFactory, epreuve, past_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def scored(session, n):
    made = []
    for _ in range(n):
        inscription = InscriptionFactory(session=session)
        Resultat.objects.create(inscription=inscription, epreuve=epreuve("CE"), score=300)
        made.append(inscription)
    return made


def attest(inscription):
    return Document.objects.create(
        centre=inscription.session.centre,
        session=inscription.session,
        inscription=inscription,
        kind=DocumentKind.ATTESTATION,
        nom=f"attestation_{inscription.numero}.pdf",
        fichier=ContentFile(b"%PDF-1.4 test", name=f"attestation_{inscription.numero}.pdf"),
    )


@pytest.fixture
def rendering(centre_a):
    """A published session of three scored candidates of centre A, the workers at the first attestation."""
    session = past_session(centre_a, statut=SessionStatus.RESULTATS)
    inscriptions = scored(session, 3)
    attest(inscriptions[0])
    return session, inscriptions


def test_it_shows_the_progress_while_the_attestations_are_rendered(
    logged, rendering, django_assert_max_num_queries
):
    session, (done, waiting, _) = rendering
    with django_assert_max_num_queries(17):
        page = logged.get(reverse("sessions:resultats", args=[session.numero])).content.decode()
    assert "Attestations : 1 sur 3 prêtes" in page
    assert '<progress class="w-100" max="3" value="1"' in page
    assert 'data-refresh="2"' in page and "js/refresh.js" in page
    assert 'role="status" aria-live="polite"' in page
    assert "Télécharger toutes les attestations" not in page  # only once they are all there
    document = Document.objects.get(inscription=done)
    assert reverse("sessions:document", args=[session.numero, document.pk]) in page

    response = logged.get(reverse("sessions:attestations_zip", args=[session.numero]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("sessions:resultats", args=[session.numero])
    assert "en cours de génération (1 sur 3 prêtes)" in response.content.decode()


def test_once_complete_the_links_and_the_zip_are_there_and_the_page_stops_refreshing(logged, rendering):
    session, (_, *others) = rendering
    for inscription in others:
        attest(inscription)
    page = logged.get(reverse("sessions:resultats", args=[session.numero])).content.decode()
    assert "data-refresh" not in page and "<progress" not in page
    assert "Télécharger toutes les attestations (3)" in page
    archive = zipfile.ZipFile(
        io.BytesIO(
            b"".join(
                logged.get(reverse("sessions:attestations_zip", args=[session.numero])).streaming_content
            )
        )
    )
    assert len(archive.namelist()) == 3


def test_the_query_count_does_not_grow_with_the_session(logged, centre_a, django_assert_max_num_queries):
    session = past_session(centre_a, statut=SessionStatus.RESULTATS)
    url = reverse("sessions:resultats", args=[session.numero])
    for n in (2, 20):
        for inscription in scored(session, n):
            if inscription.pk % 2:
                attest(inscription)
        with django_assert_max_num_queries(17):
            assert "Attestations :" in logged.get(url).content.decode()


def test_another_centre_gets_404(login, rendering, responsable_b):
    session, _ = rendering
    client = login(responsable_b)
    for name in ("sessions:resultats", "sessions:attestations_zip"):
        assert client.get(reverse(name, args=[session.numero])).status_code == 404


def test_the_back_office_results_page_shows_the_progress(client, rendering, fda_agent):
    session, (_, *others) = rendering
    admin_force_login(client, fda_agent)
    url = reverse("admin:sessions_app_session_resultats", args=[session.pk])
    page = client.get(url).content.decode()
    assert "Attestations : 1 sur 3 prêtes" in page and 'data-refresh="2"' in page
    for inscription in others:
        attest(inscription)
    page = client.get(url).content.decode()
    assert "Attestations : 3 sur 3 prêtes." in page and "data-refresh" not in page


def test_before_publication_nothing_is_said_about_attestations(logged, centre_a):
    session = past_session(centre_a, statut=SessionStatus.CORRECTION)
    scored(session, 1)
    page = logged.get(reverse("sessions:resultats", args=[session.numero])).content.decode()
    assert "pas encore publiés" in page and "Attestations :" not in page
