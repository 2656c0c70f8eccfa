"""The FDA back-office lists of requests at national scale (make bench): no sidebar listing every
centre, the same queries for few and many rows, a centre found by its code in the search box."""

import pytest
from django.urls import reverse

from core.models import next_number
from demandes.models import Demande, DemandeKind
from tests.admin_auth import admin_force_login
from tests.factories import CentreFactory, InscriptionFactory, SessionFactory, StaffFactory, conversation


@pytest.fixture
def admin_client(client, db):
    return admin_force_login(client, StaffFactory(is_superuser=True))


def demandes(n_centres, per_centre=1):
    centres = [CentreFactory() for _ in range(n_centres)]
    for centre in centres:
        session = SessionFactory(centre=centre)
        for _ in range(per_centre):
            Demande.objects.create(
                numero=next_number("demande"),
                kind=DemandeKind.REPORT,
                centre=centre,
                inscription=InscriptionFactory(session=session),
                description="Report demandé.",
            )
    return centres


@pytest.mark.parametrize("n", [2, 25])
def test_the_requests_list_runs_the_same_queries_for_few_and_many_centres(
    admin_client, n, django_assert_max_num_queries
):
    demandes(n)
    with django_assert_max_num_queries(14):
        response = admin_client.get(reverse("admin:demandes_demande_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == n
    assert "centre__id__exact" not in response.content.decode()  # no filter link per centre


@pytest.mark.parametrize("n", [2, 25])
def test_the_conversations_list_runs_the_same_queries_for_few_and_many_centres(
    admin_client, n, django_assert_max_num_queries
):
    for _ in range(n):
        conversation(CentreFactory())
    with django_assert_max_num_queries(14):
        response = admin_client.get(reverse("admin:messagerie_conversation_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == n
    assert "centre__id__exact" not in response.content.decode()


def test_a_centre_is_found_by_its_code_in_the_search_box(admin_client):
    wanted, *others = demandes(3, per_centre=2)
    response = admin_client.get(reverse("admin:demandes_demande_changelist"), {"q": wanted.code})
    shown = list(response.context["cl"].result_list)
    assert len(shown) == 2 and {d.centre_id for d in shown} == {wanted.pk}
