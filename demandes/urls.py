from django.urls import path

from . import views

app_name = "demandes"
urlpatterns = [
    path("", views.liste, name="list"),
    path("inscription/<int:numero>/<str:kind>/", views.nouvelle, name="nouvelle"),
    path("<int:numero>/reinscrire/", views.reinscrire, name="reinscrire"),
]
