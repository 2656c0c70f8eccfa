"""The centre's requests: file one on a candidate, list them, re-enrol a candidate after a validated report."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from candidats.models import Inscription
from centres.roles import Permission
from centres.tenancy import centre_view, get_for_centre
from core.errors import BusinessError

from . import services
from .forms import LABELS, DemandeFilterForm, DemandeForm, ReinscriptionForm
from .models import Demande, DemandeKind

PER_PAGE = 25


@centre_view(Permission.MAKE_DEMANDES)
def nouvelle(request, numero: int, kind: str):
    if kind not in DemandeKind.values:
        raise Http404
    inscription = get_for_centre(
        Inscription.objects.select_related("candidat", "session__produit"), request.centre, numero=numero
    )
    try:
        services.check_can_file(inscription, kind)
    except BusinessError as exc:
        messages.error(request, exc.message)
        return redirect("candidats:inscription", numero=numero)
    form = DemandeForm(request.POST or None, request.FILES or None, kind=kind, inscription=inscription)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            demande = services.file_demande(
                inscription,
                kind,
                by=request.user,
                description=cd["description"],
                sous_type=cd.get("sous_type", ""),
                epreuve=cd.get("epreuve"),
                justificatifs=cd["justificatifs"],
            )
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"Demande n°{demande.numero} ({demande.get_kind_display().lower()}) envoyée au FDA : "
                f"{demande.status_text[:1].lower()}{demande.status_text[1:]}.",  # « … par le FDA »
            )
            return redirect("candidats:inscription", numero=numero)
    return render(
        request,
        "demandes/nouvelle.html",
        {
            "inscription": inscription,
            "session": inscription.session,
            "form": form,
            "kind": kind,
            "titre": LABELS[kind],
        },
    )


@centre_view(Permission.PORTAL)
def liste(request):
    form = DemandeFilterForm(request.GET or None)
    qs = (
        Demande.objects.for_centre(request.centre)
        .select_related("inscription__candidat", "inscription__session__produit", "epreuve")
        .order_by("-created_at", "-numero")
    )
    if form.is_valid():
        if form.cleaned_data["kind"]:
            qs = qs.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["statut"]:
            qs = qs.filter(statut=form.cleaned_data["statut"])
    params = request.GET.copy()
    params.pop("page", None)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    for demande in page:
        demande.can_reinscribe = services.can_reinscribe(demande)
    return render(
        request, "demandes/liste.html", {"form": form, "page": page, "query_string": params.urlencode()}
    )


@centre_view(Permission.ENROL_CANDIDATES)
def reinscrire(request, numero: int):
    """ "Réinscrire le candidat" after a validated report."""
    demande = get_for_centre(
        Demande.objects.select_related("inscription__candidat", "inscription__session__produit"),
        request.centre,
        numero=numero,
    )
    if (refusal := services.cannot_reinscribe(demande)) is not None:
        messages.error(request, refusal)
        return redirect("candidats:inscription", numero=demande.inscription.numero)
    form = ReinscriptionForm(request.POST or None, sessions=services.reinscription_sessions(demande))
    if request.method == "POST" and form.is_valid():
        try:
            new = services.reinscrire(demande, form.cleaned_data["session"], by=request.user)
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"{new.candidat} est réinscrit(e) dans la session {new.session.numero} (inscription {new.numero}), "
                "sans nouveau paiement.",
            )
            return redirect("candidats:inscription", numero=new.numero)
    return render(request, "demandes/reinscrire.html", {"demande": demande, "form": form})
