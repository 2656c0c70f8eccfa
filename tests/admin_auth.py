"""The one way tests enter the FDA back office (Django admin): a password and a TOTP code (django-otp).

Every test that uses the admin logs in through these helpers, so that the admin's login rules live in one
place for the whole suite."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD


def totp_device(user) -> TOTPDevice:
    """The staff member's authenticator (created confirmed on first use)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Téléphone", confirmed=True
    )


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def admin_force_login(client, user):
    """Log a staff user into the admin through Django's test client, as verified by their device."""
    device = totp_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def admin_log_in(page, email, password=PASSWORD):
    """Log a staff user into the admin in the browser, through the login form (password + TOTP code)."""
    from centres.models import User

    device = totp_device(User.objects.get(email=email))
    page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.locator("#id_otp_token").fill(current_code(device))
    page.get_by_role("button", name="Connexion").click()
    page.locator("#user-tools").wait_for()  # shown once logged in
