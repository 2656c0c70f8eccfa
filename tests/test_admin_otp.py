"""The back office asks FDA staff for a password and a TOTP code; a wrong or missing code, or a session not
verified by a device, never reaches it. Login throttling holds there too."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.admin_auth import admin_force_login, current_code, totp_device
from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db


def login(client, user, code):
    return client.post(
        reverse("admin:login"),
        {"username": user.email, "password": PASSWORD, "otp_token": code, "next": "/admin/"},
    )


def test_password_and_code_open_the_back_office(client):
    agent = StaffFactory()
    response = login(client, agent, current_code(totp_device(agent)))
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("code", ["", "000000"])
def test_without_the_right_code_the_back_office_stays_closed(client, code):
    agent = StaffFactory()
    totp_device(agent)
    assert login(client, agent, code).status_code == 200  # the form again, with its error
    assert client.get("/admin/").status_code == 302


def test_a_session_logged_in_without_a_device_is_sent_to_the_login(client):
    agent = StaffFactory()
    client.force_login(agent)  # password only, as the portal would
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert admin_force_login(client, agent).get("/admin/").status_code == 200


def test_centre_users_never_enter_the_back_office(client, responsable):
    admin_force_login(client, responsable)
    assert client.get("/admin/").status_code == 302
    assert client.get(reverse("admin:candidats_candidat_changelist")).status_code == 302


def test_the_login_lockout_holds_on_the_admin_and_spares_others(client):
    agent, other = StaffFactory(), StaffFactory()
    codes = [
        client.post(
            reverse("admin:login"), {"username": agent.email, "password": "faux", "otp_token": ""}
        ).status_code
        for _ in range(6)
    ]
    assert codes[-1] == 429
    assert login(client, other, current_code(totp_device(other))).status_code == 302


def test_the_command_adds_a_device_and_shows_its_address(capsys):
    agent = StaffFactory(email="nouvel.agent@fda.test")
    call_command("ajouter_totp", "nouvel.agent@fda.test")
    assert "otpauth://totp/" in capsys.readouterr().out
    assert TOTPDevice.objects.get(user=agent).confirmed
