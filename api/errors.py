"""Every API error is JSON `{"code": "...", "message": "<français>"}` with a stable code."""

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.errors import BusinessError
from core.uploads import FILE_TOO_LARGE, UNSUPPORTED_FILE

BUSINESS_STATUS = {
    FILE_TOO_LARGE: status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    UNSUPPORTED_FILE: status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
    "wrong_status": status.HTTP_409_CONFLICT,
}
MESSAGES = {
    exceptions.NotAuthenticated: (
        "not_authenticated",
        "Authentification requise : « Authorization: Bearer <jeton> ».",
    ),
    exceptions.PermissionDenied: ("permission_denied", "Votre rôle ne donne pas ce droit."),
    exceptions.NotFound: ("not_found", "Introuvable."),
    exceptions.MethodNotAllowed: ("method_not_allowed", "Méthode non autorisée."),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "Type de contenu non accepté."),
    exceptions.Throttled: ("throttled", "Trop de demandes : réessayez dans quelques instants."),
    exceptions.NotAcceptable: ("not_acceptable", "Format de réponse non disponible."),
    exceptions.ParseError: ("parse_error", "Requête illisible."),
}


def error(code: str, message: str, http_status: int, **extra) -> Response:
    return Response({"code": code, "message": message, **extra}, status=http_status)


def handler(exc, context):
    if isinstance(exc, BusinessError):
        return error(
            exc.code or "invalid", exc.message, BUSINESS_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST)
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"code": "invalid", "message": "Données invalides.", "errors": response.data}
        return response
    code, message = next(
        ((c, m) for kind, (c, m) in MESSAGES.items() if isinstance(exc, kind)),
        (getattr(exc, "default_code", "error"), str(exc.detail)),
    )
    if isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else code
        message = str(exc.detail) if isinstance(exc, exceptions.AuthenticationFailed) else message
    response.data = {"code": code, "message": message}
    return response
