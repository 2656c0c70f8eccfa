"""The one role table (centres.roles): the guide's matrix, the `can` object of the templates."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from centres.roles import (
    PORTAL_ROLES,
    CentrePermissions,
    Permission,
    Role,
    UnknownPermission,
    role_can,
    roles_with,
)

P = Permission


def test_the_guides_matrix():
    """PRODUCT §2: portal / accounts / Paragraphe / Passeport photo, signature, EO."""
    guide = {
        Role.RESPONSABLE: (True, True, True, True, True, False),
        Role.ADMINISTRATIF: (True, False, True, True, True, False),
        Role.EVALUATEUR: (False, False, False, True, True, True),
    }
    columns = (
        P.PORTAL,
        P.REQUEST_ACCOUNTS,
        P.PARAGRAPHE,
        P.PASSEPORT_PHOTO,
        P.PASSEPORT_SIGNATURE,
        P.PASSEPORT_EO,
    )
    for role, row in guide.items():
        assert tuple(role_can(role, p) for p in columns) == row, role


def test_the_responsable_and_the_administratif_differ_only_on_the_responsables_own_rights():
    only_responsable = {
        p for p in P.values if role_can(Role.RESPONSABLE, p) != role_can(Role.ADMINISTRATIF, p)
    }
    assert only_responsable == {P.REQUEST_ACCOUNTS, P.EDIT_CENTRE}
    assert all(role_can(Role.RESPONSABLE, p) for p in only_responsable)


def test_an_evaluateur_has_no_portal_action_and_nobody_without_a_role_has_any():
    portal_actions = set(P.values) - {P.PARAGRAPHE, P.PASSEPORT_PHOTO, P.PASSEPORT_SIGNATURE, P.PASSEPORT_EO}
    assert not any(role_can(Role.EVALUATEUR, p) for p in portal_actions)
    assert not any(role_can(None, p) or role_can("inconnu", p) for p in P.values)
    assert PORTAL_ROLES == roles_with(P.PORTAL) == {Role.RESPONSABLE, Role.ADMINISTRATIF}


def render(source, role):
    return Template(source).render(Context({"can": CentrePermissions(role)}))


def test_templates_ask_the_table():
    source = "{% if can.request_accounts %}oui{% else %}non{% endif %}"
    assert render(source, Role.RESPONSABLE) == "oui"
    assert render(source, Role.ADMINISTRATIF) == "non"
    assert render(source, None) == "non"


def test_a_misspelt_permission_in_a_template_fails_loudly():
    with pytest.raises(UnknownPermission):
        render("{% if can.request_acounts %}oui{% endif %}", Role.RESPONSABLE)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "shown"), [(Role.RESPONSABLE, True), (Role.ADMINISTRATIF, False)])
def test_mes_utilisateurs_and_the_fiche_show_the_responsables_buttons_to_him_only(
    client, centre_a, role, shown
):
    from tests.factories import MembershipFactory

    MembershipFactory(centre=centre_a, role=Role.ADMINISTRATIF)  # a colleague whose deactivation may be asked
    client.force_login(MembershipFactory(centre=centre_a, role=role).user)
    users = client.get(reverse("centres:utilisateurs")).content.decode()
    fiche = client.get(reverse("centres:fiche")).content.decode()
    assert ("Création d'un utilisateur centre" in users) is shown
    assert ("Demander la désactivation" in users) is shown
    assert (reverse("centres:fiche_edit") in fiche) is shown
