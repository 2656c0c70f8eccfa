"""Personal API tokens of the Passeport app: shown once, stored hashed, expiring, revocable."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

PREFIX = "pc_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(
        "nom", max_length=100, blank=True, help_text="Par exemple la tablette qui l'utilise."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField("début du jeton", max_length=12, editable=False)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    expires_at = models.DateTimeField("expire le")
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user, name: str = "") -> tuple["ApiToken", str]:
        """A new token for `user`; returns it with the raw secret, which is never stored nor shown again."""
        raw = PREFIX + secrets.token_urlsafe(32)
        lifetime = timezone.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)
        token = cls.objects.create(
            user=user,
            name=name[:100],
            key_hash=hash_token(raw),
            prefix=raw[:10],
            expires_at=timezone.now() + lifetime,
        )
        return token, raw

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
