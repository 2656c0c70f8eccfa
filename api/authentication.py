"""`Authorization: Bearer pc_…`: a personal token, looked up by its hash, neither revoked nor expired."""

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiToken, hash_token

# last_used_at is written at most once a minute per token: the app polls, the database need not follow.
TOUCH_EVERY = timezone.timedelta(minutes=1)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "En-tête Authorization invalide : « Bearer <jeton> ».", code="invalid_token"
            )
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(header[1])).first()
        now = timezone.now()
        if token is None or token.revoked or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Jeton inconnu ou révoqué.", code="invalid_token")
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(
                "Jeton expiré : demandez-en un nouveau.", code="token_expired"
            )
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the schema describes the token (drf-spectacular picks this up when the module is imported)."""

    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Jeton personnel « pc_… » (POST /api/v1/auth/token/).",
        }
