"""The one answer to "which address is this client?", for every throttle (public site, API tokens, login
lockout).

`X-Forwarded-For` is written by whoever sends the request: it is trusted only as far as the proxies the
deployment declares in `TRUSTED_PROXY_COUNT` (0 by default: the header is ignored, the client is the TCP
peer, REMOTE_ADDR). With N trusted proxies in front of the portal, each appends the address it received the
request from, so the client is the N-th address from the right; whatever the client wrote before them is
ignored. A header with fewer addresses than declared proxies gives its left-most one (as Django REST
framework's NUM_PROXIES does)."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        forwarded = [a for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            chosen = _valid(forwarded[-min(count, len(forwarded))])
            if chosen:
                return chosen
    return remote
