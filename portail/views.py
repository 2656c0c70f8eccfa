from django.shortcuts import render

from centres.tenancy import centre_view
from sessions_app.models import Session


@centre_view()
def dashboard(request):
    """Tableau de bord: INFORMATIONS, RESTE À TRAITER, LISTE DES 5 PROCHAINES SESSIONS."""
    centre = request.centre
    prochaines = Session.objects.for_centre(centre).upcoming().select_related("produit").order_by("date", "heure")[:5]
    informations = centre.notifications.order_by("-created_at")[:10]
    return render(
        request, "dashboard.html", {"prochaines_sessions": prochaines, "informations": informations}
    )
