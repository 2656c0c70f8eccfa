import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from centres.roles import Permission
from centres.tenancy import centre_view
from core.errors import BusinessError

from . import scales, selectors
from .filters import ProduitFilter
from .forms import TarifsForm
from .models import Produit
from .services import set_tarifs

# Tarifs may be set by the Responsable and the Administratif of the centre (the portal roles).


def _query_string(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@centre_view(Permission.PORTAL)
def produits(request):
    """Mon centre → Tarifs: FDA's catalogue with the guide's columns and filters."""
    filterset = ProduitFilter(request.GET or None, queryset=selectors.produits_for_list(request.centre))
    page = Paginator(filterset.qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "tarifs/produits.html",
        {"filter": filterset, "page": page, "query_string": _query_string(request)},
    )


@centre_view(Permission.PORTAL)
def produit(request, numero):
    """Identité du produit, the centre's tarifs for it and their history."""
    produit = get_object_or_404(Produit.objects.prefetch_related("epreuves"), numero=numero)
    return render(
        request,
        "tarifs/produit.html",
        {
            "produit": produit,
            "lignes": selectors.tarif_lines(request.centre, produit),
            "historique": selectors.tarif_history(request.centre, produit),
        },
    )


@centre_view(Permission.DEFINE_TARIFS)
def definir(request, numero):
    """Définir les tarifs: one price (non-modular) or one per épreuve (modular)."""
    produit = get_object_or_404(Produit.objects.prefetch_related("epreuves"), numero=numero)
    initial = {k: t.montant for k, t in selectors.centre_tarifs(request.centre, produit).items()}
    form = TarifsForm(request.POST or None, produit=produit, initial_montants=initial)
    if request.method == "POST" and form.is_valid():
        try:
            set_tarifs(centre=request.centre, produit=produit, montants=form.montants(), by=request.user)
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Les tarifs du produit « {produit.nom} » ont été enregistrés.")
            return redirect("tarifs:produit", numero=produit.numero)
    return render(request, "tarifs/definir.html", {"produit": produit, "form": form})


@centre_view(Permission.PORTAL)
def baremes(request):
    """Mon centre → Barèmes (read-only): for each product, the scales and level tables in force at a date,
    with their source — which NCLC or CECRL level a score gives. Five queries whatever the date."""
    day = timezone.localdate()
    raw = request.GET.get("date", "").strip()
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            messages.error(request, f"« {raw} » n'est pas une date (format attendu : AAAA-MM-JJ).")
    books = scales.load_books(day)
    produits = []
    for produit in Produit.objects.prefetch_related("epreuves").order_by("numero"):
        book = books.get(produit.code)
        epreuves = sorted(produit.epreuves.all(), key=lambda e: (e.ordre, e.code))
        produits.append(
            {
                "produit": produit,
                "scales": [(e, book.scales.get(e.code)) for e in epreuves] if book else [],
                "tables": selectors.tables_for_display(book, epreuves) if book else [],
            }
        )
    return render(request, "tarifs/baremes.html", {"day": day, "produits": produits})
