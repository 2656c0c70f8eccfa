"""Requests whose address carries control characters (NUL, ESC…, typed by nobody): a query string is answered
400 with a French message, a path 404 (it names no page), before any view reads them. PostgreSQL refuses a NUL in any text, so `/recherche/?q=%00` reached the
database and answered 500; every query string and path is checked here, once, rather than in each view. Form
fields are not refused: what people type goes through the normaliser (core.forms), which removes them."""

from __future__ import annotations

import unicodedata

from django.http import Http404, JsonResponse
from django.shortcuts import render

MESSAGE = "Cette adresse contient des caractères de contrôle (par exemple un caractère nul) : elle ne peut pas être lue."
ALLOWED = frozenset("\t\n\r")


def has_control_characters(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" and char not in ALLOWED for char in text)


class RejectControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_control_characters(request.path):
            # A path with control characters names nothing: the 404 of the portal, or the API's JSON 404 (the
            # same body as api.views.route_not_found; the kernel does not import the API).
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "not_found", "message": "Introuvable."}, status=404)
            raise Http404("Page introuvable.")
        if any(
            has_control_characters(key) or any(has_control_characters(v) for v in values)
            for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "bad_request", "message": MESSAGE}, status=400)
            return render(request, "400.html", {"message": MESSAGE}, status=400)
        return self.get_response(request)
