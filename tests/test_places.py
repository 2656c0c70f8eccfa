"""Places left: one definition (`InscriptionQuerySet.taking_place`, read through `Session.with_places()` /
`Session.places_restantes`) shown alike on every page that shows it, and the capacity check refuses at
exactly that number.

The session mixes everything that could be counted wrongly: real enrolments (one declared absent, one
re-enrolled here after a report), virtual candidates, a cancelled enrolment and one moved away by a
report. Eight places, four taken by real candidates: four left everywhere."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from candidats import services as enrolment
from candidats.models import InscriptionSource, InscriptionStatus, PreInscription
from centres.models import Visibilite
from core.errors import BusinessError
from demandes import services as demandes
from demandes.models import DemandeKind
from sessions_app.models import Session, SessionStatus
from tests.admin_auth import admin_force_login
from tests.cache import clear_own_cache
from tests.candidats.conftest import data
from tests.candidats.test_public import PRE
from tests.factories import (
    CentreFactory,
    InscriptionFactory,
    MembershipFactory,
    ProduitFactory,
    SessionFactory,
    StaffFactory,
    add_session_tarifs,
    past_session,
    uploaded_pdf,
)

PLACES = 8
TAKEN = 4
LEFT = PLACES - TAKEN


@pytest.fixture(autouse=True)
def empty_throttle():
    clear_own_cache()
    yield
    clear_own_cache()


@pytest.fixture
def centre(db):
    return CentreFactory(nom="Alliance de Dakar", code="DAK01", visibilite=Visibilite.AVEC_SESSIONS)


@pytest.fixture
def produit(db):
    return ProduitFactory(nom="TEF IRN", code="TEFIRN", modulaire=False)


@pytest.fixture
def session(centre, produit):
    """8 places; taken: 2 plain, 1 absent, 1 re-enrolled after a report = 4; not taken: 2 virtual,
    1 cancelled, 1 reported away."""
    session = SessionFactory(centre=centre, produit=produit, nb_places=PLACES, afficher_en_ligne=True)
    add_session_tarifs(session)
    InscriptionFactory.create_batch(2, session=session)
    absent = InscriptionFactory(session=session)
    absent.epreuves.update(absent=True)
    elsewhere = InscriptionFactory(session=SessionFactory(centre=centre, produit=produit))
    elsewhere.statut = InscriptionStatus.REPORTE
    elsewhere.save()
    InscriptionFactory(session=session, source=InscriptionSource.REPORT, reporte_depuis=elsewhere)
    InscriptionFactory.create_batch(2, session=session, virtuel=True, source=InscriptionSource.VIRTUEL)
    InscriptionFactory(session=session, statut=InscriptionStatus.ANNULE)
    InscriptionFactory(session=session, statut=InscriptionStatus.REPORTE)
    return session


@pytest.fixture
def responsable(centre):
    return MembershipFactory(centre=centre, role="responsable", user__email="resp@dakar.test").user


@pytest.fixture
def pre_inscription(centre, session):
    return PreInscription.objects.create(
        centre=centre,
        session=session,
        nom="Ndiaye",
        prenom="Awa",
        email="awa@x.test",
        date_naissance=dt.date(1995, 2, 3),
        genre="F",
        langue_maternelle="wol",
        nationalite="SN",
        motivation="C",
    )


@pytest.fixture
def report(centre, produit):
    """A validated report from a past session of the same product: the réinscription page lists `session`."""
    inscription = InscriptionFactory(
        session=past_session(centre, statut=SessionStatus.CLOSE, produit=produit)
    )
    demande = demandes.file_demande(
        inscription,
        DemandeKind.REPORT,
        by=None,
        description="Certificat médical joint.",
        justificatifs=[uploaded_pdf("certificat.pdf")],
    )
    demandes.decide(demande, accept=True, by=StaffFactory())
    return demande


def text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def figures_on_every_page(client, session, pre_inscription, report) -> dict[str, str]:
    """What each page that shows the places says about `session` (the text around the figure)."""
    n = session.numero
    pages = {
        "page de session": text(client.get(reverse("sessions:detail", args=[n]))),
        "candidats de la session": text(client.get(reverse("candidats:session_candidats", args=[n]))),
        "inscrire un candidat": text(client.get(reverse("candidats:inscrire", args=[n]))),
        "transfert de pré-inscription": text(
            client.get(reverse("candidats:pre_inscription_transfer", args=[pre_inscription.pk]))
        ),
        "réinscription": text(client.get(reverse("demandes:reinscrire", args=[report.numero]))),
        "liste des sessions": text(client.get(reverse("sessions:list"))),
    }
    public = client.__class__()
    pages["site public (centre)"] = text(public.get(reverse("public:centre", args=[session.centre.code])))
    pages["site public (pré-inscription)"] = text(
        public.get(reverse("public:pre_inscription", args=[session.centre.code]))
    )
    return pages


def assert_places_left(pages: dict[str, str], session: Session, left: int) -> None:
    taken = session.nb_places - left
    places = "place" if left <= 1 else "places"
    restantes = "restante" if left <= 1 else "restantes"
    expected = {
        "page de session": f"{taken} inscrit{'s' if taken > 1 else ''} sur {PLACES} places — {left} {restantes}",
        "candidats de la session": f"{taken} inscrit{'s' if taken > 1 else ''} sur {PLACES} places — {left} {restantes}",
        "inscrire un candidat": f"{left} {places} {restantes}.",
        "transfert de pré-inscription": f"{session.label} — {left} {places} {restantes}",
        "réinscription": f"({left} places restantes)",
        "liste des sessions": f"{taken} / {PLACES}",
        "site public (pré-inscription)": f"({left} {places} {restantes})",
    }
    for page, figure in expected.items():
        assert figure in pages[page], f"{page} : « {figure} » attendu"
    public_row = f"{left}</td>" if left else "Complet</td>"
    assert public_row in pages["site public (centre)"]


def test_every_page_shows_the_same_places_left(logged, session, pre_inscription, report):
    assert Session.objects.with_places().get(pk=session.pk).places_restantes == LEFT
    assert session.count_places_taken() == TAKEN
    assert_places_left(figures_on_every_page(logged, session, pre_inscription, report), session, LEFT)


def test_the_back_office_list_shows_the_same_figures(client, session):
    admin_force_login(client, StaffFactory())
    page = text(client.get(reverse("admin:sessions_app_session_changelist"), {"q": session.numero}))
    row = page[page.index(f">{session.numero}<") :]
    assert re.search(
        rf'field-nb_inscrits">{TAKEN}<.*field-nb_places">{PLACES}<.*field-places_restantes">{LEFT}<', row
    )


def test_the_capacity_check_refuses_at_exactly_the_places_shown(logged, session, pre_inscription, report):
    with pytest.raises(
        BusinessError, match=f"il reste {LEFT} places dans la session pour {LEFT + 1} candidats"
    ):
        enrolment.check_capacity(session, LEFT + 1)  # an import file one row too long
    for i in range(LEFT):
        enrolment.enrol(session=session, candidat_data=data(nom=f"Candidat{i}", motivation="A"), epreuves=[])
    with pytest.raises(BusinessError, match="La session est complète."):
        enrolment.enrol(session=session, candidat_data=data(nom="DeTrop", motivation="A"), epreuves=[])
    # A virtual candidate, which takes no place, is still possible on the session day; the pages say 0.
    session = Session.objects.get(pk=session.pk)
    pages = figures_on_every_page(logged, session, pre_inscription, report)
    assert "0 restante" in pages["page de session"] and "Complet" in pages["site public (centre)"]
    assert f"{PLACES} / {PLACES}" in pages["liste des sessions"]


def test_the_public_site_refuses_a_full_session(client, session):
    for i in range(LEFT):
        enrolment.enrol(session=session, candidat_data=data(nom=f"Candidat{i}", motivation="A"), epreuves=[])
    response = client.post(
        reverse("public:pre_inscription", args=[session.centre.code]),
        {**PRE, "session": session.pk},
    )
    assert "Cette session est complète : choisissez-en une autre." in text(response)
    assert not PreInscription.objects.exists()


def test_open_for_enrolment_is_one_rule(session, centre, produit):
    """The query filter and the object's answer agree, before and after the D-2 instant and by status."""
    closed = SessionFactory(centre=centre, produit=produit, statut=SessionStatus.CLOSE)
    cancelled = SessionFactory(centre=centre, produit=produit, statut=SessionStatus.ANNULEE)
    soon = SessionFactory(centre=centre, produit=produit, date=dt.date.today() + dt.timedelta(days=1))
    every = list(Session.objects.all())
    assert {s.pk for s in every if s.enrolment_open()} == set(
        Session.objects.open_for_enrolment().values_list("pk", flat=True)
    )
    assert session.enrolment_open() and not soon.enrolment_open()
    assert not closed.enrolment_open() and not cancelled.enrolment_open()


@pytest.mark.parametrize("n", [3, 30])
def test_places_cost_no_query_per_row(logged, centre, produit, n, django_assert_max_num_queries):
    for _ in range(n):
        InscriptionFactory(session=SessionFactory(centre=centre, produit=produit, afficher_en_ligne=True))
    with django_assert_max_num_queries(12):
        text(logged.get(reverse("sessions:list")))
    with django_assert_max_num_queries(4):
        text(client_public(logged).get(reverse("public:centre", args=[centre.code])))


def client_public(client):
    return client.__class__()
