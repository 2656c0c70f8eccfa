from django.urls import path

from . import after_views, calendar_views, views

app_name = "sessions"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("calendrier/", calendar_views.calendrier, name="calendrier"),
    path("calendrier/nouvelle-adresse/", calendar_views.calendrier_renouveler, name="calendrier_renouveler"),
    path("creer/", views.create, name="create"),
    path("creer/date-et-lieu/", views.create_date, name="create_date"),
    path("creer/places/", views.create_places, name="create_places"),
    path("creer/tarifs/", views.create_tarifs, name="create_tarifs"),
    path("<int:numero>/", views.detail, name="detail"),
    path("<int:numero>/modifier/", views.edit, name="edit"),
    path("<int:numero>/ouvrir/", views.open_enrolment, name="open"),
    path("<int:numero>/annuler/", views.cancel_confirm, name="cancel_confirm"),
    path("<int:numero>/annuler/confirmer/", views.cancel, name="cancel"),
    path("<int:numero>/documents/", views.documents, name="documents"),
    path("<int:numero>/documents/<int:pk>/", views.document_download, name="document"),
    path("<int:numero>/documents/bon-de-commande/signer/", views.sign_confirm, name="sign_confirm"),
    path("<int:numero>/documents/bon-de-commande/signer/confirmer/", views.sign, name="sign"),
    path("<int:numero>/mise-en-correction/", after_views.mise_en_correction, name="correction"),
    path("<int:numero>/resultats/", after_views.resultats, name="resultats"),
    path("<int:numero>/resultats/export.xlsx", after_views.resultats_export, name="resultats_export"),
    path("<int:numero>/attestations.zip", after_views.attestations_zip, name="attestations_zip"),
]
