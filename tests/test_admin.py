"""Every back-office page of every registered model answers, and list pages run a bounded number
of queries (no N+1 whatever the data size)."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from candidats.models import Inscription
from centres.models import User
from demandes.models import Demande
from messagerie.models import Conversation
from sessions_app.models import Session
from tests.admin_auth import admin_force_login


@pytest.fixture
def superuser(db):
    call_command("demo_data", stdout=open("/dev/null", "w"))
    return User.objects.get(email="admin@fda.test")


@pytest.fixture
def admin_client(client, superuser):
    return admin_force_login(client, superuser)


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_admin_page_answers(admin_client, superuser):
    request = RequestFactory().get("/")
    request.user = superuser
    failures = []
    checked = 0
    for model, model_admin in admin.site._registry.items():
        pages = [url(model, "changelist"), url(model, "changelist") + "?q=7000001"]
        if model_admin.has_add_permission(request):
            pages.append(url(model, "add"))
        obj = model.objects.first()
        if obj is not None:
            pages.append(url(model, "change", obj.pk))
        for page in pages:
            response = admin_client.get(page)
            checked += 1
            if response.status_code != 200:
                failures.append((page, response.status_code))
    assert not failures
    assert checked > 60


def test_admin_index_and_titles(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Portail centres — Back office FDA" in response.content.decode()


@pytest.mark.parametrize("model", [Session, Inscription, Demande, Conversation])
def test_changelists_run_a_bounded_number_of_queries(admin_client, django_assert_max_num_queries, model):
    with django_assert_max_num_queries(25):
        response = admin_client.get(url(model, "changelist"))
    assert response.status_code == 200


def test_status_is_read_only(admin_client):
    session = Session.objects.first()
    response = admin_client.get(url(Session, "change", session.pk))
    form = response.context["adminform"].form
    assert "statut" not in form.fields
    assert "numero" not in form.fields
    demande = Demande.objects.first()
    response = admin_client.get(url(Demande, "change", demande.pk))
    assert "statut" not in response.context["adminform"].form.fields
