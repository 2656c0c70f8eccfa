from django.urls import path

from . import public_views

app_name = "public"
urlpatterns = [
    path("", public_views.centres, name="centres"),
    path("centre/<str:code>/", public_views.centre, name="centre"),
    path("centre/<str:code>/pre-inscription/", public_views.pre_inscription, name="pre_inscription"),
    path("centre/<str:code>/pre-inscription/merci/", public_views.merci, name="merci"),
    path("centre/<str:code>/contact/", public_views.contact, name="contact"),
    path("centre/<str:code>/contact/merci/", public_views.merci_contact, name="merci_contact"),
]
