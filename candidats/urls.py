from django.urls import path

from . import convocation_views, import_views, session_day_views, views

app_name = "candidats"
urlpatterns = [
    path("", views.inscriptions, name="inscriptions"),
    path("export.xlsx", views.inscriptions_export, name="inscriptions_export"),
    path("session/<int:numero>/", views.session_candidats, name="session_candidats"),
    path("session/<int:numero>/inscrire/", views.inscrire, name="inscrire"),
    path("session/<int:numero>/modele.xlsx", import_views.import_template, name="import_template"),
    path("session/<int:numero>/import/", import_views.import_upload, name="import"),
    path("session/<int:numero>/import/<int:pk>/", import_views.import_job, name="import_job"),
    path(
        "session/<int:numero>/import/<int:pk>/erreurs.xlsx",
        import_views.import_errors_file,
        name="import_errors_file",
    ),
    path(
        "session/<int:numero>/import/<int:pk>/confirmer/", import_views.import_confirm, name="import_confirm"
    ),
    path("session/<int:numero>/absents/", session_day_views.absents, name="absents"),
    path("session/<int:numero>/candidats-virtuels/", session_day_views.virtuels, name="virtuels"),
    path("session/<int:numero>/convocations.pdf", convocation_views.all_pdf, name="convocations_pdf"),
    path(
        "session/<int:numero>/convocations/renvoyer/",
        convocation_views.resend_all,
        name="convocations_resend",
    ),
    path(
        "inscription/<int:numero>/convocation/renvoyer/", convocation_views.resend, name="convocation_resend"
    ),
    path("inscription/<int:numero>/", session_day_views.inscription_detail, name="inscription"),
    path("inscription/<int:numero>/modifier/", views.inscription_edit, name="inscription_edit"),
    path("inscription/<int:numero>/absence/", session_day_views.absence, name="absence"),
    path("inscription/<int:numero>/<str:kind>/", session_day_views.capture, name="capture"),
    path(
        "inscription/<int:numero>/<str:kind>/envoyer/",
        session_day_views.capture_upload,
        name="capture_upload",
    ),
    path("pre-inscriptions/", views.pre_inscriptions, name="pre_inscriptions"),
    path(
        "pre-inscriptions/<int:pk>/transferer/",
        views.pre_inscription_transfer,
        name="pre_inscription_transfer",
    ),
    path(
        "pre-inscriptions/<int:pk>/decliner/", views.pre_inscription_decline, name="pre_inscription_decline"
    ),
    path("demandes-de-contact/", views.contacts, name="contacts"),
    path("demandes-de-contact/<int:pk>/", views.contact_detail, name="contact"),
    path("demandes-de-contact/<int:pk>/traitee/", views.contact_close, name="contact_close"),
]
