"""Recherche (header box): sessions by number, candidates by name / enrolment number / e-mail, within the
current centre only; paginated; a bounded number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CandidatFactory, InscriptionFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(centre_a, centre_b):
    session = SessionFactory(centre=centre_a)
    asmaa = InscriptionFactory(
        session=session,
        candidat=CandidatFactory(centre=centre_a, nom="Bouiri", prenom="Asmaa", email="asmaa@x.test"),
    )
    other_session = SessionFactory(centre=centre_b)
    other = InscriptionFactory(
        session=other_session,
        candidat=CandidatFactory(centre=centre_b, nom="Bouiri", prenom="Nadia", email="nadia@x.test"),
    )
    return {"session": session, "asmaa": asmaa, "other_session": other_session, "other": other}


def search(client, q, **params):
    return client.get(reverse("recherche"), {"q": q, **params})


def test_the_header_box_targets_the_search_page(client, responsable):
    client.force_login(responsable)
    content = client.get(reverse("dashboard")).content.decode()
    assert f'action="{reverse("recherche")}"' in content


def test_a_session_by_its_number_in_this_centre_only(client, responsable, data):
    client.force_login(responsable)
    page = search(client, str(data["session"].numero))
    assert [s.numero for s in page.context["sessions"]] == [data["session"].numero]
    assert data["session"].label in page.content.decode()
    assert search(client, str(data["other_session"].numero)).context["sessions"] == []


@pytest.mark.parametrize("q", ["bouiri", "Asmaa", "asmaa BOUIRI", "asmaa@x.test", "ASMAA@X"])
def test_a_candidate_by_name_or_email(client, responsable, data, q):
    client.force_login(responsable)
    page = search(client, q)
    assert [i.pk for i in page.context["page"]] == [data["asmaa"].pk]
    assert "Nadia" not in page.content.decode()


def test_a_candidate_by_enrolment_number(client, responsable, data):
    client.force_login(responsable)
    assert [i.pk for i in search(client, str(data["asmaa"].numero)).context["page"]] == [data["asmaa"].pk]
    assert list(search(client, str(data["other"].numero)).context["page"]) == []


def test_an_empty_query_and_a_payload(client, responsable, data):
    client.force_login(responsable)
    assert "Saisissez un numéro de session" in search(client, "").content.decode()
    content = search(client, "<script>alert(1)</script>").content.decode()
    assert "<script>alert(1)" not in content and "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "Aucun candidat trouvé." in content


def test_results_are_paginated_and_queries_bounded(client, responsable, centre_a):
    session = SessionFactory(centre=centre_a)

    def count(q):
        with CaptureQueriesContext(connection) as queries:
            page = search(client, q)
        return page, len(queries)

    client.force_login(responsable)
    search(client, "x")
    InscriptionFactory(session=session, candidat=CandidatFactory(centre=centre_a, nom="Martin"))
    _, with_one = count("martin")
    for _ in range(44):
        InscriptionFactory(session=session, candidat=CandidatFactory(centre=centre_a, nom="Martin"))
    page, with_45 = count("martin")
    assert page.context["page"].paginator.count == 45 and len(page.context["page"]) == 20
    assert "page=2" in page.content.decode() and "q=martin" in page.content.decode()
    assert with_one == with_45 <= 12


@pytest.fixture
def accented(centre_a):
    session = SessionFactory(centre=centre_a)
    people = {
        "lefevre": CandidatFactory(centre=centre_a, nom="Lefèvre", prenom="Anaïs"),
        "lefevre_plain": CandidatFactory(centre=centre_a, nom="LEFEVRE", prenom="Jean"),
        "garcia": CandidatFactory(centre=centre_a, nom="García", prenom="Noémie"),
        "other": CandidatFactory(centre=centre_a, nom="Martin", prenom="Paul"),
    }
    return {key: InscriptionFactory(session=session, candidat=c) for key, c in people.items()}


@pytest.mark.parametrize(
    "q, expected",
    [
        ("lefèvre", {"lefevre", "lefevre_plain"}),
        ("LEFEVRE", {"lefevre", "lefevre_plain"}),
        ("Lefèvre", {"lefevre", "lefevre_plain"}),
        ("garcia", {"garcia"}),
        ("GARCÍA", {"garcia"}),
        ("anais", {"lefevre"}),
        ("noemie garcia", {"garcia"}),
        ("le\u200bfèvre", {"lefevre", "lefevre_plain"}),  # a zero-width space pasted into the box
    ],
)
def test_names_are_found_whatever_the_case_and_accents_on_every_database(
    client, responsable, accented, q, expected
):
    """The same results on SQLite and PostgreSQL: both compare the folded copies (core.text.fold)."""
    client.force_login(responsable)
    found = {i.pk for i in search(client, q).context["page"]}
    assert found == {accented[key].pk for key in expected}
    listed = client.get(reverse("candidats:inscriptions"), {"q": q}).context["page"].object_list
    assert {i.pk for i in listed} == {accented[key].pk for key in expected}


def test_a_renamed_candidate_is_found_by_the_new_name(client, responsable, accented):
    candidat = accented["other"].candidat
    candidat.nom = "Müller"
    candidat.save()
    client.force_login(responsable)
    assert [i.pk for i in search(client, "muller").context["page"]] == [accented["other"].pk]
