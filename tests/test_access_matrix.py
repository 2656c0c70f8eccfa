"""Every centre-side URL, walked as anonymous, as each role of centre A and as a user of centre B.

A new URL pattern without a row in ROUTES (or PUBLIC_ROUTES) makes `test_every_url_pattern_has_a_row`
fail: tenancy and roles are proved for every page, not only the ones someone remembered."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from candidats import captures
from centres.roles import Permission as P
from centres.roles import Role, role_can
from core.models import next_number
from demandes.models import Demande, DemandeStatus
from messagerie.models import PieceJointe
from sessions_app.models import BonDeCommande, SessionStatus
from sessions_app.views import WIZARD_KEY
from tests.factories import (
    ExportFactory,
    InscriptionFactory,
    MembershipFactory,
    SessionFactory,
    conversation,
    image_upload,
    session_document,
    uploaded_pdf,
)


@dataclass(frozen=True)
class Route:
    permission: (
        str  # what the view declares (@centre_view): the roles of centre A admitted follow the role table
    )
    kwargs: Callable[[dict], dict] | None = None  # URL kwargs from centre A's objects (None: no object)
    method: str = "GET"
    data: Callable[[dict, object], dict] | None = None  # (world, user's centre) → POST data
    scoped: bool = True  # False: the object is shared by all centres (FDA's catalogue): no 404 for centre B
    status: int | None = None  # the exact answer to an allowed user: 200, or 302 for an action that redirects
    setup: Callable | None = None  # (client, world, centre) → None: the state the page needs to answer 200
    succeeds: bool = True  # False: the world cannot make this action succeed (its redirect carries a refusal)

    @property
    def expected(self) -> int:
        return self.status or (302 if self.method == "POST" else 200)


def own(client, world):
    """The world's export (of centre A) now belongs to the logged-in user, as if they had asked for it."""
    from core.models import Export

    user_id = client.session.get("_auth_user_id")
    if user_id:
        Export.objects.filter(pk=world["export"].pk).update(requested_by_id=user_id)


def wizard_filled(client, world, centre):
    """The "Créer une session" steps done so far (kept in the user's session), for the later steps' pages."""
    store = client.session
    store[WIZARD_KEY] = {
        "centre": centre.pk,
        "produit": world["produit"].pk,
        "date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "heure": "09:00",
        "lieu": "Salle 1",
        "nb_places": 20,
        "afficher_en_ligne": True,
    }
    store.save()


ROUTES: dict[str, Route] = {
    "dashboard": Route(P.PORTAL),
    "centres:fiche": Route(P.PORTAL),
    "centres:fiche_edit": Route(P.EDIT_CENTRE),
    "centres:utilisateurs": Route(P.PORTAL),
    "centres:switch": Route(P.PORTAL, method="POST", data=lambda w, centre: {"centre": centre.pk}),
    # Tarifs (issue 3): the catalogue is FDA's, shared by all centres (scoped=False), the tarifs are the centre's.
    "tarifs:produits": Route(P.PORTAL),
    "tarifs:baremes": Route(P.PORTAL),
    "tarifs:produit": Route(P.PORTAL, kwargs=lambda w: {"numero": w["produit"].numero}, scoped=False),
    "tarifs:definir": Route(P.DEFINE_TARIFS, kwargs=lambda w: {"numero": w["produit"].numero}, scoped=False),
    # Sessions (issue 3)
    "sessions:list": Route(P.PORTAL),
    # Issue 22: statistics and calendar (the feed, /calendrier/<token>.ics, is in PUBLIC_ROUTES).
    "statistiques": Route(P.PORTAL),
    # An export is its requester's: the setup gives centre A's export to whoever is logged in.
    "export": Route(P.PORTAL, kwargs=lambda w: {"pk": w["export"].pk}, setup=lambda c, w, centre: own(c, w)),
    "export_file": Route(
        P.PORTAL, kwargs=lambda w: {"pk": w["export"].pk}, setup=lambda c, w, centre: own(c, w)
    ),
    "sessions:calendrier": Route(P.PORTAL),
    "sessions:calendrier_renouveler": Route(P.PORTAL, method="POST"),
    "sessions:create": Route(P.MANAGE_SESSIONS),
    "sessions:create_date": Route(P.MANAGE_SESSIONS, setup=wizard_filled),
    "sessions:create_places": Route(P.MANAGE_SESSIONS, setup=wizard_filled),
    "sessions:create_tarifs": Route(P.MANAGE_SESSIONS, setup=wizard_filled),
    "sessions:detail": Route(P.PORTAL, kwargs=lambda w: {"numero": w["session"].numero}),
    "sessions:edit": Route(P.MANAGE_SESSIONS, kwargs=lambda w: {"numero": w["session"].numero}),
    "sessions:open": Route(
        P.MANAGE_SESSIONS, kwargs=lambda w: {"numero": w["planned_session"].numero}, method="POST"
    ),
    "sessions:cancel_confirm": Route(P.MANAGE_SESSIONS, kwargs=lambda w: {"numero": w["session"].numero}),
    "sessions:cancel": Route(
        P.MANAGE_SESSIONS, kwargs=lambda w: {"numero": w["session"].numero}, method="POST"
    ),
    "sessions:documents": Route(P.PORTAL, kwargs=lambda w: {"numero": w["session"].numero}),
    "sessions:document": Route(
        P.PORTAL, kwargs=lambda w: {"numero": w["session"].numero, "pk": w["document"].pk}
    ),
    "sessions:sign_confirm": Route(
        P.SIGN_BON_COMMANDE, kwargs=lambda w: {"numero": w["past_session"].numero}
    ),
    "sessions:sign": Route(
        P.SIGN_BON_COMMANDE, kwargs=lambda w: {"numero": w["past_session"].numero}, method="POST"
    ),
    # Candidats (issue 4): enrolment, import, every enrolment, pre-registrations, contact requests.
    "candidats:inscriptions": Route(P.PORTAL),
    "candidats:inscriptions_export": Route(P.PORTAL),
    "candidats:session_candidats": Route(P.PORTAL, kwargs=lambda w: {"numero": w["session"].numero}),
    "candidats:inscrire": Route(P.ENROL_CANDIDATES, kwargs=lambda w: {"numero": w["session"].numero}),
    "candidats:import_template": Route(P.ENROL_CANDIDATES, kwargs=lambda w: {"numero": w["session"].numero}),
    "candidats:import": Route(P.ENROL_CANDIDATES, kwargs=lambda w: {"numero": w["session"].numero}),
    "candidats:import_job": Route(
        P.ENROL_CANDIDATES, kwargs=lambda w: {"numero": w["session"].numero, "pk": w["import_job"].pk}
    ),
    "candidats:import_errors_file": Route(
        P.ENROL_CANDIDATES, kwargs=lambda w: {"numero": w["session"].numero, "pk": w["import_job_erreurs"].pk}
    ),
    "candidats:import_confirm": Route(
        P.ENROL_CANDIDATES,
        kwargs=lambda w: {"numero": w["session"].numero, "pk": w["import_job"].pk},
        method="POST",
        # Confirming needs a validated file: that success is proved in tests/candidats/test_imports.py.
        succeeds=False,
    ),
    "candidats:inscription_edit": Route(
        P.ENROL_CANDIDATES, kwargs=lambda w: {"numero": w["inscription"].numero}
    ),
    "candidats:pre_inscriptions": Route(P.PORTAL),
    "candidats:pre_inscription_transfer": Route(
        P.ENROL_CANDIDATES, kwargs=lambda w: {"pk": w["pre_inscription"].pk}
    ),
    "candidats:pre_inscription_decline": Route(
        P.ENROL_CANDIDATES, kwargs=lambda w: {"pk": w["pre_inscription"].pk}
    ),
    "candidats:contacts": Route(P.PORTAL),
    "candidats:contact": Route(P.HANDLE_CONTACTS, kwargs=lambda w: {"pk": w["demande_contact"].pk}),
    "candidats:contact_close": Route(
        P.HANDLE_CONTACTS, kwargs=lambda w: {"pk": w["demande_contact"].pk}, method="POST"
    ),
    # Messagerie, account requests, search (issue 7)
    "recherche": Route(P.PORTAL),
    "messagerie:list": Route(P.PORTAL),
    "messagerie:create": Route(P.WRITE_MESSAGES),
    "messagerie:detail": Route(P.PORTAL, kwargs=lambda w: {"pk": w["conversation"].pk}),
    "messagerie:reply": Route(
        P.WRITE_MESSAGES,
        kwargs=lambda w: {"pk": w["conversation"].pk},
        method="POST",
        data=lambda w, c: {"message": "Merci"},
    ),
    "messagerie:attachment": Route(
        P.PORTAL, kwargs=lambda w: {"pk": w["conversation"].pk, "piece_pk": w["piece"].pk}
    ),
    "centres:demande_compte": Route(P.REQUEST_ACCOUNTS),
    "centres:demande_desactivation_confirm": Route(
        P.REQUEST_ACCOUNTS, kwargs=lambda w: {"pk": w["membership"].pk}
    ),
    "centres:demande_desactivation": Route(
        P.REQUEST_ACCOUNTS, kwargs=lambda w: {"pk": w["membership"].pk}, method="POST"
    ),
    # Issue 5 (running a session): candidate list, candidate page, captures, absences, virtual candidates,
    # correction, results, attestations.
    "candidats:inscription": Route(P.PORTAL, kwargs=lambda w: {"numero": w["inscription"].numero}),
    "candidats:convocation_resend": Route(
        P.RUN_SESSION,
        kwargs=lambda w: {"numero": w["inscription"].numero},
        method="POST",
        # A convocation is resent once enrolments are closed, before the test: the world's session is open.
        # That success is proved in tests/candidats/test_convocations.py.
        succeeds=False,
    ),
    "candidats:convocations_resend": Route(P.RUN_SESSION, kwargs=lambda w: {"numero": w["session"].numero}),
    "candidats:convocations_pdf": Route(P.RUN_SESSION, kwargs=lambda w: {"numero": w["session"].numero}),
    "candidats:capture": Route(
        P.PORTAL, kwargs=lambda w: {"numero": w["inscription"].numero, "kind": "photo"}
    ),
    "candidats:capture_upload": Route(
        P.PASSEPORT_PHOTO,
        kwargs=lambda w: {"numero": w["inscription"].numero, "kind": "photo"},
        method="POST",
        data=lambda w, c: {"fichier": image_upload()},
    ),
    "candidats:absence": Route(P.RUN_SESSION, kwargs=lambda w: {"numero": w["inscription"].numero}),
    "candidats:absents": Route(P.RUN_SESSION, kwargs=lambda w: {"numero": w["session"].numero}),
    "candidats:virtuels": Route(
        P.RUN_SESSION,
        kwargs=lambda w: {"numero": w["session"].numero},
        method="POST",
        data=lambda w, c: {"nombre": 1},
    ),
    "sessions:correction": Route(P.START_CORRECTION, kwargs=lambda w: {"numero": w["past_session"].numero}),
    "sessions:resultats": Route(P.PORTAL, kwargs=lambda w: {"numero": w["published_session"].numero}),
    "sessions:resultats_export": Route(P.PORTAL, kwargs=lambda w: {"numero": w["published_session"].numero}),
    "sessions:attestations_zip": Route(P.PORTAL, kwargs=lambda w: {"numero": w["published_session"].numero}),
    # Issue 6 (demandes): request forms, réinscription.
    "demandes:list": Route(P.PORTAL),
    "demandes:nouvelle": Route(
        P.MAKE_DEMANDES, kwargs=lambda w: {"numero": w["inscription"].numero, "kind": "amenagement"}
    ),
    "demandes:reinscrire": Route(P.ENROL_CANDIDATES, kwargs=lambda w: {"numero": w["demande"].numero}),
}

# Pages that are not centre-side: authentication flows, the admin (FDA staff, tested in tests/test_admin.py),
# the public pre-registration site (anonymous by design).
# The Passeport API has its own matrix (tests/api/test_api.py, which fails for an endpoint without tests).
PUBLIC_PREFIXES = ("admin:", "public:", "api:")
PUBLIC_ROUTES = {
    "calendrier_ics",  # the private feed: its secret token is the credential (tests/sessions_app/test_calendar.py)
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "password_change",
    "password_change_done",
    "verification",  # the public verification of an attestation (tests/candidats/test_notices_verification.py)
}


def all_url_names(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from all_url_names(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{prefix}{p.name}"


def test_every_url_pattern_has_a_row():
    missing = sorted(
        name
        for name in set(all_url_names())
        if name not in ROUTES and name not in PUBLIC_ROUTES and not name.startswith(PUBLIC_PREFIXES)
    )
    assert missing == [], f"URL patterns without a row in the access matrix: {missing}"


def candidats_world(centre, session):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from candidats.models import DemandeContact, ImportJob, PreInscription

    return {
        "pre_inscription": PreInscription.objects.create(
            centre=centre, nom="Pré", prenom="Anne", email="p@x.test"
        ),
        "demande_contact": DemandeContact.objects.create(
            centre=centre, nom="Contact", prenom="Awa", email="c@x.test", message="Bonjour"
        ),
        "import_job": ImportJob.objects.create(
            centre=centre, session=session, fichier="imports/x.csv", nom_fichier="x.csv"
        ),
        "import_job_erreurs": ImportJob.objects.create(
            centre=centre,
            session=session,
            fichier="imports/y.csv",
            nom_fichier="y.csv",
            statut=ImportJob.Statut.ERREURS,
            rapport={
                "fichier_erreurs": default_storage.save("imports/erreurs/y_erreurs.xlsx", ContentFile(b"PK"))
            },
        ),
    }


def export_of(centre, inscription):
    """A finished export of centre A (core.exports), its file in the storage."""
    from django.core.files.base import ContentFile

    from core.models import Export

    export = ExportFactory(centre=centre, statut=Export.Statut.PRET, lignes_total=1)
    export.fichier.save("inscriptions.xlsx", ContentFile(b"PK"), save=True)
    return export


@pytest.fixture
def world(centre_a, centre_b):
    """One of each object of centre A, for the URLs that name an object."""
    session = SessionFactory(centre=centre_a)
    inscription = InscriptionFactory(session=session)
    captures.store_photo(inscription, image_upload())
    document = session_document(session)
    conv = conversation(centre_a, attachments=[uploaded_pdf()])
    past_session = SessionFactory(
        centre=centre_a, statut=SessionStatus.CLOSE, date=timezone.localdate() - dt.timedelta(days=3)
    )
    BonDeCommande.objects.create(session=past_session)
    return {
        "centre": centre_a,
        "session": session,
        "inscription": inscription,
        "produit": session.produit,
        "document": document,
        "conversation": conv,
        "piece": PieceJointe.objects.get(message__conversation=conv),
        "membership": MembershipFactory(centre=centre_a, role=Role.ADMINISTRATIF),
        **candidats_world(centre_a, session),
        # A validated report: the candidate may be re-enrolled.
        "demande": Demande.objects.create(
            numero=next_number("demande"),
            kind="report",
            centre=centre_a,
            inscription=inscription,
            description="x",
            statut=DemandeStatus.VALIDEE,
        ),
        # A session whose date has passed (mise en correction) and whose bon de commande waits for signature.
        "past_session": past_session,
        # A session not yet open for enrolment (Ouvrir les inscriptions).
        "planned_session": SessionFactory(centre=centre_a, statut=SessionStatus.PLANIFIEE),
        "export": export_of(centre_a, inscription),
        # A session whose results are published (results table, export, attestations).
        "published_session": SessionFactory(centre=centre_a, statut=SessionStatus.RESULTATS),
    }


def request(client, name, route, world, centre):
    if route.setup:
        route.setup(client, world, centre)
    url = reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)
    data = route.data(world, centre) if route.data else {}
    return client.post(url, data) if route.method == "POST" else client.get(url)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_anonymous_is_sent_to_login(client, world, name):
    response = request(client, name, ROUTES[name], world, world["centre"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def assert_answered(response, route):
    """The exact status of an allowed request; a redirect is the action's own, never the login page."""
    assert response.status_code == route.expected, response.status_code
    if response.status_code == 302:
        assert not response["Location"].startswith(reverse("login")), response["Location"]
    if response.status_code == 302 and route.succeeds:
        refusals = [m.message for m in get_messages(response.wsgi_request) if m.level >= messages.ERROR]
        assert refusals == [], refusals  # the redirect of a success, not of a refusal


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_view_declares_the_permission_of_its_row(world, name):
    route = ROUTES[name]
    match = resolve(reverse(name, kwargs=route.kwargs(world) if route.kwargs else None))
    declared = match.func.centre_permission
    if callable(declared):
        declared = declared(**match.kwargs)
    assert declared == route.permission


@pytest.mark.parametrize("role", [Role.RESPONSABLE, Role.ADMINISTRATIF, Role.EVALUATEUR])
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_role_of_the_centre(client, world, name, role):
    route = ROUTES[name]
    user = MembershipFactory(centre=world["centre"], role=role).user
    client.force_login(user)
    response = request(client, name, route, world, world["centre"])
    if role_can(role, P.PORTAL) and role_can(role, route.permission):
        assert_answered(response, route)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_another_centres_user_never_reaches_centre_a_objects(client, world, centre_b, name):
    route = ROUTES[name]
    client.force_login(MembershipFactory(centre=centre_b, role=Role.RESPONSABLE).user)
    response = request(client, name, route, world, centre_b)
    if route.kwargs and route.scoped:
        assert response.status_code == 404
    else:
        assert_answered(response, route)
        if response.status_code == 200 and hasattr(response, "content"):
            assert world["centre"].nom.encode() not in response.content


@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items() if r.method == "POST"))
def test_state_changing_urls_refuse_get(client, world, name):
    route = ROUTES[name]
    client.force_login(MembershipFactory(centre=world["centre"], role=Role.RESPONSABLE).user)
    url = reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)
    assert client.get(url).status_code == 405
