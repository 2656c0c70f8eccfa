"""Issue 21 in the browser: a session closes and its convocations show as sent on the session page, one is
resent from the candidate's page; results are published and the candidate's notice reaches the SMTP server;
the verification page confirms a real code with the right birth date, says nothing useful for a wrong one,
and shows a withdrawn attestation as withdrawn."""

import re

from django.urls import reverse

from candidats import results
from candidats.documents import close_enrolment
from centres.roles import Role
from sessions_app.models import Document, DocumentKind
from tests.cache import clear_own_cache
from tests.e2e.portal import log_in
from tests.factories import (
    CandidatFactory,
    InscriptionFactory,
    MembershipFactory,
    SessionFactory,
    StaffFactory,
)
from tests.sessions_app.test_results import rows, session, tef_canada  # noqa: F401 (fixtures)


def test_convocations_are_sent_at_closure_and_one_is_resent(page, centre_a, smtp):
    MembershipFactory(centre=centre_a, role=Role.RESPONSABLE, user__email="resp@a.test")
    fda = StaffFactory(email="agent@fda.test")
    closing = SessionFactory(centre=centre_a, lieu="Salle Molière")
    lea = InscriptionFactory(
        session=closing,
        candidat=CandidatFactory(centre=centre_a, nom="Martin", prenom="Léa", email="lea@exemple.test"),
    )
    InscriptionFactory(session=closing, candidat=CandidatFactory(centre=centre_a, nom="Roux", email=""))
    close_enrolment(closing, by=fda)  # no wrapping transaction here: the tasks run at its commit
    assert [m.envelope_to for m in smtp.messages] == [["lea@exemple.test"]]

    log_in(page, "resp@a.test")
    page.goto(reverse("sessions:detail", args=[closing.numero]))
    counts = page.get_by_test_id("convocations")
    assert "1 envoyée" in counts.inner_text() and "1 sans adresse e-mail" in counts.inner_text()

    page.goto(reverse("candidats:inscription", args=[lea.numero]))
    page.get_by_role("button", name="Renvoyer la convocation").click()
    page.get_by_text("La convocation va être renvoyée au candidat.").wait_for()
    assert len(smtp.to("lea@exemple.test")) == 2
    envois = page.get_by_test_id("convocation-envois").inner_text()
    assert "Envoi à la clôture : Envoyée" in envois and "Renvoi par le centre : Envoyée" in envois
    page.goto(reverse("sessions:detail", args=[closing.numero]))
    assert "1 renvoi" in page.get_by_test_id("convocations").inner_text()


def test_results_notice_then_the_public_verification(page, session, smtp):  # noqa: F811
    clear_own_cache()
    inscription = InscriptionFactory(
        session=session,
        candidat=CandidatFactory(centre=session.centre, nom="Martin", prenom="Léa", email="lea@exemple.test"),
    )
    results.record_scores(session, rows(inscription, CE=349, CO=398, EE=271, EO=453))
    results.publish(session)
    [notice] = smtp.messages
    assert notice.envelope_to == ["lea@exemple.test"] and "sont disponibles" in notice.subject
    code = Document.objects.get(inscription=inscription, kind=DocumentKind.ATTESTATION).code_verification

    # The QR code's address opens the page with the code filled in.
    page.goto(reverse("verification") + f"?code={code}")
    assert page.get_by_label("Code de vérification").input_value() == code
    page.get_by_label("Date de naissance du candidat").fill("1990-05-18")
    page.get_by_role("button", name="Vérifier").click()
    result = page.get_by_test_id("verification-result")
    assert "Aucune attestation ne correspond" in result.inner_text() and "MARTIN" not in page.content()

    page.get_by_label("Date de naissance du candidat").fill("1990-05-17")
    page.get_by_role("button", name="Vérifier").click()
    text = page.get_by_test_id("verification-result").inner_text()
    assert "Attestation authentique" in text and "Authentic certificate" in text
    assert "MARTIN Léa" in text and "TEF Canada" in text and re.search(r"349\s*/\s*699", text)

    inscription.fraude = True  # a fraude validated by FDA
    inscription.save()
    page.get_by_label("Date de naissance du candidat").fill("1990-05-17")
    page.get_by_role("button", name="Vérifier").click()
    assert "Attestation retirée" in page.get_by_test_id("verification-result").inner_text()
