"""Issue 19: « Modifier la session » walked as a responsable (places never below the enrolled, time, place,
online display, date and tarifs, each change in the history)."""

import datetime as dt
import re
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from candidats.models import PreInscription
from centres.roles import Role
from sessions_app.closure import closes_at_for
from sessions_app.models import Session
from tests.e2e.portal import log_in
from tests.factories import (
    CentreFactory,
    InscriptionFactory,
    MembershipFactory,
    ProduitFactory,
    SessionFactory,
    add_session_tarifs,
)


def test_a_responsable_changes_a_session_from_its_page(page):
    centre = CentreFactory(nom="Alliance Française de Test")
    MembershipFactory(centre=centre, role=Role.RESPONSABLE, user__email="resp@test.test")
    produit = ProduitFactory(nom="TEF IRN", modulaire=False)
    session = SessionFactory(
        centre=centre,
        produit=produit,
        date=timezone.localdate() + dt.timedelta(days=20),
        nb_places=3,
        lieu="Salle 1",
    )
    add_session_tarifs(session, Decimal("95.00"))
    new_date = session.date + dt.timedelta(days=7)

    log_in(page, "resp@test.test")
    page.goto(reverse("sessions:detail", args=[session.numero]))
    page.get_by_role("link", name="Modifier la session").click()
    page.get_by_role("heading", name=re.compile("Modifier la session")).wait_for()

    # Nobody enrolled yet: the tarif is editable too.
    page.get_by_label("Nombre de places disponibles").fill("25")
    page.get_by_label("Heure").fill("14:00")
    page.get_by_label("Lieu de passation").fill("Amphithéâtre B")
    page.get_by_label("Afficher en ligne").check()
    page.get_by_label("Date de la session").fill(new_date.isoformat())
    page.get_by_label("Tarif unique (€)").fill("99,00")
    page.get_by_role("button", name="Enregistrer les modifications").click()

    page.get_by_text(f"La session {session.numero} a été modifiée").wait_for()
    history = page.get_by_test_id("historique").inner_text()
    for line in (
        "Places : 3 → 25",
        "Heure : 09h00 → 14h00",
        "Lieu de passation : Salle 1 → Amphithéâtre B",
        "Afficher en ligne : non → oui",
        f"Date : {session.date:%d/%m/%Y} → {new_date:%d/%m/%Y}",
        "Tarifs : tarif unique 95,00 € → 99,00 €",
    ):
        assert line in history
    assert "14h00" in page.get_by_text(re.compile(f"{new_date:%d/%m/%Y} à")).inner_text()
    assert "99,00" in page.get_by_test_id("session-tarifs").inner_text()
    closes = closes_at_for(new_date)
    assert f"{closes.day} " in page.get_by_test_id("cloture").inner_text()
    assert Session.objects.get(pk=session.pk).closes_at == closes

    # Two candidates enrolled: places cannot go below 2, the tarif is fixed.
    InscriptionFactory(session=session)
    InscriptionFactory(session=session)
    page.get_by_role("link", name="Modifier la session").click()
    page.get_by_test_id("tarifs-figes").get_by_text("2 candidats sont déjà inscrits").wait_for()
    assert page.get_by_label("Tarif unique (€)").count() == 0
    page.get_by_label("Nombre de places disponibles").fill("1")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    # The error shows twice: in the summary at the top (a link to the field) and under the field itself.
    error = page.get_by_text("Le nombre de places ne peut pas descendre à 1 : 2 places sont déjà prises")
    error.first.wait_for()
    assert error.count() == 2
    assert Session.objects.get(pk=session.pk).nb_places == 25
    page.get_by_label("Nombre de places disponibles").fill("2")
    page.get_by_role("button", name="Enregistrer les modifications").click()
    page.get_by_text("Places : 25 → 2").first.wait_for()
    assert page.get_by_test_id("places").inner_text().startswith("2 inscrits sur 2 places")


def test_a_closed_sessions_forms_are_shown_disabled_with_the_reason(page):
    centre = CentreFactory(nom="Alliance Française de Test")
    MembershipFactory(centre=centre, role=Role.ADMINISTRATIF, user__email="admin@test.test")
    produit = ProduitFactory(nom="TEF IRN", modulaire=False)
    # Tomorrow's session: enrolments closed yesterday at 00:00 (Paris), the beat job has not run yet.
    session = SessionFactory(centre=centre, produit=produit, date=timezone.localdate() + dt.timedelta(days=1))
    add_session_tarifs(session, Decimal("95.00"))
    closes = timezone.localtime(session.closes_at)
    reason = (
        f"Les inscriptions de la session {session.numero} sont closes depuis le {closes:%d/%m/%Y} à 00h00"
    )
    pre = PreInscription.objects.create(
        centre=centre, session=session, nom="Diallo", prenom="Awa", email="awa@x.test"
    )

    log_in(page, "admin@test.test")

    page.goto(reverse("candidats:inscrire", args=[session.numero]))
    page.get_by_test_id("enrolment-closed").get_by_text(reason).wait_for()
    assert page.locator("input[name=nom]").is_disabled()
    assert page.get_by_role("button", name="Inscrire", exact=True).is_disabled()
    assert page.get_by_role("button", name="Inscrire et saisir un autre candidat").is_disabled()

    page.goto(reverse("candidats:import", args=[session.numero]))
    page.get_by_test_id("enrolment-closed").get_by_text(reason).wait_for()
    assert page.get_by_role("button", name="Vérifier le fichier").is_disabled()
    assert page.locator("input[type=file]").is_disabled()

    page.goto(reverse("candidats:pre_inscriptions"))
    page.get_by_role("link", name="Transférer").click()
    page.get_by_test_id("wished-closed").get_by_text(reason).wait_for()
    page.get_by_test_id("transfer-closed").wait_for()
    assert page.get_by_label("Session").is_disabled()
    assert page.get_by_role("button", name="Transférer").is_disabled()
    assert PreInscription.objects.get(pk=pre.pk).statut == PreInscription.Statut.A_TRAITER
