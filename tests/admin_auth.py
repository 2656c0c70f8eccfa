"""The one way tests enter the FDA back office (Django admin).

Every test that uses the admin logs in through these helpers, so that the admin's login rules
(password, then any second factor) live in one place for the whole suite."""

from tests.factories import PASSWORD


def admin_force_login(client, user):
    """Log a staff user into the admin through Django's test client."""
    client.force_login(user)
    return client


def admin_log_in(page, email, password=PASSWORD):
    """Log a staff user into the admin in the browser, through the login form."""
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    page.locator("#user-tools").wait_for()  # shown once logged in
