"""The sessions list at national scale (make bench): places taken counted per shown session, the same
queries for few and many sessions."""

import pytest
from django.urls import reverse

from candidats.models import InscriptionStatus
from tests.factories import InscriptionFactory, SessionFactory


@pytest.mark.parametrize("n", [2, 30])
def test_the_list_runs_the_same_queries_for_few_and_many_sessions(
    logged, centre_a, n, django_assert_max_num_queries
):
    for _ in range(n):
        InscriptionFactory(session=SessionFactory(centre=centre_a))
    with django_assert_max_num_queries(12):
        response = logged.get(reverse("sessions:list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == n


def test_places_taken_count_active_enrolments_only(logged, centre_a):
    session = SessionFactory(centre=centre_a)
    InscriptionFactory(session=session)
    InscriptionFactory(session=session)
    InscriptionFactory(session=session, statut=InscriptionStatus.ANNULE)
    InscriptionFactory(session=session, virtuel=True)
    empty = SessionFactory(centre=centre_a)
    response = logged.get(reverse("sessions:list"))
    taken = {s.numero: s.nb_inscrits for s in response.context["page"].object_list}
    assert taken == {session.numero: 2, empty.numero: 0}
