"""Mon centre → Barèmes: the tables in force at a date, with their source, read-only for every centre user."""

import datetime as dt

import pytest
from django.urls import reverse

from tarifs.models import Seuil, TableNiveaux
from tests.factories import epreuve

pytestmark = pytest.mark.django_db
URL = reverse("tarifs:baremes")


def test_anonymous_goes_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_menu_of_mon_centre_links_to_the_page(client, responsable):
    client.force_login(responsable)
    assert f'href="{URL}"' in client.get(reverse("dashboard")).content.decode()


def test_table_c_is_shown_with_its_source_after_10_december_2023(
    client, evaluateur, administratif, django_assert_max_num_queries
):
    client.force_login(administratif)
    with django_assert_max_num_queries(14):
        response = client.get(URL, {"date": "2024-06-01"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tables en vigueur le 01/06/2024" in page
    assert "Seuils NCLC — CE — Table C (IRCC)" in page
    assert "Depuis le 11/12/2023" in page and "deux transcriptions concordantes" in page
    assert "Table B" not in page and "Table A" not in page
    # The NCLC row and the minimum scores, highest level first.
    assert "<td>10</td><td>9</td><td>8</td><td>7</td><td>6</td><td>5</td><td>4</td>" in page
    assert "<td>546</td><td>503</td><td>462</td><td>434</td><td>393</td><td>352</td><td>306</td>" in page
    assert (
        "<td>556</td><td>518</td><td>494</td><td>456</td><td>422</td><td>387</td><td>328</td>" in page
    )  # EO
    assert "Aucun barème publié à cette date : le FDA le saisira." in page  # DFP


@pytest.mark.parametrize(
    "day, shown, max_ce",
    [
        ("2019-09-30", "Table A (IRCC, ancienne échelle)", "0 – 300"),
        ("2019-10-01", "Table B (IRCC)", "0 – 699"),
        ("2023-12-10", "Table B (IRCC)", "0 – 699"),
        ("2023-12-11", "Table C (IRCC)", "0 – 699"),
    ],
)
def test_the_tables_follow_the_chosen_date(client, responsable, day, shown, max_ce):
    client.force_login(responsable)
    page = client.get(URL, {"date": day}).content.decode()
    tefcan = page[page.index('data-testid="bareme-TEFCAN"') : page.index('data-testid="bareme-TEFAQ"')]
    assert shown in tefcan and max_ce in tefcan


def test_tef_irn_before_april_2025_shows_its_overall_rule(client, responsable):
    client.force_login(responsable)
    page = client.get(URL, {"date": "2025-03-31"}).content.decode()
    assert "0 – 349" in page
    assert "<strong>B1</strong> : chaque épreuve ≥ 268 et au moins 3 épreuves ≥ 301" in page
    after = client.get(URL, {"date": "2025-04-01"}).content.decode()
    irn = after[after.index('data-testid="bareme-TEFIRN"') :]
    assert "Aucun barème publié à cette date" in irn[: irn.index("</section>")]


def test_a_demo_table_is_marked_and_a_wrong_date_falls_back_to_today(client, responsable):
    from tarifs.models import Produit

    table = TableNiveaux.objects.create(
        produit=Produit.objects.get(code="TEFAQ"),
        epreuve=epreuve("CO"),
        nature="cecrl",
        source="démo",
        demo=True,
    )
    Seuil.objects.create(table=table, score_min=0, valeur="A1")
    client.force_login(responsable)
    response = client.get(URL, {"date": "pas-une-date"}, follow=True)
    page = response.content.decode()
    assert "« pas-une-date » n&#x27;est pas une date" in page
    assert f"Tables en vigueur le {dt.date.today():%d/%m/%Y}" in page
    assert "Seuils CECRL — CO" in page and "Démonstration" in page
