"""Files in a real S3-compatible object store (SeaweedFS): chosen by the environment, private, served only by
the views that authorise them, and shared by web and worker processes that share no directory."""

import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse

from candidats import documents
from centres.roles import Role
from sessions_app.models import Document, DocumentKind, SessionStatus
from tests import s3server
from tests.factories import InscriptionFactory, MembershipFactory, SessionFactory, prix_fda
from tests.workers import start_worker, wait_for

PROJECT_DIR = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes", "on"}


@pytest.fixture(scope="session")
def s3():
    server = s3server.start(Path(tempfile.mkdtemp(prefix="portail-s3-")))
    yield server
    server.stop()


@pytest.fixture
def bucket(s3, settings, tmp_path):
    """The portal's default storage pointed at the S3 server, under a key prefix of the test's own. MEDIA_ROOT
    is an empty directory that must stay empty: nothing may fall back to the filesystem."""
    location = f"test-{uuid.uuid4().hex[:12]}"
    settings.MEDIA_ROOT = str(tmp_path / "media-web")
    settings.STORAGES = {**settings.STORAGES, "default": s3.storage_settings(s3server.BUCKET, location)}
    yield location
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*"))


def keys(s3, location) -> list[str]:
    """The object names under the test's prefix, as the storage names them (without the prefix)."""
    listed = s3.client().list_objects_v2(Bucket=s3server.BUCKET, Prefix=location + "/").get("Contents", [])
    return [item["Key"].removeprefix(location + "/") for item in listed]


def closed_session(centre):
    session = SessionFactory(centre=centre, statut=SessionStatus.OUVERTE)
    prix_fda(session.produit, 95)
    InscriptionFactory(session=session)
    return session


def run_settings(**env) -> str:
    """STORAGES["default"]["BACKEND"] as a fresh process of the portal reads it from its environment."""
    code = "import django; django.setup(); from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portail.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_the_environment_chooses_the_storage():
    assert run_settings() == "django.core.files.storage.FileSystemStorage"
    assert run_settings(AWS_STORAGE_BUCKET_NAME="portail-prod") == "storages.backends.s3.S3Storage"


@pytest.mark.django_db
def test_a_session_document_lives_in_the_bucket_and_only_its_centre_downloads_it(
    s3, bucket, client, centre_a, responsable, responsable_b, django_capture_on_commit_callbacks
):
    session = closed_session(centre_a)
    with django_capture_on_commit_callbacks(execute=True):  # tests run tasks eagerly: the PDFs now
        assert documents.close_enrolment(session) is True
    bon = Document.objects.get(session=session, kind=DocumentKind.BON_COMMANDE)
    assert bon.fichier.name in keys(s3, bucket)
    url = reverse("sessions:document", args=[session.numero, bon.pk])

    client.force_login(responsable)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    client.force_login(responsable_b)
    assert client.get(url).status_code == 404

    # The bucket itself answers no one without credentials: its URL is never a way in.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3.endpoint_url}/{s3server.BUCKET}/{bucket}/{bon.fichier.name}")
    assert refused.value.code == 403


@pytest.mark.django_db
def test_a_file_gone_from_the_bucket_is_a_404_not_a_500(
    s3, bucket, client, centre_a, responsable, django_capture_on_commit_callbacks
):
    session = closed_session(centre_a)
    with django_capture_on_commit_callbacks(execute=True):
        documents.close_enrolment(session)
    bon = Document.objects.get(session=session, kind=DocumentKind.BON_COMMANDE)
    default_storage.delete(bon.fichier.name)
    client.force_login(responsable)
    assert client.get(reverse("sessions:document", args=[session.numero, bon.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_bon_de_commande_rendered_by_a_worker_is_downloaded_through_the_web(
    s3, bucket, live_server, centre_a, tmp_path, settings
):
    """Web and worker share no directory (each its own empty MEDIA_ROOT): only the object store and the
    database. The worker renders the bon de commande; the web process (live_server, over HTTP) serves it."""
    if not REDIS_URL or connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI=true : ce test exige Redis et PostgreSQL", pytrace=False)
        pytest.skip("un vrai worker a besoin de Redis et de PostgreSQL")
    from candidats.tasks import render_session_documents
    from portail.celery import app

    user = MembershipFactory(centre=centre_a, role=Role.RESPONSABLE).user
    session = closed_session(centre_a)
    session.statut = SessionStatus.CLOSE
    session.save(update_fields=["statut"])
    worker_media = tmp_path / "media-worker"
    queue = f"test-s3-{uuid.uuid4().hex}"
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    with tempfile.TemporaryFile(mode="w+") as log:
        worker = start_worker(
            queue, log, MEDIA_ROOT=str(worker_media), **s3.environment(s3server.BUCKET, bucket)
        )
        try:
            render_session_documents.apply_async(args=[session.pk], queue=queue)
            rendered = wait_for(
                lambda: Document.objects.filter(session=session, kind=DocumentKind.BON_COMMANDE).exists(), 90
            )
            if not rendered:
                log.seek(0)
                print(log.read())
            assert rendered, "the worker rendered no bon de commande"
        finally:
            worker.terminate()
            worker.wait(timeout=15)
            app.conf.task_always_eager = was_eager

    bon = Document.objects.get(session=session, kind=DocumentKind.BON_COMMANDE)
    assert bon.fichier.name in keys(s3, bucket)
    assert not worker_media.exists() or not any(worker_media.rglob("*"))

    from django.test import Client

    browser = Client()
    browser.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    request = urllib.request.Request(
        live_server.url + reverse("sessions:document", args=[session.numero, bon.pk]),
        headers={"Cookie": cookie},
    )
    with urllib.request.urlopen(request) as response:
        assert response.status == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.read().startswith(b"%PDF")
