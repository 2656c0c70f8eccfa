"""Mon centre → Statistiques: the centre's figures for a period and a product, each as a chart, a table
and a download (?export=<table>&format=csv|xlsx)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render

from centres.roles import Permission
from centres.tenancy import centre_view
from core.downloads import file_response
from core.spreadsheets import XLSX
from sessions_app.models import Session
from tarifs.models import Produit

from . import statistics
from .forms import StatistiquesForm


def download(tableau, fmt: str, prefix: str) -> HttpResponse:
    name = f"{prefix}-{tableau.slug}"
    if fmt == "xlsx":
        return file_response(f"{name}.xlsx", XLSX, statistics.tableau_xlsx(tableau))
    if fmt == "csv":
        return file_response(f"{name}.csv", "text/csv; charset=utf-8", statistics.tableau_csv(tableau))
    raise Http404("Format inconnu.")


def export_query(request) -> str:
    """The filters of the page, kept in each download link."""
    params = request.GET.copy()
    for key in ("export", "format"):
        params.pop(key, None)
    return params.urlencode()


@centre_view(Permission.PORTAL)
def statistiques(request):
    centre = request.centre
    produits = Produit.objects.filter(pk__in=Session.objects.for_centre(centre).values("produit")).order_by(
        "nom"
    )
    form = StatistiquesForm(request.GET or None, produits=produits)
    periode, produit = form.periode_and_produit()
    tableaux = statistics.centre_statistics(centre, periode, produit)
    wanted = request.GET.get("export")
    if wanted:
        for tableau in tableaux:
            if tableau.slug == wanted:
                return download(tableau, request.GET.get("format", "csv"), f"statistiques-{centre.code}")
        raise Http404("Tableau inconnu.")
    return render(
        request,
        "portail/statistiques.html",
        {
            "form": form,
            "periode": periode,
            "produit": produit,
            "tableaux": tableaux,
            "export_query": export_query(request),
        },
    )
