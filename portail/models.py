"""The web layer's only model: django-otp's TOTP device under a French name for the back office (issue 19)."""

from django_otp.plugins.otp_totp.models import TOTPDevice


class AppareilTOTP(TOTPDevice):
    """The same table as django-otp's TOTPDevice (a proxy), named in French in the back office."""

    class Meta:
        proxy = True
        verbose_name = "appareil TOTP (double authentification)"
        verbose_name_plural = "appareils TOTP (double authentification)"
