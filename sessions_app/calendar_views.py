"""Sessions → Calendrier (the month view) and the private iCalendar feed (/calendrier/<token>.ics)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from centres.roles import Permission
from centres.tenancy import centre_view
from core.downloads import file_response

from . import calendar
from .models import SessionStatus


@centre_view(Permission.PORTAL)
def calendrier(request):
    month = calendar.parse_month(request.GET.get("mois"))
    previous_month, next_month = calendar.shift_month(month, -1), calendar.shift_month(month, 1)
    token = calendar.token_for(request.user)
    return render(
        request,
        "sessions_app/calendrier.html",
        {
            "month": month,
            "title": calendar.month_title(month),
            "weeks": calendar.month_weeks(request.centre, month),
            "weekdays": calendar.WEEKDAYS,
            "previous_month": previous_month,
            "next_month": next_month,
            "today": timezone.localdate(),
            "statuses": SessionStatus,
            "feed_url": request.build_absolute_uri(reverse("calendrier_ics", args=[token.jeton])),
        },
    )


@require_POST
@centre_view(Permission.PORTAL)
def calendrier_renouveler(request):
    calendar.renew_token(request.user)
    messages.success(
        request,
        "L'ancienne adresse du calendrier est révoquée. Abonnez votre agenda à la nouvelle adresse ci-dessous.",
    )
    return redirect("sessions:calendrier")


def calendrier_ics(request, jeton):
    """The feed: no login (a calendar application has none), the secret token is the credential."""
    user = calendar.user_for_token(jeton)
    if user is None:
        raise Http404("Adresse de calendrier inconnue ou révoquée.")
    response = file_response(
        "sessions.ics",
        "text/calendar; charset=utf-8",
        calendar.feed(user, site_url=request.build_absolute_uri("/")),
        as_attachment=False,
    )
    response["Cache-Control"] = "private, max-age=300"
    return response
