"""Back office FDA: site titles, and password + TOTP for FDA staff."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AppareilTOTP
from .otp import StaffAdminSite

if settings.ADMIN_REQUIRE_OTP:
    # Password + TOTP code for the back office (FDA staff): the login page asks for both, and a session
    # that has not been verified by a device is sent back to it.
    admin.site.__class__ = StaffAdminSite

admin.site.site_header = "Portail centres — Back office FDA"
admin.site.site_title = "Back office FDA"
admin.site.index_title = "Administration du portail centres"

# Django's own « Supprimer les … sélectionnés » is wrong for feminine nouns (demandes, inscriptions…): one
# wording that agrees with every model.
delete_selected.short_description = "Supprimer la sélection (%(verbose_name_plural)s)"

# django-otp's TOTP devices, in French: the same admin (QR code, configuration views) on a proxy model whose
# names are French (« appareils TOTP »), instead of « TOTP devices » under « Otp_Totp ».
admin.site.unregister(TOTPDevice)
admin.site.register(AppareilTOTP, TOTPDeviceAdmin)
