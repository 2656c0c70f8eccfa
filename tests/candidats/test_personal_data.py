"""Personal data: the export of everything held on a candidate, and anonymisation past the retention period."""

import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from candidats import captures
from candidats.models import Candidat, Inscription, Resultat
from candidats.personal_data import anonymise_candidats, export_candidat
from sessions_app.models import Document
from tests.admin_auth import admin_force_login
from tests.factories import InscriptionFactory, epreuve, image_upload, past_session, session_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(centre_a):
    session = past_session(centre_a)
    inscription = InscriptionFactory(session=session)
    captures.store_photo(inscription, image_upload())
    Resultat.objects.create(inscription=inscription, epreuve=epreuve("CE"), score=349, niveau_cecrl="B2")
    doc = session_document(session, kind="attestation", nom="attestation.pdf")
    doc.inscription = inscription
    doc.save()
    return inscription


def test_the_export_holds_every_record_and_file(enrolled, fda_agent):
    name, content = export_candidat(enrolled.candidat, by=fda_agent)
    archive = zipfile.ZipFile(io.BytesIO(content))
    data = json.loads(archive.read("donnees.json"))
    assert data["candidat"]["nom"] == enrolled.candidat.nom
    assert data["candidat"]["date_naissance"] == "1990-05-17"
    first = data["inscriptions"][0]
    assert (first["numero"], first["code_acces"]) == (enrolled.numero, enrolled.code_acces)
    assert first["resultats"] == [
        {"epreuve": "CE", "score": 349, "sur": None, "niveau_cecrl": "B2", "nclc": None}
    ]
    assert len(first["fichiers"]) == 2 and all(f in archive.namelist() for f in first["fichiers"])


def test_the_admin_action_downloads_the_export(client, enrolled, fda_agent):
    admin_force_login(client, fda_agent)
    response = client.post(
        reverse("admin:candidats_candidat_changelist"),
        {"action": "exporter_donnees", "_selected_action": [enrolled.candidat_id]},
    )
    assert response["Content-Type"] == "application/zip"
    assert "donnees.json" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


def test_candidates_past_the_retention_period_are_anonymised(centre_a, django_capture_on_commit_callbacks):
    old = InscriptionFactory(session=past_session(centre_a, days_ago=11 * 366))
    recent = InscriptionFactory(session=past_session(centre_a, days_ago=9 * 365))
    old.keylogger = "frappes"
    old.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert anonymise_candidats() == 1
    old_candidat = Candidat.objects.get(pk=old.candidat_id)
    assert (old_candidat.nom, old_candidat.date_naissance, old_candidat.email) == ("ANONYME", None, "")
    assert old_candidat.anonymised_at is not None and old_candidat.genre == "F"  # statistics stay
    assert Inscription.objects.get(pk=old.pk).keylogger == ""
    assert Candidat.objects.get(pk=recent.candidat_id).anonymised_at is None
    assert anonymise_candidats() == 0  # idempotent


def test_anonymisation_erases_files_and_attestations(centre_a, django_capture_on_commit_callbacks):
    session = past_session(centre_a, days_ago=11 * 366, statut="resultats")
    inscription = InscriptionFactory(session=session)
    Inscription.objects.filter(pk=inscription.pk).update(photo="captures/x/photo.jpg")
    doc = session_document(session, kind="attestation", nom="a.pdf")
    doc.inscription = inscription
    doc.save()
    storage, name = doc.fichier.storage, doc.fichier.name
    with django_capture_on_commit_callbacks(execute=True):
        anonymise_candidats()
    assert not Inscription.objects.get(pk=inscription.pk).photo
    assert not Document.objects.filter(pk=doc.pk).exists() and not storage.exists(name)


def test_the_command_simulates_then_anonymises(centre_a, capsys):
    InscriptionFactory(session=past_session(centre_a, days_ago=3 * 366))
    call_command("anonymiser_candidats", "--annees", "2", "--simulation")
    assert "1 candidat à anonymiser (conservation : 2 ans)." in capsys.readouterr().out
    assert not Candidat.objects.filter(anonymised_at__isnull=False).exists()
    call_command("anonymiser_candidats", "--annees", "2")
    assert Candidat.objects.get().nom == "ANONYME"
    assert timezone.now() - Candidat.objects.get().anonymised_at < dt.timedelta(minutes=1)
