from django.urls import path

from . import views

app_name = "messagerie"
urlpatterns = [
    path("", views.conversation_list, name="list"),
    path("nouvelle-demande/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/repondre/", views.reply, name="reply"),
    path("<int:pk>/pieces-jointes/<int:piece_pk>/", views.attachment, name="attachment"),
]
