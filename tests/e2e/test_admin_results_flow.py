"""The back office goes through the results service, clicked by an FDA agent: a score above the scale's
maximum, typed in the "Résultats" lines of an enrolment, is refused with a French error (no server error)
and nothing is saved; the right score is saved with its level read from the scale."""

from candidats.models import Resultat
from sessions_app.models import SessionStatus
from tarifs.models import Produit
from tests.admin_auth import admin_log_in
from tests.factories import (
    CentreFactory,
    InscriptionFactory,
    StaffFactory,
    epreuve,
    past_session,
)


def test_an_fda_agent_enters_a_score_in_the_enrolment_and_the_service_checks_it(page):
    StaffFactory(email="charge@fda.test", is_superuser=True)
    # The catalogue's TEF Canada with its published tables (tarifs/0003_reference_data): CE 350 is NCLC 4
    # on table C; no CECRL table is published.
    produit = Produit.objects.get(code="TEFCAN")
    inscription = InscriptionFactory(
        session=past_session(CentreFactory(), produit=produit, statut=SessionStatus.CORRECTION)
    )

    admin_log_in(page, "charge@fda.test")
    page.goto(f"/admin/candidats/inscription/{inscription.pk}/change/")
    page.get_by_text("Ajouter un objet Résultat supplémentaire").click()
    page.locator("#id_resultats-0-epreuve").select_option(value=str(epreuve("CE").pk))
    page.locator("#id_resultats-0-score").fill("700")
    page.locator("input[name=_save]").click()
    page.get_by_text("Le score 700 de l'épreuve CE doit être compris entre 0 et 699").wait_for()
    assert not Resultat.objects.exists()

    page.locator("#id_resultats-0-score").fill("350")
    page.locator("input[name=_save]").click()
    page.get_by_text("a été modifié avec succès").wait_for()
    resultat = Resultat.objects.get()
    assert (resultat.score, resultat.niveau_cecrl, resultat.nclc, resultat.score_max) == (350, "", 4, 699)
