from django.urls import path

from . import views

app_name = "centres"
urlpatterns = [
    path("fiche/", views.fiche_centre, name="fiche"),
    path("fiche/modifier/", views.fiche_centre_edit, name="fiche_edit"),
    path("utilisateurs/", views.utilisateurs, name="utilisateurs"),
    path("changer/", views.switch_centre, name="switch"),
    path("utilisateurs/creer/", views.demande_compte, name="demande_compte"),
    path(
        "utilisateurs/<int:pk>/desactiver/",
        views.demande_desactivation_confirm,
        name="demande_desactivation_confirm",
    ),
    path(
        "utilisateurs/<int:pk>/desactiver/confirmer/",
        views.demande_desactivation,
        name="demande_desactivation",
    ),
]
