import pytest
from django.urls import reverse

from centres.models import Centre, Visibilite

pytestmark = pytest.mark.django_db


def test_it_shows_the_fiche_of_the_current_centre(client, administratif, centre_a):
    client.force_login(administratif)
    page = client.get(reverse("centres:fiche")).content.decode()
    assert "Centre A" in page
    assert "Ne pas apparaître sur le site de pré-inscription" in page


@pytest.mark.parametrize("option", [v for v, _ in Visibilite.choices])
def test_the_responsable_sets_each_visibility_option(client, responsable, centre_a, option):
    client.force_login(responsable)
    response = client.post(
        reverse("centres:fiche_edit"),
        {"nom": "Centre A renommé", "pays": "FR", "visibilite": option, "telephone": "+33 1 23 45 67 89"},
    )
    assert response.status_code == 302
    centre_a.refresh_from_db()
    assert centre_a.nom == "Centre A renommé"
    assert centre_a.visibilite == option


def test_bad_input_changes_nothing_and_says_why(client, responsable, centre_a):
    client.force_login(responsable)
    response = client.post(
        reverse("centres:fiche_edit"),
        {"nom": "", "pays": "FR", "visibilite": "n-importe", "email": "pas-un-email"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ce champ est obligatoire." in page
    assert "Saisissez une adresse e-mail valide." in page
    assert Centre.objects.get(pk=centre_a.pk).nom == "Centre A"


def test_the_administratif_cannot_edit_the_fiche(client, administratif):
    client.force_login(administratif)
    assert client.post(reverse("centres:fiche_edit"), {"nom": "X"}).status_code == 403


def test_the_fiche_page_runs_a_bounded_number_of_queries(client, responsable, django_assert_max_num_queries):
    client.force_login(responsable)
    with django_assert_max_num_queries(8):
        client.get(reverse("centres:fiche"))


def test_the_responsable_sets_the_convocation_instructions_and_the_results_attachment(
    client, responsable, centre_a
):
    client.force_login(responsable)
    response = client.post(
        reverse("centres:fiche_edit"),
        {
            "nom": "Centre A",
            "pays": "FR",
            "visibilite": Visibilite.MASQUE,
            "telephone": "+33 1 23 45 67 89",
            "consignes_convocation": "Entrée par la cour, 30 minutes avant.",
            "attestation_avec_resultats": "on",
        },
    )
    assert response.status_code == 302
    centre_a.refresh_from_db()
    assert centre_a.consignes_convocation == "Entrée par la cour, 30 minutes avant."
    assert centre_a.attestation_avec_resultats is True
    page = client.get(reverse("centres:fiche")).content.decode()
    assert "Entrée par la cour, 30 minutes avant." in page and "avec l'attestation en pièce jointe" in page
