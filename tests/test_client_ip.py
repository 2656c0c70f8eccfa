"""One client address for every throttle (core.net.client_ip): X-Forwarded-For is believed only as far as the
TRUSTED_PROXY_COUNT proxies the deployment declares (0 by default: ignored). A throttled client that writes its
own X-Forwarded-For gets no fresh counter on the public site, the API token endpoint or the login lockout."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from candidats import public_views
from candidats.models import DemandeContact
from centres.models import Visibilite
from core.net import client_ip
from tests.cache import clear_own_cache
from tests.factories import PASSWORD, CentreFactory


@pytest.fixture(autouse=True)
def fresh_counters():
    clear_own_cache()
    yield
    clear_own_cache()


def forged(n: int) -> dict:
    return {"HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}


@pytest.mark.parametrize(
    "count, forwarded, expected",
    [
        (0, "203.0.113.7", "10.0.0.1"),  # ignored: the TCP peer
        (1, "203.0.113.7", "203.0.113.7"),  # one proxy: the address it appended
        (1, "198.51.100.9, 203.0.113.7", "203.0.113.7"),  # what the client wrote before it is ignored
        (2, "198.51.100.9, 203.0.113.7, 192.0.2.1", "203.0.113.7"),
        (2, "203.0.113.7", "203.0.113.7"),  # fewer addresses than proxies: the left-most
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_trusts_only_the_declared_proxies(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_the_public_site_throttle_ignores_a_forged_forwarded_for(client):
    CentreFactory(code="LYO01", visibilite=Visibilite.SANS_SESSIONS)
    url = reverse("public:contact", args=["LYO01"])
    data = {"nom": "M", "prenom": "L", "email": "l@x.test", "message": "m"}
    codes = [client.post(url, data, **forged(n)).status_code for n in range(public_views.THROTTLE_LIMIT + 3)]
    assert codes == [302] * public_views.THROTTLE_LIMIT + [429] * 3
    assert DemandeContact.objects.count() == public_views.THROTTLE_LIMIT


@pytest.mark.django_db
def test_behind_one_declared_proxy_each_client_has_its_own_counter(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    CentreFactory(code="LYO01", visibilite=Visibilite.SANS_SESSIONS)
    url = reverse("public:contact", args=["LYO01"])
    data = {"nom": "M", "prenom": "L", "email": "l@x.test", "message": "m"}
    for n in range(public_views.THROTTLE_LIMIT):
        # The client forges a left-hand address; the proxy appends the real one.
        client.post(url, data, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.1")
    assert client.post(url, data, HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.1").status_code == 429
    assert client.post(url, data, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 302


@pytest.mark.django_db
def test_the_api_token_throttle_ignores_a_forged_forwarded_for():
    codes = [
        APIClient()
        .post(reverse("api:token"), {"email": f"x{n}@y.test", "password": "x"}, format="json", **forged(n))
        .status_code
        for n in range(12)
    ]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]


@pytest.mark.django_db
def test_the_login_lockout_ignores_a_forged_forwarded_for(client, responsable, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(3):
        client.post(reverse("login"), {"username": "resp@a.test", "password": "faux"}, **forged(n))
    blocked = client.post(reverse("login"), {"username": "resp@a.test", "password": PASSWORD}, **forged(50))
    assert blocked.status_code == 429
