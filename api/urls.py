from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("auth/token/", views.obtain_token, name="token"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/", views.revoke_token, name="revoke_token"),
    path("sessions/", views.sessions_of_day, name="sessions"),
    path("sessions/<int:numero>/inscriptions/", views.session_inscriptions, name="session_inscriptions"),
    path("inscriptions/<int:numero>/<str:kind>/", views.upload, name="upload"),
]
