from django.urls import path

from . import views

app_name = "centres"
urlpatterns = [
    path("fiche/", views.fiche_centre, name="fiche"),
    path("fiche/modifier/", views.fiche_centre_edit, name="fiche_edit"),
    path("utilisateurs/", views.utilisateurs, name="utilisateurs"),
    path("changer/", views.switch_centre, name="switch"),
]
