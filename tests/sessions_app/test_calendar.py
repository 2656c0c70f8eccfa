"""Sessions → Calendrier (month view) and the private iCalendar feed."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from centres.roles import Role
from sessions_app import calendar
from sessions_app.models import JetonCalendrier, SessionStatus
from tests.factories import InscriptionFactory, MembershipFactory, SessionFactory

MONTH = timezone.localdate().replace(day=1)


def test_the_month_shows_the_centres_sessions_with_places_left(
    client, responsable, centre_a, centre_b, django_assert_max_num_queries
):
    session = SessionFactory(centre=centre_a, date=MONTH + dt.timedelta(days=10), nb_places=12)
    InscriptionFactory(session=session)
    InscriptionFactory(session=session, virtuel=True)
    cancelled = SessionFactory(
        centre=centre_a, date=MONTH + dt.timedelta(days=11), statut=SessionStatus.ANNULEE
    )
    other = SessionFactory(centre=centre_b, date=MONTH + dt.timedelta(days=10))
    client.force_login(responsable)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("sessions:calendrier"), {"mois": MONTH.strftime("%Y-%m")})
    html = response.content.decode()
    assert reverse("sessions:detail", args=[session.numero]) in html
    assert "11 places restantes / 12" in html
    assert "Inscriptions ouvertes" in html and "Annulée" in html
    assert reverse("sessions:detail", args=[cancelled.numero]) in html
    assert str(other.numero) not in html
    assert calendar.month_title(MONTH) in html
    nxt = calendar.shift_month(MONTH, 1).strftime("%Y-%m")
    assert f"?mois={nxt}" in html


def test_a_bad_month_shows_the_current_one(client, responsable):
    client.force_login(responsable)
    response = client.get(reverse("sessions:calendrier"), {"mois": "pas-un-mois"})
    assert response.context["month"] == MONTH


def test_the_feed_lists_the_sessions_of_the_users_active_centres(client, responsable, centre_a, centre_b):
    mine = SessionFactory(centre=centre_a)
    theirs = SessionFactory(centre=centre_b)
    token = calendar.token_for(responsable)
    client.logout()
    response = client.get(reverse("calendrier_ics", args=[token.jeton]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    uids = {str(e["uid"]) for e in events}
    assert uids == {f"session-{mine.numero}@portail-centres"}
    assert f"session-{theirs.numero}" not in response.content.decode()
    assert "places restantes sur" in str(events[0]["description"])


def test_a_second_centre_membership_adds_its_sessions_an_inactive_one_does_not(responsable, centre_b):
    other = SessionFactory(centre=centre_b)
    membership = MembershipFactory(centre=centre_b, user=responsable, role=Role.ADMINISTRATIF)
    assert f"session-{other.numero}@" in calendar.feed(responsable).decode()
    membership.is_active = False
    membership.save()
    assert f"session-{other.numero}@" not in calendar.feed(responsable).decode()


def test_an_unknown_or_revoked_token_answers_404(client, responsable):
    old = calendar.token_for(responsable)
    assert client.get(reverse("calendrier_ics", args=["inconnu"])).status_code == 404
    client.force_login(responsable)
    response = client.post(reverse("sessions:calendrier_renouveler"))
    assert response.status_code == 302
    new = JetonCalendrier.objects.actifs().get(user=responsable)
    assert new.jeton != old.jeton
    client.logout()
    assert client.get(reverse("calendrier_ics", args=[old.jeton])).status_code == 404
    assert client.get(reverse("calendrier_ics", args=[new.jeton])).status_code == 200


def test_a_deactivated_user_s_feed_answers_404(client, responsable):
    token = calendar.token_for(responsable)
    responsable.is_active = False
    responsable.save()
    assert client.get(reverse("calendrier_ics", args=[token.jeton])).status_code == 404


def test_the_calendar_page_shows_the_users_own_address(client, responsable, administratif):
    client.force_login(responsable)
    html = client.get(reverse("sessions:calendrier")).content.decode()
    assert calendar.token_for(responsable).jeton in html
    assert calendar.token_for(administratif).jeton not in html
    assert "Révoquer et créer une nouvelle adresse" in html
