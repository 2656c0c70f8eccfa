"""Tableau de bord: INFORMATIONS (newest first, linked), RESTE À TRAITER (every to-do with its count and
link, in the guide's words), and a bounded number of queries with 1 and with 500 rows of each kind."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidats.models import DemandeContact, PreInscription
from demandes.models import Notification
from messagerie.models import Conversation
from sessions_app.closure import PARIS, closes_at_for
from sessions_app.models import BonDeCommande, Session, SessionStatus
from tests.factories import ProduitFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 9, 15)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 9, 15, 10, 0, tzinfo=PARIS), tick=False):
        yield


def fill(centre, n: int, start: int = 8_000_000):
    """n rows of every kind of to-do, n notifications and n sessions, in bulk."""
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(
            centre=centre,
            message=f"Votre demande de report n°{i} a été validée.",
            url=f"/demandes/{i}/",
            created_at=now - dt.timedelta(minutes=i),
        )
        for i in range(n)
    )
    DemandeContact.objects.bulk_create(
        DemandeContact(centre=centre, nom="Nom", prenom="P", email=f"c{i}@x.test", message="Bonjour")
        for i in range(n)
    )
    PreInscription.objects.bulk_create(
        PreInscription(centre=centre, nom="Nom", prenom="P", email=f"p{i}@x.test") for i in range(n)
    )
    produit = ProduitFactory(nom="TEF Canada")
    past = TODAY - dt.timedelta(days=3)
    sessions = Session.objects.bulk_create(
        Session(
            numero=start + i,
            centre=centre,
            produit=produit,
            date=past,
            heure=dt.time(9),
            lieu="Salle",
            nb_places=10,
            statut=SessionStatus.CLOSE,
            closes_at=closes_at_for(past),
        )
        for i in range(n)
    )
    future = TODAY + dt.timedelta(days=20)
    Session.objects.bulk_create(
        Session(
            numero=start + n + i,
            centre=centre,
            produit=produit,
            date=future,
            heure=dt.time(9),
            lieu="Salle",
            nb_places=10,
            statut=SessionStatus.OUVERTE,
            closes_at=closes_at_for(future),
        )
        for i in range(n)
    )
    BonDeCommande.objects.bulk_create(BonDeCommande(session=s) for s in sessions)
    Conversation.objects.bulk_create(
        Conversation(centre=centre, titre=f"Conversation {i}", last_fda_message_at=now) for i in range(n)
    )


def test_reste_a_traiter_counts_every_kind_in_the_guides_words(client, responsable, centre_a, centre_b):
    fill(centre_a, 6)
    fill(centre_b, 2, start=8_100_000)
    client.force_login(responsable)
    page = client.get(reverse("dashboard"))
    labels = {todo.kind: todo.label for todo in page.context["a_traiter"]}
    assert labels == {
        "contacts": "Vous avez 6 demandes de contact à traiter",
        "pre_inscriptions": "Vous avez 6 pré-inscriptions à transférer",
        "sessions_passees": "6 sessions dont la date est passée à traiter : absences à déclarer",
        "bons_de_commande": "6 bons de commande à signer",
        "messages": "6 messages non lus",
    }
    content = page.content.decode()
    assert "Vous avez 6 demandes de contact à traiter" in content
    assert f'href="{reverse("messagerie:list")}"' in content
    assert f'href="{reverse("candidats:contacts")}"' in content
    assert f'href="{reverse("candidats:pre_inscriptions")}"' in content
    assert reverse("sessions:list") + "?statut=close" in content


def test_singular_wording_and_nothing_to_do(client, responsable, centre_a):
    client.force_login(responsable)
    assert client.get(reverse("dashboard")).context["a_traiter"] == []
    assert "Rien à traiter pour le moment." in client.get(reverse("dashboard")).content.decode()
    fill(centre_a, 1)
    labels = [t.label for t in client.get(reverse("dashboard")).context["a_traiter"]]
    assert labels == [
        "Vous avez 1 demande de contact à traiter",
        "Vous avez 1 pré-inscription à transférer",
        "1 session dont la date est passée à traiter : absences à déclarer",
        "1 bon de commande à signer",
        "1 message non lu",
    ]


def test_sessions_with_absences_declared_wait_for_the_mise_en_correction(client, responsable, centre_a):
    fill(centre_a, 3)
    Session.objects.filter(pk__in=Session.objects.filter(date__lt=TODAY).values("pk")[:2]).update(
        absences_declarees_le=timezone.now()
    )
    client.force_login(responsable)
    labels = {t.kind: t.label for t in client.get(reverse("dashboard")).context["a_traiter"]}
    assert labels["sessions_passees"] == "1 session dont la date est passée à traiter : absences à déclarer"
    assert labels["sessions_a_corriger"] == "2 sessions à mettre en correction"


def test_done_items_are_not_counted(client, responsable, centre_a):
    fill(centre_a, 3)
    DemandeContact.objects.update(statut=DemandeContact.Statut.TRAITEE)
    PreInscription.objects.update(statut=PreInscription.Statut.TRANSFEREE)
    Session.objects.filter(date__lt=TODAY).update(statut=SessionStatus.CORRECTION)
    BonDeCommande.objects.update(statut=BonDeCommande.Statut.SIGNE)
    Conversation.objects.update(centre_read_at=timezone.now())
    client.force_login(responsable)
    assert client.get(reverse("dashboard")).context["a_traiter"] == []


def test_informations_newest_first_ten_at_most_with_their_link(client, responsable, centre_a, centre_b):
    fill(centre_a, 12)
    Notification.objects.create(centre=centre_b, message="Notification du centre B")
    Notification.objects.create(centre=centre_a, message="Lien douteux", url="javascript:alert(1)")
    client.force_login(responsable)
    page = client.get(reverse("dashboard"))
    infos = list(page.context["informations"])
    assert len(infos) == 10
    assert (
        infos[0].message == "Lien douteux"
        and infos[1].message == "Votre demande de report n°0 a été validée."
    )
    content = page.content.decode()
    assert '<a href="/demandes/0/">Votre demande de report n°0 a été validée.</a>' in content
    assert "javascript:" not in content
    assert "Notification du centre B" not in content


def dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    return len(queries)


def test_the_dashboard_runs_the_same_number_of_queries_with_1_and_500_rows(client, responsable, centre_a):
    client.force_login(responsable)
    client.get(reverse("dashboard"))  # the session is loaded once
    fill(centre_a, 1)
    with_one = dashboard_queries(client)
    fill(centre_a, 499, start=8_500_000)
    page = client.get(reverse("dashboard"))
    assert [t.label for t in page.context["a_traiter"]][0] == "Vous avez 500 demandes de contact à traiter"
    with_500 = dashboard_queries(client)
    # session, user, memberships ×2, menu unread count, INFORMATIONS, 5 next sessions, 5 to-do counts
    assert with_one == with_500 <= 12
