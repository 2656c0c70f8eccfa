from django.urls import path

from . import views

app_name = "tarifs"
urlpatterns = [
    path("", views.produits, name="produits"),
    path("produits/<int:numero>/", views.produit, name="produit"),
    path("produits/<int:numero>/definir/", views.definir, name="definir"),
    path("baremes/", views.baremes, name="baremes"),
]
