from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from centres.emails import send_set_password_email
from centres.roles import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_logs_a_responsable_in_with_email_and_password(client, responsable, login):
    response = login.with_password("RESP@a.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    page = client.get(reverse("dashboard"))
    assert "Tableau de bord" in page.content.decode()
    assert "Responsable de centre" in page.content.decode()


def test_it_refuses_an_evaluateur_with_a_clear_message(client, evaluateur, login):
    response = login.with_password("eval@a.test")
    assert response.status_code == 200
    assert "Le rôle Évaluateur centre ne donne pas accès au portail" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_refuses_a_wrong_password_without_saying_which_part_is_wrong(client, responsable, login):
    response = login.with_password("resp@a.test", "faux")
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()


def test_it_throttles_repeated_failures_for_that_account_only(
    client, responsable, administratif, settings, login
):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        login.with_password("resp@a.test", "faux")
    blocked = login.with_password("resp@a.test")
    assert blocked.status_code == 429
    assert login.with_password("admin@a.test").status_code == 302


def test_it_logs_out_with_post_only(client, responsable):
    client.force_login(responsable)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302


def test_the_first_password_link_lets_a_new_user_set_a_password_then_log_in(
    client, centre_a, login, smtp, settings
):
    settings.SITE_URL = "https://portail.example.org/"
    user = MembershipFactory(
        centre=centre_a, role=Role.ADMINISTRATIF, user__email="new@a.test", user__password=None
    ).user
    user.set_unusable_password()
    user.save()
    send_set_password_email(user)
    [message] = smtp.messages
    assert message.subject == "Portail centres : définissez votre mot de passe"
    assert message.to == ["new@a.test"] and message.envelope_to == ["new@a.test"]
    assert "Pour définir votre mot de passe, ouvrez ce lien" in message.text
    assert "Pour définir votre mot de passe, ouvrez ce lien" in message.html
    link = next(line for line in message.text.splitlines() if "/mot-de-passe/definir/" in line)
    # The link is absolute from SITE_URL, and the HTML part carries the same one.
    assert link.startswith("https://portail.example.org/mot-de-passe/definir/")
    assert f'href="{link}"' in message.html
    path = link.removeprefix("https://portail.example.org")
    form_page = client.get(path, follow=True)
    assert "Définir mon mot de passe" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Un-Mot2passe-solide", "new_password2": "Un-Mot2passe-solide"},
    )
    assert done.status_code == 302
    assert login.with_password("new@a.test", "Un-Mot2passe-solide").status_code == 302
    # The link works once only.
    assert "plus valide" in client.get(path, follow=True).content.decode()


def test_password_reset_sends_an_email_in_french(client, responsable):
    client.post(reverse("password_reset"), {"email": "resp@a.test"})
    assert len(mail.outbox) == 1
    assert "réinitialisation" in mail.outbox[0].subject
    # A text and an HTML part, and the link on the configured SITE_URL (not the host the request named).
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    host = urlsplit(settings.SITE_URL).netloc
    assert f"://{host}/mot-de-passe/definir/" in message.body and f"://{host}/mot-de-passe/definir/" in html
    assert "testserver" not in message.body


def test_a_user_of_two_centres_switches_centre(client, centre_a, centre_b):
    user = UserFactory(email="multi@test.test")
    MembershipFactory(user=user, centre=centre_a, role=Role.RESPONSABLE)
    MembershipFactory(user=user, centre=centre_b, role=Role.ADMINISTRATIF)
    client.force_login(user)
    assert "Centre A" in client.get(reverse("centres:fiche")).content.decode()
    client.post(reverse("centres:switch"), {"centre": centre_b.pk, "next": "/mon-centre/fiche/"})
    page = client.get(reverse("centres:fiche")).content.decode()
    assert "Centre B" in page and "Administratif centre" in page


def test_switching_to_a_centre_that_is_not_yours_changes_nothing(client, responsable, centre_b):
    client.force_login(responsable)
    response = client.post(reverse("centres:switch"), {"centre": centre_b.pk}, follow=True)
    assert "ne fait pas partie de vos centres" in response.content.decode()
    assert "Centre A" in client.get(reverse("centres:fiche")).content.decode()
