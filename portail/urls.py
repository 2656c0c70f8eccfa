from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from api.views import route_not_found
from candidats import verification_views
from centres.forms import PortalPasswordResetForm
from centres.views import LoginView
from sessions_app.calendar_views import calendrier_ics

from . import export_views, statistics_views, views

auth_patterns = [
    path("connexion/", LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oublie/",
        # Like every e-mail of the portal: a text and an HTML part, and the link on the configured SITE_URL
        # (not whatever host the request named).
        auth_views.PasswordResetView.as_view(
            form_class=PortalPasswordResetForm,
            html_email_template_name="registration/password_reset_email_body.html",
            extra_email_context={
                "domain": urlsplit(settings.SITE_URL).netloc,
                "protocol": urlsplit(settings.SITE_URL).scheme,
            },
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oublie/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "mot-de-passe/definir/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/defini/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("mot-de-passe/changer/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/change/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("recherche/", views.recherche, name="recherche"),
    *auth_patterns,
    path("mon-centre/statistiques/", statistics_views.statistiques, name="statistiques"),
    path("exports/<int:pk>/", export_views.export_page, name="export"),
    path("exports/<int:pk>/fichier/", export_views.export_file, name="export_file"),
    path("mon-centre/", include("centres.urls")),
    path("mon-centre/tarifs/", include("tarifs.urls")),
    path("sessions/", include("sessions_app.urls")),
    path("candidats/", include("candidats.urls")),
    path("demandes/", include("demandes.urls")),
    path("messagerie/", include("messagerie.urls")),
    path("calendrier/<str:jeton>.ics", calendrier_ics, name="calendrier_ics"),
    path("preinscription/", include("candidats.public_urls")),
    path("verification/", verification_views.verification_page, name="verification"),
    path("api/v1/", include("api.urls")),
    # Any other path under /api/ (negative or unknown ids, unknown routes) answers the API's JSON 404.
    re_path(r"^api/", route_not_found),
    path("admin/", admin.site.urls),
]
