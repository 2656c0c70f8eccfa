"""The Passeport capture API: tokens, the sessions of a day, their enrolments, photo / signature / EO uploads.

Scoped to the user's centres (404 for anything else), rights from the guide's matrix (centres/roles.py: 403
when the role lacks the right), uploads through candidats.captures like the portal's (re-encoded, idempotent)."""

import datetime as dt

from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth import authenticate
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    parser_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from candidats import captures
from candidats.models import Inscription, InscriptionEpreuve
from centres.models import Membership
from centres.roles import Permission, role_can, roles_with
from core.net import client_ip
from sessions_app.models import Session

from . import serializers as s
from .errors import error
from .models import ApiToken

PASSEPORT = (Permission.PASSEPORT_PHOTO, Permission.PASSEPORT_SIGNATURE, Permission.PASSEPORT_EO)
ERRORS = {code: OpenApiResponse(s.ErrorSerializer) for code in (400, 401, 403, 404)}
UPLOADS = {
    "photo": (captures.CAPTURE_PERMISSIONS[captures.PHOTO], captures.store_photo),
    "signature": (captures.CAPTURE_PERMISSIONS[captures.SIGNATURE], captures.store_signature),
    "enregistrement-eo": (captures.CAPTURE_PERMISSIONS[captures.EO], captures.store_eo_recording),
}


@csrf_exempt
def route_not_found(request, *args, **kwargs):
    """A path under /api/ that matches no route: the API's JSON error, never Django's HTML 404, whatever the
    method. Plain Django view (no authentication, no CSRF: like the API's own views): it reveals nothing."""
    return JsonResponse({"code": "not_found", "message": "Introuvable."}, status=404)


def roles_by_centre(user) -> dict[int, str]:
    """The user's active roles that give any Passeport right, by centre id."""
    return {
        m.centre_id: m.role
        for m in Membership.objects.active().filter(user=user)
        if any(role_can(m.role, p) for p in PASSEPORT)
    }


class TokenThrottle(AnonRateThrottle):
    """Token requests per IP address (settings REST_FRAMEWORK DEFAULT_THROTTLE_RATES "api_token")."""

    scope = "api_token"

    def get_ident(self, request):
        # DRF would read X-Forwarded-For whatever sent it (NUM_PROXIES unset): the portal's one answer instead.
        return client_ip(request)


@extend_schema(
    request=s.TokenRequestSerializer,
    responses={201: s.NewTokenSerializer, 429: s.ErrorSerializer, **ERRORS},
    summary="Obtenir un jeton personnel (e-mail + mot de passe)",
    auth=[],
)
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([TokenThrottle])
@parser_classes([JSONParser, FormParser])
def obtain_token(request):
    data = s.TokenRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        user = authenticate(
            request._request, username=data.validated_data["email"], password=data.validated_data["password"]
        )
    except AxesBackendPermissionDenied:
        user = None  # locked out: axes' middleware answers (portail.lockout, JSON for the API)
    if user is None:
        return error("invalid_credentials", "Adresse e-mail ou mot de passe incorrect.", 401)
    if not roles_by_centre(user):
        return error("no_centre", "Ce compte n'a aucun droit Passeport dans un centre actif.", 403)
    token, raw = ApiToken.issue(user, data.validated_data.get("name", ""))
    return Response(
        {"id": token.pk, "token": raw, "expires_at": token.expires_at}, status=status.HTTP_201_CREATED
    )


def _revocable(user):
    """Own tokens, and the tokens of the users of the centres where the user manages accounts (Responsable)."""
    managers = roles_with(Permission.REQUEST_ACCOUNTS)
    centres = Membership.objects.active().filter(user=user, role__in=managers).values("centre_id")
    colleagues = Membership.objects.filter(centre_id__in=centres).values("user_id")
    return ApiToken.objects.filter(user_id__in=colleagues) | ApiToken.objects.filter(user=user)


@extend_schema(
    responses={200: s.TokenSerializer(many=True), **ERRORS},
    summary="Mes jetons (et ceux de mon centre pour un Responsable)",
)
@api_view(["GET"])
def tokens(request):
    qs = _revocable(request.user).select_related("user").order_by("-created_at")[:200]
    return Response(s.TokenSerializer(qs, many=True).data)


@extend_schema(responses={204: None, **ERRORS}, summary="Révoquer un jeton")
@api_view(["DELETE"])
def revoke_token(request, pk: int):
    token = get_object_or_404(_revocable(request.user), pk=pk)
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now(), revoked_by=request.user)
    return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    parameters=[
        OpenApiParameter("date", OpenApiTypes.DATE, description="Jour voulu (aujourd'hui par défaut).")
    ],
    responses={200: s.SessionSerializer(many=True), **ERRORS},
    summary="Sessions du jour de mes centres",
)
@api_view(["GET"])
def sessions_of_day(request):
    raw = request.query_params.get("date")
    try:
        day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        return error("invalid", "Date invalide : format AAAA-MM-JJ.", 400)
    qs = (
        Session.objects.filter(centre_id__in=roles_by_centre(request.user), date=day)
        .select_related("centre", "produit")
        .order_by("heure", "numero")
    )
    return Response(s.SessionSerializer(qs, many=True).data)


@extend_schema(
    responses={200: s.InscriptionSerializer(many=True), **ERRORS}, summary="Inscriptions d'une session"
)
@api_view(["GET"])
def session_inscriptions(request, numero: int):
    session = get_object_or_404(Session, numero=numero, centre_id__in=roles_by_centre(request.user))
    qs = (
        Inscription.objects.filter(session=session)
        .select_related("candidat")
        .prefetch_related(Prefetch("epreuves", queryset=InscriptionEpreuve.objects.select_related("epreuve")))
        .order_by("candidat__nom", "candidat__prenom", "numero")
    )
    return Response(s.InscriptionSerializer(qs, many=True).data)


@extend_schema(
    request={"multipart/form-data": s.UploadSerializer},
    responses={
        200: s.UploadResultSerializer,
        409: s.ErrorSerializer,
        413: s.ErrorSerializer,
        415: s.ErrorSerializer,
        **ERRORS,
    },
    summary="Déposer la photo, la signature ou l'enregistrement EO d'une inscription",
    description="Photo et signature : Responsable, Administratif, Évaluateur. Enregistrement EO : Évaluateur. "
    "Un nouvel envoi du même fichier ne crée rien (changed = false).",
)
@api_view(["PUT"])
@parser_classes([MultiPartParser])
def upload(request, numero: int, kind: str):
    if kind not in UPLOADS:
        return error("not_found", "Introuvable.", 404)
    roles = roles_by_centre(request.user)
    inscription = get_object_or_404(
        Inscription.objects.select_related("session"), numero=numero, session__centre_id__in=roles
    )
    permission, store = UPLOADS[kind]
    if not role_can(roles[inscription.session.centre_id], permission):
        raise PermissionDenied()
    data = s.UploadSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    changed = store(inscription, data.validated_data["fichier"], by=request.user)
    return Response({"numero": inscription.numero, "changed": changed})
