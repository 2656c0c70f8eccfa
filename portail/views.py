from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode

from centres.roles import Permission
from centres.tenancy import centre_view

from . import selectors

SESSIONS_SHOWN = 10


@centre_view(Permission.PORTAL)
def dashboard(request):
    """Tableau de bord: INFORMATIONS, RESTE À TRAITER, LISTE DES 5 PROCHAINES SESSIONS."""
    centre = request.centre
    return render(
        request,
        "dashboard.html",
        {
            "informations": selectors.informations(centre),
            "a_traiter": selectors.reste_a_traiter(centre),
            "prochaines_sessions": selectors.prochaines_sessions(centre),
        },
    )


@centre_view(Permission.PORTAL)
def recherche(request):
    """The header's search box: sessions by number, candidates by name / number / e-mail, in this centre."""
    q = request.GET.get("q", "").strip()[:100]
    sessions, more_sessions, inscriptions = [], False, None
    if q:
        # Sessions by number: the first ones only (a number is precise); candidates: paginated.
        sessions = list(selectors.search_sessions(request.centre, q)[: SESSIONS_SHOWN + 1])
        more_sessions = len(sessions) > SESSIONS_SHOWN
        sessions = sessions[:SESSIONS_SHOWN]
        inscriptions = Paginator(selectors.search_inscriptions(request.centre, q), 20).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "recherche.html",
        {
            "q": q,
            "sessions": sessions,
            "more_sessions": more_sessions,
            "page": inscriptions,
            "query_string": urlencode({"q": q}),
        },
    )
