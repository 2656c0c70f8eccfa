"""Every centre-side URL, walked as anonymous, as each role of centre A and as a user of centre B.

A new URL pattern without a row in ROUTES (or PUBLIC_ROUTES) makes `test_every_url_pattern_has_a_row`
fail: tenancy and roles are proved for every page, not only the ones someone remembered."""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from candidats import captures
from centres.roles import PORTAL_ROLES, Role
from core.models import next_number
from demandes.models import Demande
from messagerie.models import PieceJointe
from tests.factories import (
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
    kwargs: Callable[[dict], dict] | None = None  # URL kwargs from centre A's objects (None: no object)
    roles: frozenset = field(default=PORTAL_ROLES)  # roles of centre A admitted
    method: str = "GET"
    data: Callable[[dict], dict] | None = None  # POST data, if an empty form is not enough
    scoped: bool = True  # False: the object is shared by all centres (FDA's catalogue): no 404 for centre B


RESPONSABLE_ONLY = frozenset({Role.RESPONSABLE})
STAFF = frozenset({Role.RESPONSABLE, Role.ADMINISTRATIF})

ROUTES: dict[str, Route] = {
    "dashboard": Route(),
    "centres:fiche": Route(),
    "centres:fiche_edit": Route(roles=RESPONSABLE_ONLY),
    "centres:utilisateurs": Route(),
    "centres:switch": Route(method="POST"),
    # Tarifs (issue 3): the catalogue is FDA's, shared by all centres (scoped=False), the tarifs are the centre's.
    "tarifs:produits": Route(),
    "tarifs:produit": Route(kwargs=lambda w: {"numero": w["produit"].numero}, scoped=False),
    "tarifs:definir": Route(kwargs=lambda w: {"numero": w["produit"].numero}, scoped=False, roles=STAFF),
    # Sessions (issue 3)
    "sessions:list": Route(),
    "sessions:create": Route(roles=STAFF),
    "sessions:create_date": Route(roles=STAFF),
    "sessions:create_places": Route(roles=STAFF),
    "sessions:create_tarifs": Route(roles=STAFF),
    "sessions:detail": Route(kwargs=lambda w: {"numero": w["session"].numero}),
    "sessions:edit": Route(kwargs=lambda w: {"numero": w["session"].numero}, roles=STAFF),
    "sessions:open": Route(kwargs=lambda w: {"numero": w["session"].numero}, method="POST", roles=STAFF),
    "sessions:cancel_confirm": Route(kwargs=lambda w: {"numero": w["session"].numero}, roles=STAFF),
    "sessions:cancel": Route(kwargs=lambda w: {"numero": w["session"].numero}, method="POST", roles=STAFF),
    "sessions:documents": Route(kwargs=lambda w: {"numero": w["session"].numero}),
    "sessions:document": Route(kwargs=lambda w: {"numero": w["session"].numero, "pk": w["document"].pk}),
    "sessions:sign_confirm": Route(kwargs=lambda w: {"numero": w["session"].numero}, roles=STAFF),
    "sessions:sign": Route(kwargs=lambda w: {"numero": w["session"].numero}, method="POST", roles=STAFF),
    # Candidats (issue 4): enrolment, import, every enrolment, pre-registrations, contact requests.
    "candidats:inscriptions": Route(),
    "candidats:inscriptions_export": Route(),
    "candidats:session_candidats": Route(kwargs=lambda w: {"numero": w["session"].numero}),
    "candidats:inscrire": Route(kwargs=lambda w: {"numero": w["session"].numero}),
    "candidats:import_template": Route(kwargs=lambda w: {"numero": w["session"].numero}),
    "candidats:import": Route(kwargs=lambda w: {"numero": w["session"].numero}),
    "candidats:import_job": Route(kwargs=lambda w: {"numero": w["session"].numero, "pk": w["import_job"].pk}),
    "candidats:import_confirm": Route(
        kwargs=lambda w: {"numero": w["session"].numero, "pk": w["import_job"].pk}, method="POST"
    ),
    "candidats:inscription_edit": Route(kwargs=lambda w: {"numero": w["inscription"].numero}),
    "candidats:pre_inscriptions": Route(),
    "candidats:pre_inscription_transfer": Route(kwargs=lambda w: {"pk": w["pre_inscription"].pk}),
    "candidats:pre_inscription_decline": Route(kwargs=lambda w: {"pk": w["pre_inscription"].pk}),
    "candidats:contacts": Route(),
    "candidats:contact": Route(kwargs=lambda w: {"pk": w["demande_contact"].pk}),
    "candidats:contact_close": Route(kwargs=lambda w: {"pk": w["demande_contact"].pk}, method="POST"),
    # Messagerie, account requests, search (issue 7)
    "recherche": Route(),
    "messagerie:list": Route(),
    "messagerie:create": Route(),
    "messagerie:detail": Route(kwargs=lambda w: {"pk": w["conversation"].pk}),
    "messagerie:reply": Route(
        kwargs=lambda w: {"pk": w["conversation"].pk}, method="POST", data=lambda w: {"message": "Merci"}
    ),
    "messagerie:attachment": Route(kwargs=lambda w: {"pk": w["conversation"].pk, "piece_pk": w["piece"].pk}),
    "centres:demande_compte": Route(roles=RESPONSABLE_ONLY),
    "centres:demande_desactivation_confirm": Route(
        kwargs=lambda w: {"pk": w["membership"].pk}, roles=RESPONSABLE_ONLY
    ),
    "centres:demande_desactivation": Route(
        kwargs=lambda w: {"pk": w["membership"].pk}, method="POST", roles=RESPONSABLE_ONLY
    ),
    # Issue 5 (running a session): candidate list, candidate page, captures, absences, virtual candidates,
    # correction, results, attestations.
    "candidats:inscription": Route(kwargs=lambda w: {"numero": w["inscription"].numero}),
    "candidats:convocation_resend": Route(
        kwargs=lambda w: {"numero": w["inscription"].numero}, method="POST", roles=STAFF
    ),
    "candidats:convocations_resend": Route(kwargs=lambda w: {"numero": w["session"].numero}, roles=STAFF),
    "candidats:convocations_pdf": Route(kwargs=lambda w: {"numero": w["session"].numero}, roles=STAFF),
    "candidats:capture": Route(kwargs=lambda w: {"numero": w["inscription"].numero, "kind": "photo"}),
    "candidats:capture_upload": Route(
        kwargs=lambda w: {"numero": w["inscription"].numero, "kind": "photo"}, method="POST"
    ),
    "candidats:absence": Route(kwargs=lambda w: {"numero": w["inscription"].numero}),
    "candidats:absents": Route(kwargs=lambda w: {"numero": w["session"].numero}),
    "candidats:virtuels": Route(kwargs=lambda w: {"numero": w["session"].numero}, method="POST"),
    "sessions:correction": Route(kwargs=lambda w: {"numero": w["session"].numero}, roles=STAFF),
    "sessions:resultats": Route(kwargs=lambda w: {"numero": w["session"].numero}),
    "sessions:resultats_export": Route(kwargs=lambda w: {"numero": w["session"].numero}),
    "sessions:attestations_zip": Route(kwargs=lambda w: {"numero": w["session"].numero}),
    # Issue 6 (demandes): request forms, réinscription.
    "demandes:list": Route(),
    "demandes:nouvelle": Route(kwargs=lambda w: {"numero": w["inscription"].numero, "kind": "report"}),
    "demandes:reinscrire": Route(kwargs=lambda w: {"numero": w["demande"].numero}),
}

# Pages that are not centre-side: authentication flows, the admin (FDA staff, tested in tests/test_admin.py),
# the public pre-registration site (anonymous by design).
# The Passeport API has its own matrix (tests/api/test_api.py, which fails for an endpoint without tests).
PUBLIC_PREFIXES = ("admin:", "public:", "api:")
PUBLIC_ROUTES = {
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
    }


@pytest.fixture
def world(centre_a, centre_b):
    """One of each object of centre A, for the URLs that name an object."""
    session = SessionFactory(centre=centre_a)
    inscription = InscriptionFactory(session=session)
    captures.store_photo(inscription, image_upload())
    document = session_document(session)
    conv = conversation(centre_a, attachments=[uploaded_pdf()])
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
        "demande": Demande.objects.create(
            numero=next_number("demande"),
            kind="report",
            centre=centre_a,
            inscription=inscription,
            description="x",
        ),
    }


def request(client, name, route, world):
    url = reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)
    data = route.data(world) if route.data else {}
    return client.post(url, data) if route.method == "POST" else client.get(url)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_anonymous_is_sent_to_login(client, world, name):
    response = request(client, name, ROUTES[name], world)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.RESPONSABLE, Role.ADMINISTRATIF, Role.EVALUATEUR])
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_role_of_the_centre(client, world, name, role):
    route = ROUTES[name]
    user = MembershipFactory(centre=world["centre"], role=role).user
    client.force_login(user)
    response = request(client, name, route, world)
    if role in route.roles:
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_another_centres_user_never_reaches_centre_a_objects(client, world, centre_b, name):
    route = ROUTES[name]
    client.force_login(MembershipFactory(centre=centre_b, role=Role.RESPONSABLE).user)
    response = request(client, name, route, world)
    if route.kwargs and route.scoped:
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 302)
        if response.status_code == 200 and hasattr(response, "content"):
            assert world["centre"].nom.encode() not in response.content


@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items() if r.method == "POST"))
def test_state_changing_urls_refuse_get(client, world, name):
    route = ROUTES[name]
    client.force_login(MembershipFactory(centre=world["centre"], role=Role.RESPONSABLE).user)
    url = reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)
    assert client.get(url).status_code == 405
