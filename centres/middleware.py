from .tenancy import resolve_membership


class CurrentCentreMiddleware:
    """Sets `request.membership` and `request.centre` once per request (one query, for logged-in users)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = resolve_membership(request)
        request.centre = request.membership.centre if request.membership else None
        return self.get_response(request)
