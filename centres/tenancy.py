"""Tenancy and roles, in one place.

The current centre is resolved once per request (middleware); centre views declare the roles or the
permission they need with `@centre_view(...)`; objects are read through `get_for_centre()`, so that
another centre's object answers 404, never 403 (no existence leak)."""

from collections.abc import Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .roles import Permission, role_can

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


def _admits(membership, permission: str, roles: frozenset | None) -> bool:
    return role_can(membership.role, permission) and (roles is None or membership.role in roles)


def may_open(membership, view) -> bool:
    """Whether `membership` may open `view` (a view decorated by `centre_view`; other views: yes), by the
    view's own rule: the header shows a button only where the click would be admitted."""
    if not hasattr(view, "centre_permission"):
        return True
    return membership is not None and _admits(membership, view.centre_permission, view.centre_roles)


def centre_view(permission: str = Permission.PORTAL, roles: Iterable[str] | None = None):
    """Decorate a centre-side view: login required, a current centre required, and the current
    membership's role must grant `permission` (and be one of `roles` when given)."""
    allowed_roles = frozenset(roles) if roles is not None else None

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = request.membership
            if membership is None:
                raise PermissionDenied("Votre compte n'est rattaché à aucun centre ayant accès au portail.")
            if not _admits(membership, permission, allowed_roles):
                raise PermissionDenied("Votre rôle ne permet pas cette action.")
            return view(request, *args, **kwargs)

        wrapper.centre_roles = allowed_roles
        wrapper.centre_permission = permission
        return wrapper

    return decorator


def get_for_centre(queryset_or_model, centre, **lookup):
    """Fetch one object of the current centre, or 404 (also for another centre's object)."""
    queryset = getattr(queryset_or_model, "objects", queryset_or_model)
    return get_object_or_404(queryset.for_centre(centre), **lookup)
