"""Issue 19, « closed means closed »: the enrolment, import and transfer forms of a session that takes no
enrolment are shown disabled with the reason and the closing date (sessions_app.services
.enrolment_closed_reason, the one rule), and their POST is still refused."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from candidats.models import Inscription, PreInscription
from sessions_app.models import SessionStatus
from tests.candidats.conftest import eps
from tests.candidats.test_views import FORM
from tests.factories import SessionFactory

DISABLED_FIELDSET = re.compile(r"<fieldset disabled>")
DISABLED_SUBMIT = re.compile(r'<button type="submit"[^>]*\bdisabled>')


@pytest.fixture
def staff(client, administratif):
    client.force_login(administratif)
    return client


@pytest.fixture
def closed_by_d2(session_canada):
    """Tomorrow's session: its D-2 instant (yesterday at 00:00, Paris) has passed, its status is still open."""
    session_canada.date = timezone.localdate() + dt.timedelta(days=1)
    session_canada.save()
    return session_canada


def page(client, name, session):
    response = client.get(reverse(name, args=[session.numero]))
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


@pytest.mark.parametrize("name", ["candidats:inscrire", "candidats:import"])
def test_a_session_past_its_closure_shows_the_form_disabled_with_the_date(staff, closed_by_d2, name):
    html = page(staff, name, closed_by_d2)
    closes = timezone.localtime(closed_by_d2.closes_at)
    assert (
        f"Les inscriptions de la session {closed_by_d2.numero} sont closes depuis le {closes:%d/%m/%Y} à 00h00"
        in html
    )
    assert DISABLED_FIELDSET.search(html) and DISABLED_SUBMIT.search(html)


@pytest.mark.parametrize("name", ["candidats:inscrire", "candidats:import"])
def test_a_cancelled_session_shows_the_form_disabled_with_its_status(staff, session_canada, name):
    session_canada.statut = SessionStatus.ANNULEE
    session_canada.save(update_fields=["statut"])
    html = page(staff, name, session_canada)
    assert f"La session {session_canada.numero} est « Annulée » : elle n'accepte plus d'inscription." in html
    assert DISABLED_FIELDSET.search(html) and DISABLED_SUBMIT.search(html)


@pytest.mark.parametrize("name", ["candidats:inscrire", "candidats:import"])
def test_an_open_session_shows_the_form_usable(staff, session_canada, name):
    html = page(staff, name, session_canada)
    assert "closes depuis" not in html and "n'accepte plus" not in html
    assert not DISABLED_FIELDSET.search(html) and not DISABLED_SUBMIT.search(html)


def test_the_enrolment_post_is_still_refused(staff, closed_by_d2):
    url = reverse("candidats:inscrire", args=[closed_by_d2.numero])
    response = staff.post(url, FORM | {"epreuves": [e.pk for e in eps("CE", "CO", "EE", "EO")]})
    assert "sont closes depuis le" in response.content.decode()
    assert not Inscription.objects.exists()


def test_another_centres_closed_session_answers_404(client, responsable_b, closed_by_d2):
    client.force_login(responsable_b)
    for name in ("candidats:inscrire", "candidats:import"):
        assert client.get(reverse(name, args=[closed_by_d2.numero])).status_code == 404


def pre_for(session):
    return PreInscription.objects.create(
        centre=session.centre, session=session, nom="Diallo", prenom="Awa", email="awa@x.test"
    )


def test_the_transfer_to_a_closed_session_is_disabled_when_no_other_session_can_take_it(staff, closed_by_d2):
    pre = pre_for(closed_by_d2)
    url = reverse("candidats:pre_inscription_transfer", args=[pre.pk])
    html = staff.get(url).content.decode().replace("&#x27;", "'")
    assert f"Session souhaitée {closed_by_d2.label} : Les inscriptions de la session" in html
    assert "le transfert est désactivé" in html
    assert DISABLED_FIELDSET.search(html) and DISABLED_SUBMIT.search(html)
    # Posted anyway: refused, nothing written.
    response = staff.post(url, {"session": closed_by_d2.pk, "epreuves": [e.pk for e in eps("CE")]})
    assert response.status_code == 200
    assert not Inscription.objects.exists()
    assert PreInscription.objects.get(pk=pre.pk).statut == PreInscription.Statut.A_TRAITER


def test_the_transfer_stays_usable_towards_another_open_session(staff, closed_by_d2, centre_a):
    other = SessionFactory(centre=centre_a, produit=closed_by_d2.produit)
    pre = pre_for(closed_by_d2)
    html = staff.get(reverse("candidats:pre_inscription_transfer", args=[pre.pk])).content.decode()
    html = html.replace("&#x27;", "'")
    assert "Choisissez une autre session ouverte." in html and other.label in html
    assert not DISABLED_FIELDSET.search(html) and not DISABLED_SUBMIT.search(html)


def test_the_pages_stay_within_their_query_budget(staff, closed_by_d2, django_assert_max_num_queries):
    for name in ("candidats:inscrire", "candidats:import"):
        with django_assert_max_num_queries(20):
            page(staff, name, closed_by_d2)
