from centres.roles import CentrePermissions
from messagerie.models import Conversation


def portal(request):
    """What the base layout shows: current centre, role, centre switcher, unread messages; `can`, what the
    current role may do (`{% if can.manage_sessions %}`: the role table of centres.roles, never a role string)."""
    membership = getattr(request, "membership", None)
    # DRF pages (the API's documentation) replace request.user with the API's own (token) user.
    if membership is None or not request.user.is_authenticated:
        return {"can": CentrePermissions(None)}
    return {
        "can": CentrePermissions(membership.role),
        "current_membership": membership,
        "current_centre": membership.centre,
        "other_memberships": [m for m in request.user.portal_memberships() if m.pk != membership.pk],
        "unread_conversations": Conversation.objects.for_centre(membership.centre).unread_by_centre().count(),
    }
