"""The centre's convocation actions: resend one (candidate page), resend all (session page, with a
confirmation), and every convocation as one PDF to print. Thin: candidats.convocations does the work."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from centres.roles import Permission
from centres.tenancy import centre_view, get_for_centre
from core.errors import BusinessError
from sessions_app.models import Session

from . import convocations
from .models import Inscription

# Whoever runs a session (the same roles as opening, editing or cancelling it).


@centre_view(Permission.RUN_SESSION)
@require_POST
def resend(request, numero: int):
    inscription = get_for_centre(
        Inscription.objects.select_related("session", "candidat"), request.centre, numero=numero
    )
    try:
        convocations.resend(inscription, by=request.user)
    except BusinessError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "La convocation va être renvoyée au candidat.")
    return redirect("candidats:inscription", numero=numero)


@centre_view(Permission.RUN_SESSION)
def resend_all(request, numero: int):
    """GET: the confirmation; POST: one resend per enrolled candidate."""
    session = get_for_centre(Session.objects.select_related("produit"), request.centre, numero=numero)
    if request.method == "POST":
        try:
            count = convocations.resend_all(session, by=request.user)
        except BusinessError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{count} convocation{'s' if count > 1 else ''} vont être renvoyées.")
        return redirect("sessions:detail", numero=numero)
    return render(
        request,
        "candidats/convocations_resend_confirm.html",
        {"session": session, "summary": convocations.summary(session)},
    )


@centre_view(Permission.RUN_SESSION)
def all_pdf(request, numero: int):
    session = get_for_centre(
        Session.objects.select_related("produit", "centre"), request.centre, numero=numero
    )
    filename, mimetype, content = convocations.all_convocations_pdf(session)
    response = HttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
