"""The back office goes through the results service, clicked by an FDA agent: a score above the scale's
maximum, typed in the "Résultats" lines of an enrolment, is refused with a French error (no server error)
and nothing is saved; the right score is saved with its level read from the scale."""

import datetime as dt

from candidats.models import Resultat
from sessions_app.models import SessionStatus
from tests.admin_auth import admin_log_in
from tests.factories import (
    CentreFactory,
    InscriptionFactory,
    ProduitFactory,
    StaffFactory,
    epreuve,
    past_session,
)
from tests.sessions_app.test_results import scale


def test_an_fda_agent_enters_a_score_in_the_enrolment_and_the_service_checks_it(page):
    StaffFactory(email="charge@fda.test", is_superuser=True)
    produit = ProduitFactory(nom="TEF Canada", codes_epreuves=["CE", "CO"])
    for code in ("CE", "CO"):
        scale(produit, code, dt.date(2000, 1, 1), 699, [(0, "< A1"), (100, "A1"), (349, "B2")])
    inscription = InscriptionFactory(
        session=past_session(CentreFactory(), produit=produit, statut=SessionStatus.CORRECTION)
    )

    admin_log_in(page, "charge@fda.test")
    page.goto(f"/admin/candidats/inscription/{inscription.pk}/change/")
    page.get_by_text("Ajouter un objet Résultat supplémentaire").click()
    page.locator("#id_resultats-0-epreuve").select_option(value=str(epreuve("CE").pk))
    page.locator("#id_resultats-0-score").fill("700")
    page.locator("input[name=_save]").click()
    page.get_by_text("le score 700 doit être compris entre 0 et 699").wait_for()
    assert not Resultat.objects.exists()

    page.locator("#id_resultats-0-score").fill("350")
    page.locator("input[name=_save]").click()
    page.get_by_text("a été modifié avec succès").wait_for()
    resultat = Resultat.objects.get()
    assert (resultat.score, resultat.niveau_cecrl, resultat.score_max) == (350, "B2", 699)
