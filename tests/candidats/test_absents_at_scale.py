"""Déclarer les absents for a 300-candidate session (make bench): one cell per épreuve computed in the
view, the same queries whatever the number of candidates."""

import pytest
from django.urls import reverse

from candidats.models import InscriptionEpreuve
from tests.factories import CandidatFactory, InscriptionFactory


def test_each_taken_epreuve_has_its_box_checked_when_absent(logged, session_canada):
    absent = InscriptionFactory(session=session_canada)
    partial = InscriptionFactory(session=session_canada)
    first, *_ = absent.epreuves.order_by("epreuve__ordre")
    InscriptionEpreuve.objects.filter(pk=first.pk).update(absent=True)
    partial.epreuves.filter(epreuve=first.epreuve).delete()
    html = logged.get(reverse("candidats:absents", args=[session_canada.numero])).content.decode()
    assert (
        f'value="{absent.pk}:{first.epreuve_id}" aria-label="{absent.candidat} absent(e) à {first.epreuve.code}" checked'
        in html
    )
    assert f'value="{partial.pk}:{first.epreuve_id}"' not in html  # not taken: no box
    boxes = html.count('name="absent"')
    assert boxes == 2 * session_canada.produit.epreuves.count() - 1


@pytest.mark.parametrize("n", [2, 40])
def test_the_page_runs_the_same_queries_for_few_and_many_candidates(
    logged, session_canada, n, django_assert_max_num_queries
):
    for _ in range(n):
        InscriptionFactory(session=session_canada)
    with django_assert_max_num_queries(14):
        response = logged.get(reverse("candidats:absents", args=[session_canada.numero]))
    assert response.status_code == 200


def test_a_non_modular_product_has_one_box_per_candidate_checked_when_absent(logged, session_irn):
    absent = InscriptionFactory(session=session_irn)
    present = InscriptionFactory(session=session_irn)
    absent.epreuves.update(absent=True)
    first = session_irn.produit.epreuves.order_by("ordre", "code").first()
    html = logged.get(reverse("candidats:absents", args=[session_irn.numero])).content.decode()
    assert html.count('name="absent"') == 2
    assert f'value="{absent.pk}:{first.pk}" aria-label="{absent.candidat} absent(e)" checked' in html
    assert f'value="{present.pk}:{first.pk}" aria-label="{present.candidat} absent(e)">' in html


def test_a_name_with_markup_is_shown_as_text(logged, session_canada):
    inscription = InscriptionFactory(
        session=session_canada, candidat=CandidatFactory(centre=session_canada.centre, nom='<b>"Nom"</b>')
    )
    html = logged.get(reverse("candidats:absents", args=[session_canada.numero])).content.decode()
    assert "<b>" not in html
    assert (
        f'aria-label="{inscription.candidat.prenom} &lt;B&gt;&quot;NOM&quot;&lt;/B&gt; absent(e) à CE"'
        in html
    )
