"""The Tableau de résultats of a full session (make bench): 50 candidates a page, the same queries for
few and many candidates; the Excel export still has everyone."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sessions_app.models import SessionStatus
from tests.factories import InscriptionFactory, SessionFactory


def published_session(centre, n):
    session = SessionFactory(centre=centre, statut=SessionStatus.RESULTATS)
    for _ in range(n):
        InscriptionFactory(session=session)
    return session


def test_a_session_of_sixty_shows_fifty_candidates_then_ten(logged, centre_a):
    session = published_session(centre_a, 60)
    url = reverse("sessions:resultats", args=[session.numero])
    first = logged.get(url)
    assert len(first.context["page"].object_list) == 50
    assert "1–50 sur 60" in first.content.decode()
    second = logged.get(url, {"page": 2})
    assert len(second.context["page"].object_list) == 10
    export = logged.get(reverse("sessions:resultats_export", args=[session.numero]))
    sheet = load_workbook(io.BytesIO(export.content)).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(numbers) == 60


@pytest.mark.parametrize("n", [2, 60])
def test_the_page_runs_the_same_queries_for_few_and_many_candidates(
    logged, centre_a, n, django_assert_max_num_queries
):
    session = published_session(centre_a, n)
    # 14 + 1 for the attestations' progress (one aggregate, whatever the session's size).
    with django_assert_max_num_queries(15):
        response = logged.get(reverse("sessions:resultats", args=[session.numero]))
    assert response.status_code == 200
