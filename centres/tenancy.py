"""Tenancy and permissions, in one place.

The current centre is resolved once per request (middleware); centre views declare the
permission they need with `@centre_view(Permission.X)`; objects are read through `get_for_centre()`, so that
another centre's object answers 404, never 403 (no existence leak)."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .roles import Permission

CENTRE_SESSION_KEY = "current_centre_id"


def resolve_membership(request):
    """The membership the user works in now: the one chosen in the switcher, else the first one."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = list(user.portal_memberships())
    if not memberships:
        return None
    wanted = request.session.get(CENTRE_SESSION_KEY)
    for membership in memberships:
        if membership.centre_id == wanted:
            return membership
    return memberships[0]


def centre_view(permission: str | Callable[..., str]):
    """Decorate a centre-side view with the one permission it needs (centres.roles.Permission): login
    required, a current centre required, and the current membership's role must hold `permission`
    (else 403). `permission` may be a function of the view's URL kwargs when the right depends on them
    (a photo and a signature are two Passeport rights)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = request.membership
            if membership is None:
                raise PermissionDenied("Votre compte n'est rattaché à aucun centre ayant accès au portail.")
            needed = permission(**kwargs) if callable(permission) else permission
            if not (membership.can(Permission.PORTAL) and membership.can(needed)):
                raise PermissionDenied("Votre rôle ne permet pas cette action.")
            return view(request, *args, **kwargs)

        wrapper.centre_permission = permission
        return wrapper

    return decorator


def may_open(membership, view) -> bool:
    """Whether `membership` may open `view`, by the view's own declared permission (a view not decorated by
    `centre_view`: yes). The header shows a button only where the click would be admitted. A permission that
    depends on the URL's arguments is asked of the portal right alone."""
    permission = getattr(view, "centre_permission", None)
    if permission is None:
        return True
    if membership is None or not membership.can(Permission.PORTAL):
        return False
    return callable(permission) or membership.can(permission)


def get_for_centre(queryset_or_model, centre, **lookup):
    """Fetch one object of the current centre, or 404 (also for another centre's object)."""
    queryset = getattr(queryset_or_model, "objects", queryset_or_model)
    return get_object_or_404(queryset.for_centre(centre), **lookup)
