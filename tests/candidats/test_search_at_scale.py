"""Toutes les inscriptions, searched by name at national scale (make bench): the search starts from the
centre's own candidates, so it stays fast and never shows another centre's."""

import os

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import CandidatFactory, InscriptionFactory, SessionFactory


def enrol(session, n, nom):
    for i in range(n):
        candidat = CandidatFactory(centre=session.centre, nom=nom, prenom=f"Prénom{i}")
        InscriptionFactory(session=session, candidat=candidat)


def test_it_finds_the_centres_candidates_and_none_of_another_centre(logged, session_a, centre_b):
    enrol(session_a, 2, "Faure")
    enrol(SessionFactory(centre=centre_b), 3, "Faure")
    response = logged.get(reverse("candidats:inscriptions"), {"q": "faure"})
    assert response.status_code == 200
    shown = list(response.context["page"].object_list)
    assert len(shown) == 2
    assert {i.session.centre_id for i in shown} == {session_a.centre_id}


def test_every_word_must_match_a_name_or_the_email(logged, session_a):
    enrol(session_a, 1, "Faure")
    candidat = CandidatFactory(centre=session_a.centre, nom="Faure", prenom="Marie")
    InscriptionFactory(session=session_a, candidat=candidat)
    response = logged.get(reverse("candidats:inscriptions"), {"q": "marie faure"})
    assert [i.candidat_id for i in response.context["page"].object_list] == [candidat.pk]


@pytest.mark.parametrize("n", [2, 40])
def test_the_search_runs_the_same_queries_for_few_and_many_rows(
    logged, session_a, n, django_assert_max_num_queries
):
    enrol(session_a, n, "Faure")
    with django_assert_max_num_queries(12):
        response = logged.get(reverse("candidats:inscriptions"), {"q": "faure"})
    assert response.context["page"].paginator.count == n


@pytest.mark.postgres
def test_postgresql_has_the_trigram_index_of_the_centres_candidates(db):
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI: ce test exige PostgreSQL")
        pytest.skip("PostgreSQL requis (index trigramme)")
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'candidats_candidat_recherche_trgm'")
        (definition,) = cur.fetchone()
    assert "gin_trgm_ops" in definition and "centre_id" in definition
