"""The back office's second factor (django-otp): password + the code of the staff member's authenticator."""

from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite

from core.forms import CleanTextMixin


class StaffLoginForm(CleanTextMixin, OTPAdminAuthenticationForm):
    """With a single authenticator (the usual case) the code is checked against it without asking to pick a
    device first; the messages speak French."""

    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": "Saisissez le code à 6 chiffres de votre application d'authentification.",
        "invalid_token": "Code incorrect ou expiré : saisissez le code affiché maintenant.",
        "device_required": "Choisissez votre appareil d'authentification.",
    }

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None:
            devices = list(devices_for_user(user, confirmed=True))
            if len(devices) == 1:
                device = devices[0]
        return device


class StaffAdminSite(OTPAdminSite):
    login_form = StaffLoginForm
