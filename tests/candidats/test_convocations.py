"""Convocations: sent after the D-2 closure through a real SMTP server, once; resends recorded; the
session page's counts; the one-PDF print; the centre's actions (right centre, other centre 404, roles)."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from candidats import convocations
from candidats.documents import close_enrolment
from candidats.models import ConvocationEnvoi, ConvocationKind, ConvocationStatus
from sessions_app.models import SessionStatus
from tests.factories import CandidatFactory, InscriptionFactory, SessionFactory

St = ConvocationStatus


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def closed_session(centre_a, fda_agent, smtp, django_capture_on_commit_callbacks):
    """A session of centre A with three enrolled: one reachable, one whose mailbox refuses, one without
    e-mail; its enrolment closed by FDA (the D-2 closure's entry point), the tasks run after commit."""
    centre_a.email = "contact@centre-a.test"
    centre_a.adresse, centre_a.code_postal, centre_a.ville = "12 rue des Écoles", "75005", "Paris"
    centre_a.consignes_convocation = "Présentez-vous 30 minutes avant, entrée par la cour."
    centre_a.save()
    session = SessionFactory(centre=centre_a, lieu="Salle Molière")
    reachable = InscriptionFactory(
        session=session, candidat=CandidatFactory(centre=centre_a, nom="Martin", email="lea@exemple.test")
    )
    refused = InscriptionFactory(
        session=session, candidat=CandidatFactory(centre=centre_a, nom="Petit", email="absent@exemple.test")
    )
    without = InscriptionFactory(
        session=session, candidat=CandidatFactory(centre=centre_a, nom="Roux", email="")
    )
    smtp.refuse.add("absent@exemple.test")
    with django_capture_on_commit_callbacks(execute=True):
        close_enrolment(session, by=fda_agent)
    session.refresh_from_db()
    return session, reachable, refused, without


def test_the_closure_sends_each_candidate_a_convocation_with_its_pdf(closed_session, smtp):
    session, reachable, refused, without = closed_session
    assert session.statut == SessionStatus.CLOSE
    [message] = smtp.messages
    assert message.envelope_to == ["lea@exemple.test"]
    assert message.subject == (
        f"Convocation : {session.produit.nom} le {session.date:%d/%m/%Y} à {session.centre.nom}"
    )
    assert message.header("Reply-To") == "contact@centre-a.test"
    assert "Vous êtes convoqué(e)" in message.text and "Salle Molière" in message.text
    assert "Présentez-vous 30 minutes avant" in message.html
    [(filename, mimetype, content)] = message.attachments()
    assert (
        filename == f"convocation_{session.numero}_{reachable.numero}.pdf" and mimetype == "application/pdf"
    )
    text = pdf_text(content)
    assert "Convocation" in text and "MARTIN" in text and "12 rue des Écoles" in text
    assert "Présentez-vous 30 minutes avant" in text and "pièce d'identité" in text
    assert {(e.inscription_id, e.kind, e.status) for e in ConvocationEnvoi.objects.all()} == {
        (reachable.pk, ConvocationKind.INITIAL, St.SENT),
        (refused.pk, ConvocationKind.INITIAL, St.BOUNCED),
        (without.pk, ConvocationKind.INITIAL, St.NO_EMAIL),
    }
    assert convocations.summary(session) == {
        "enrolled": 3,
        "sent": 1,
        "bounced": 1,
        "no_email": 1,
        "pending": 0,
        "resent": 0,
    }


def test_the_task_run_again_sends_nothing_twice(closed_session, smtp):
    session, *_ = closed_session
    assert convocations.send_convocations_of_session(session.pk) == 0
    assert convocations.send_convocation(closed_session[1].pk) is None
    assert len(smtp.messages) == 1 and ConvocationEnvoi.objects.count() == 3


def test_nothing_is_sent_while_the_session_is_open(centre_a, smtp):
    inscription = InscriptionFactory(session=SessionFactory(centre=centre_a))
    assert convocations.send_convocations_of_session(inscription.session_id) == 0
    assert smtp.messages == [] and not ConvocationEnvoi.objects.exists()


def test_a_candidate_enrolled_after_the_closure_is_convoked_at_once(
    closed_session, smtp, django_capture_on_commit_callbacks
):
    session, *_ = closed_session
    late = InscriptionFactory(
        session=session, candidat=CandidatFactory(centre=session.centre, email="tard@x.test")
    )
    with django_capture_on_commit_callbacks(execute=True):
        convocations.queue_convocation(late)
    assert [m.envelope_to for m in smtp.messages][-1] == ["tard@x.test"]
    assert late.convocations.get().status == St.SENT


def test_the_centre_resends_one_from_the_candidates_page(
    client, closed_session, administratif, smtp, django_capture_on_commit_callbacks
):
    session, reachable, *_ = closed_session
    client.force_login(administratif)
    page = client.get(reverse("candidats:inscription", args=[reachable.numero])).content.decode()
    assert "Envoi à la clôture : <strong>Envoyée</strong>" in page and "Renvoyer la convocation" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("candidats:convocation_resend", args=[reachable.numero]))
    assert response.status_code == 302
    assert len(smtp.to("lea@exemple.test")) == 2
    resend = reachable.convocations.get(kind=ConvocationKind.RESEND)
    assert resend.status == St.SENT and resend.by == administratif
    assert convocations.summary(session) == {
        "enrolled": 3,
        "sent": 1,
        "bounced": 1,
        "no_email": 1,
        "pending": 0,
        "resent": 1,
    }


def test_no_resend_to_a_candidate_without_an_address(client, closed_session, responsable):
    *_, without = closed_session
    client.force_login(responsable)
    response = client.post(reverse("candidats:convocation_resend", args=[without.numero]), follow=True)
    assert "n&#x27;a pas d&#x27;adresse e-mail : imprimez sa convocation" in response.content.decode()
    assert not without.convocations.filter(kind=ConvocationKind.RESEND).exists()


def test_the_centre_resends_all_after_a_confirmation(
    client, closed_session, responsable, smtp, django_capture_on_commit_callbacks
):
    session, *_ = closed_session
    client.force_login(responsable)
    url = reverse("candidats:convocations_resend", args=[session.numero])
    confirm = client.get(url).content.decode()
    assert "Confirmer le renvoi" in confirm and "1 candidat sans adresse e-mail" in confirm
    assert len(smtp.messages) == 1  # the GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert len(smtp.messages) == 2
    assert ConvocationEnvoi.objects.filter(kind=ConvocationKind.RESEND, by=responsable).count() == 3


def test_the_session_page_shows_the_counts_in_bounded_queries(
    client, closed_session, responsable, django_assert_max_num_queries
):
    session, *_ = closed_session
    client.force_login(responsable)
    with django_assert_max_num_queries(40):
        page = client.get(reverse("sessions:detail", args=[session.numero])).content.decode()
    assert "1 envoyée" in page and "1 rejetée" in page and "1 sans adresse e-mail" in page
    assert "Toutes les convocations (PDF)" in page


def test_every_convocation_as_one_pdf_to_print(client, closed_session, responsable):
    session, *_ = closed_session
    client.force_login(responsable)
    response = client.get(reverse("candidats:convocations_pdf", args=[session.numero]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = pdf_text(response.content)
    assert len(reader.pages) >= 3 and all(name in text for name in ("MARTIN", "PETIT", "ROUX"))


def test_another_centre_gets_404_and_an_evaluateur_403(client, closed_session, responsable_b, evaluateur):
    session, reachable, *_ = closed_session
    urls = [
        ("get", reverse("candidats:convocations_pdf", args=[session.numero])),
        ("get", reverse("candidats:convocations_resend", args=[session.numero])),
        ("post", reverse("candidats:convocation_resend", args=[reachable.numero])),
    ]
    client.force_login(responsable_b)
    assert [getattr(client, verb)(url).status_code for verb, url in urls] == [404, 404, 404]
    client.force_login(evaluateur)
    assert [getattr(client, verb)(url).status_code for verb, url in urls] == [403, 403, 403]
    assert ConvocationEnvoi.objects.filter(kind=ConvocationKind.RESEND).count() == 0


def test_no_resend_before_the_closure(client, centre_a, responsable):
    inscription = InscriptionFactory(session=SessionFactory(centre=centre_a))
    client.force_login(responsable)
    response = client.post(reverse("candidats:convocation_resend", args=[inscription.numero]), follow=True)
    assert "une fois les inscriptions closes" in response.content.decode()
    assert not ConvocationEnvoi.objects.exists()
