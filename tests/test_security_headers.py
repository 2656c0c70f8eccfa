"""Every portal page, crawled as each role that may use the portal, comes with the security headers of
production: HSTS, Content Security Policy, nosniff, Referrer-Policy, no framing; cookies Secure and HttpOnly;
passwords hashed with Argon2."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.urls import reverse

from centres.roles import Role, role_can
from tests.factories import PASSWORD, MembershipFactory
from tests.test_access_matrix import ROUTES, world  # noqa: F401 (world is a fixture)

pytestmark = pytest.mark.django_db

GET_ROUTES = sorted(name for name, route in ROUTES.items() if route.method == "GET")


def check_headers(response, where):
    headers = response.headers
    assert headers.get("Strict-Transport-Security", "").startswith("max-age=31536000"), where
    csp = headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, (
        where
    )
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in {
        "same-origin",
        "strict-origin-when-cross-origin",
        "no-referrer",
    }, where
    assert headers.get("X-Frame-Options") == "DENY", where


@pytest.mark.parametrize("role", [Role.RESPONSABLE, Role.ADMINISTRATIF])
def test_every_page_of_each_role_has_the_security_headers(client, world, role):  # noqa: F811
    client.force_login(MembershipFactory(centre=world["centre"], role=role).user)
    crawled = 0
    for name in GET_ROUTES:
        route = ROUTES[name]
        if not role_can(role, route.permission):
            continue
        if route.setup:
            route.setup(client, world, world["centre"])
        url = reverse(name, kwargs=route.kwargs(world) if route.kwargs else None)
        response = client.get(url, secure=True)
        assert response.status_code in (200, 302), (name, response.status_code)
        check_headers(response, name)
        crawled += 1
    assert crawled >= 40


@pytest.mark.parametrize("url", ["/connexion/", "/preinscription/", "/admin/login/", "/api/v1/docs/"])
def test_public_pages_too(client, url):
    check_headers(client.get(url, secure=True), url)


def test_login_cookies_are_secure_and_http_only(client, responsable):
    response = client.post(
        reverse("login"), {"username": responsable.email, "password": PASSWORD}, secure=True
    )
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]
    assert settings.CSRF_COOKIE_SECURE and settings.SESSION_COOKIE_SECURE


def test_passwords_are_hashed_with_argon2(responsable):
    assert get_hasher().algorithm == "argon2"
    assert responsable.password.startswith("argon2")
