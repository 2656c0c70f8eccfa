"""The audit trail: a change of personal data or of a status records who, when, before and after, and the
back office shows it."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from candidats.models import Candidat
from sessions_app.models import SessionStatus
from sessions_app.services import cancel_session
from tests.admin_auth import admin_force_login
from tests.factories import InscriptionFactory, SessionFactory

pytestmark = pytest.mark.django_db


def test_a_candidates_data_changed_in_the_portal_is_traced(client, centre_a, responsable):
    inscription = InscriptionFactory(session=SessionFactory(centre=centre_a))
    client.force_login(responsable)
    candidat = inscription.candidat
    form = {
        "nom": "Nouveau-Nom",
        "prenom": candidat.prenom,
        "date_naissance": "1990-05-17",
        "genre": "F",
        "langue_maternelle": "ara",
        "nationalite": "DZ",
        "motivation": "I",
        "email": "a@b.fr",
        "numero_piece_identite": "123456",
        "epreuves": [ie.epreuve_id for ie in inscription.epreuves.all()],
    }
    client.post(reverse("candidats:inscription_edit", args=[inscription.numero]), form)
    assert Candidat.objects.get(pk=candidat.pk).nom == "Nouveau-Nom"
    entry = (
        LogEntry.objects.get_for_object(candidat).filter(action=LogEntry.Action.UPDATE).latest("timestamp")
    )
    assert entry.actor == responsable
    assert entry.changes_dict["nom"] == [candidat.nom, "Nouveau-Nom"]


def test_a_status_change_is_traced_and_shown_in_the_admin(client, centre_a, fda_agent):
    session = SessionFactory(centre=centre_a)
    cancel_session(session, by=fda_agent)
    entry = LogEntry.objects.get_for_object(session).latest("timestamp")
    assert entry.changes_dict["statut"] == [SessionStatus.OUVERTE, SessionStatus.ANNULEE]
    admin_force_login(client, fda_agent)
    page = client.get(reverse("admin:auditlog_logentry_changelist")).content.decode()
    assert str(session) in page


def test_passwords_are_never_in_the_trail(responsable):
    responsable.set_password("Un-autre-mot-de-passe-2026")
    responsable.save()
    assert all("password" not in e.changes_dict for e in LogEntry.objects.get_for_object(responsable))
