"""Every status machine's history is shown on its back-office page (core.admin.StatusHistoryInline):
who, when, from, to and the comment of each change, read-only."""

import pytest
from django.urls import reverse

from candidats import services as candidats_services
from candidats.imports import IMPORTS
from candidats.models import ImportJob
from demandes.correction import ANOMALIES
from demandes.models import Anomalie, Demande, DemandeKind
from demandes.services import DEMANDES
from messagerie import services as messagerie_services
from sessions_app import services as sessions_services
from sessions_app.models import BonDeCommande
from tests.admin_auth import admin_force_login
from tests.candidats.conftest import data
from tests.factories import InscriptionFactory, SessionFactory, conversation

pytestmark = pytest.mark.django_db


def a_session(centre, by):
    session = SessionFactory(centre=centre)
    sessions_services.cancel_session(session, by=by, comment="Salle indisponible")
    return "admin:sessions_app_session_change", session, "Salle indisponible"


def a_bon(centre, by):
    bon = BonDeCommande.objects.create(session=SessionFactory(centre=centre))
    sessions_services.BONS.transition(bon, BonDeCommande.Statut.SIGNE, by=by, comment="Signé sur papier")
    return "admin:sessions_app_bondecommande_change", bon, "Signé sur papier"


def a_demande(centre, by):
    inscription = InscriptionFactory(session=SessionFactory(centre=centre))
    demande = Demande.objects.create(
        numero=1, kind=DemandeKind.REPORT, centre=centre, inscription=inscription, description="Malade"
    )
    DEMANDES.transition(demande, "validee", by=by, comment="Certificat valable")
    return "admin:demandes_demande_change", demande, "Certificat valable"


def an_anomalie(centre, by):
    anomalie = Anomalie.objects.create(
        session=SessionFactory(centre=centre), kind=Anomalie.Kind.TECHNIQUE, description="Coupure"
    )
    ANOMALIES.transition(anomalie, Anomalie.Statut.TRAITEE, by=by, comment="Temps rendu")
    return "admin:demandes_anomalie_change", anomalie, "Temps rendu"


def a_conversation(centre, by):
    conv = conversation(centre)
    messagerie_services.close_conversation(conv, by=by, comment="Question réglée")
    return "admin:messagerie_conversation_change", conv, "Question réglée"


def an_import(centre, by):
    job = ImportJob.objects.create(
        centre=centre, session=SessionFactory(centre=centre), nom_fichier="c.xlsx", fichier="imports/c.xlsx"
    )
    IMPORTS.transition(job, ImportJob.Statut.EN_COURS, by=by, comment="Validation du fichier.")
    return "admin:candidats_importjob_change", job, "Validation du fichier."


def a_pre_inscription(centre, by):
    pre = candidats_services.create_pre_inscription(centre=centre, session=None, data=data())
    candidats_services.decline_pre_inscription(pre, motif="Session complète", by=by)
    return "admin:candidats_preinscription_change", pre, "Session complète"


def a_contact(centre, by):
    demande = candidats_services.create_demande_contact(
        centre=centre, nom="Ndiaye", prenom="Awa", email="awa@exemple.test", message="Quand ?"
    )
    candidats_services.close_demande_contact(demande, by=by)
    return "admin:candidats_demandecontact_change", demande, "Marquée comme traitée"


@pytest.mark.parametrize(
    "build",
    [a_session, a_bon, a_demande, an_anomalie, a_conversation, an_import, a_pre_inscription, a_contact],
)
def test_the_admin_page_of_each_status_machine_shows_its_history(client, centre_a, fda_agent, build):
    url_name, obj, comment = build(centre_a, fda_agent)
    admin_force_login(client, fda_agent)
    page = client.get(reverse(url_name, args=[obj.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "historique des statuts" in content.lower()
    assert comment in content
    assert fda_agent.get_full_name() in content or fda_agent.email in content
