"""Signing in to the portal in the browser, as every flow starts."""

from tests.factories import PASSWORD


def submit_login(page, email, password=PASSWORD):
    page.goto("/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def log_in(page, email, password=PASSWORD):
    """Sign in and wait for the dashboard."""
    submit_login(page, email, password)
    page.get_by_role("heading", name="Tableau de bord").wait_for()
