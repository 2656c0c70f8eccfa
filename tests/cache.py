"""Emptying the cache between tests without touching another test process's keys (pytest-xdist workers share
one Redis database; settings give each its own KEY_PREFIX)."""

from django.conf import settings
from django.core.cache import cache


def clear_own_cache() -> None:
    prefix = settings.CACHES["default"].get("KEY_PREFIX")
    if not prefix or "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        cache.clear()  # a per-process cache (local memory)
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
