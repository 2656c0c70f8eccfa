"""Hostile query strings on every URL pattern of the portal (the URL resolver walked, nothing listed by hand):
NUL, a 10,000-character string, bidi overrides, a lone surrogate as raw UTF-8 bytes (%ED%A0%80), emoji,
superscript and Arabic digits and a 30-digit number, in every GET parameter a page reads (those named in the
code and those of the page's own GET forms), logged in as a Responsable and anonymously: no server error.
Control characters are answered 400 with a French message (core.middleware); the rest is read as text."""

import itertools
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from candidats.models import DemandeContact, PreInscription
from centres.models import Visibilite
from messagerie import services as messagerie
from tests.cache import clear_own_cache
from tests.factories import CandidatFactory, InscriptionFactory, SessionFactory, past_session

pytestmark = pytest.mark.django_db

# Raw, already percent-encoded: the lone surrogate cannot be written as a Python str the client would encode.
PAYLOADS = {
    "nul": "%00",
    "control characters": "a%01%1B%7Fb",
    "10,000 characters": "a" * 10_000,
    "10,000 digits": "9" * 10_000,
    "bidi override": quote("\u202eLefèvre\u202d\u2066x\u2069"),
    "lone surrogate": "%ED%A0%80",
    "emoji": quote("😀🇫🇷👩‍👩‍👧"),
    "odd digits": quote("²٣") + "%20" + "9" * 30,
    "negative": "-1",
}
# Every parameter the code reads from request.GET, and the filter forms' fields.
KNOWN = {
    "q",
    "page",
    "session",
    "nouvelle",
    "statut",
    "produit",
    "du",
    "au",
    "tri",
    "type",
    "gamme",
    "modulaire",
}
KNOWN |= {"next", "date", "o", "p", "e", "all", "_changelist_filters", "format"}
GET_FORM = re.compile(r"<form[^>]*method=\"get\"[^>]*>(.*?)</form>", re.S | re.I)
NAME = re.compile(r'name="([^"]+)"')


def url_patterns(patterns=None, namespace="", converters=None):
    """(name, {kwarg: converter}) of every named pattern, namespaces included."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        own = dict(getattr(pattern.pattern, "converters", {}))
        groups = {name: None for name in pattern.pattern.regex.groupindex}
        found = {**(converters or {}), **groups, **own}
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, inner, found)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", found


@pytest.fixture
def world(centre_a, responsable):
    centre_a.visibilite = Visibilite.AVEC_SESSIONS
    centre_a.save()
    session = SessionFactory(centre=centre_a, afficher_en_ligne=True)
    passed = past_session(centre_a)
    inscription = InscriptionFactory(session=passed, candidat=CandidatFactory(centre=centre_a, nom="Lefèvre"))
    pre = PreInscription.objects.create(
        centre=centre_a, session=session, nom="N", prenom="A", email="a@x.test"
    )
    contact = DemandeContact.objects.create(
        centre=centre_a, nom="N", prenom="A", email="a@x.test", message="m"
    )
    conversation = messagerie.start_conversation(
        centre=centre_a, by=responsable, titre="Question", body="Bonjour"
    )
    ints = [session.numero, passed.numero, inscription.numero, pre.pk, contact.pk, conversation.pk, 1]
    return {"ints": ints, "strings": [centre_a.code, str(inscription.candidat_id), "photo", "x"]}


def concrete_urls(world, client):
    """For each pattern, the first set of values that answers something else than 404 to a plain GET."""
    urls = []
    for name, kwargs in url_patterns():
        choices = [
            world["ints"] if isinstance(converter, IntConverter) else world["strings"]
            for converter in kwargs.values()
        ]
        chosen = None
        for values in itertools.islice(itertools.product(*choices), 60):
            try:
                url = reverse(name, kwargs=dict(zip(kwargs, values, strict=True)))
            except Exception:
                continue
            chosen = chosen or url
            if client.get(url).status_code != 404:
                chosen = url
                break
        if chosen:
            urls.append(chosen)
    return urls


def parameters(client, url) -> set[str]:
    page = client.get(url)
    names = set(KNOWN)
    if page.status_code == 200 and "html" in page.get("Content-Type", ""):
        for form in GET_FORM.findall(page.content.decode(errors="replace")):
            names |= set(NAME.findall(form))
    return names


@pytest.mark.parametrize("who", ["responsable", "anonyme"])
def test_no_hostile_query_string_makes_a_server_error(world, responsable, who):
    client = Client(raise_request_exception=False)
    if who == "responsable":
        client.force_login(responsable)
    urls = concrete_urls(world, client)
    assert len(urls) > 80  # the whole portal, back office included
    errors = []
    for url in urls:
        names = sorted(parameters(client, url))
        for label, payload in PAYLOADS.items():
            clear_own_cache()  # the public throttle counts POSTs only, but stay clean
            query = "&".join(f"{name}={payload}" for name in names)
            response = client.get(f"{url}?{query}")
            if response.status_code >= 500:
                errors.append((url, label, response.status_code))
            if label in ("nul", "control characters"):
                assert response.status_code == 400, (url, label, response.status_code)
    assert errors == []


def test_a_nul_in_the_search_is_answered_400_in_french(client):
    response = client.get("/recherche/?q=%00")
    assert response.status_code == 400
    assert "caractères de contrôle" in response.content.decode()
    api = client.get("/api/v1/sessions/?date=%00")
    assert api.status_code == 400 and api.json()["code"] == "bad_request"


def test_a_path_with_control_characters_names_no_page(client):
    assert client.get("/preinscription/centre/A%00B/").status_code == 404
    api = client.put("/api/v1/inscriptions/2000001/%60%04%21/")  # drawn once by the schema test
    assert api.status_code == 404 and api.json() == {"code": "not_found", "message": "Introuvable."}
