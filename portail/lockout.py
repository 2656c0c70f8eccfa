"""What a client locked out by django-axes (too many failed logins) receives: the French page for people,
JSON with a stable code for the Passeport API."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": "locked_out",
                "message": "Trop d'essais : compte bloqué pendant 15 minutes pour cette adresse.",
            },
            status=settings.AXES_HTTP_RESPONSE_CODE,
        )
    return render(request, "registration/lockout.html", status=settings.AXES_HTTP_RESPONSE_CODE)
