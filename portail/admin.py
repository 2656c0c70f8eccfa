"""Back office FDA: site titles, and password + TOTP for FDA staff."""

from django.conf import settings
from django.contrib import admin

from .otp import StaffAdminSite

if settings.ADMIN_REQUIRE_OTP:
    # Password + TOTP code for the back office (FDA staff): the login page asks for both, and a session
    # that has not been verified by a device is sent back to it.
    admin.site.__class__ = StaffAdminSite

admin.site.site_header = "Portail centres — Back office FDA"
admin.site.site_title = "Back office FDA"
admin.site.index_title = "Administration du portail centres"
