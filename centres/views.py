from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.errors import BusinessError
from messagerie.account_requests import request_account, request_deactivation

from .forms import AccountRequestForm, CentreFicheForm, PortalAuthenticationForm
from .models import Membership
from .roles import Permission, Role
from .services import update_centre_fiche
from .tenancy import CENTRE_SESSION_KEY, centre_view, get_for_centre


class LoginView(auth_views.LoginView):
    form_class = PortalAuthenticationForm
    redirect_authenticated_user = True


@require_POST
@centre_view(Permission.PORTAL)
def switch_centre(request):
    """The centre switcher of users who belong to several centres."""
    wanted = request.POST.get("centre")
    membership = request.user.portal_memberships().filter(centre_id=wanted).first()
    if membership is None:
        messages.error(request, "Ce centre ne fait pas partie de vos centres.")
    else:
        request.session[CENTRE_SESSION_KEY] = membership.centre_id
        messages.success(request, f"Vous travaillez maintenant pour le centre {membership.centre.nom}.")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    return redirect(next_url)


@centre_view(Permission.PORTAL)
def fiche_centre(request):
    return render(request, "centres/fiche.html", {"centre": request.centre})


@centre_view(Permission.EDIT_CENTRE)
def fiche_centre_edit(request):
    form = CentreFicheForm(request.POST or None, instance=request.centre)
    if request.method == "POST" and form.is_valid():
        update_centre_fiche(
            centre=request.centre, data={f: form.cleaned_data[f] for f in form.changed_data}, by=request.user
        )
        messages.success(request, "La fiche du centre a été enregistrée.")
        return redirect("centres:fiche")
    return render(request, "centres/fiche_edit.html", {"form": form})


@centre_view(Permission.PORTAL)
def utilisateurs(request):
    memberships = (
        Membership.objects.for_centre(request.centre)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    page = Paginator(memberships, 25).get_page(request.GET.get("page"))
    return render(request, "centres/utilisateurs.html", {"page": page})


@centre_view(Permission.REQUEST_ACCOUNTS)
def demande_compte(request):
    """ "Création d'un utilisateur centre": filed as a conversation with FDA (Responsables only)."""
    form = AccountRequestForm(
        request.POST or None, request.FILES or None, user=request.user, current_centre=request.centre
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account_request = request_account(
                centre=data["centre"],
                by=request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                role=data["role"],
                genre=data["genre"],
                telephone=data["telephone"],
                document=data["document"],
            )
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            destinataire = (
                "au service pédagogique"
                if account_request.role == Role.EVALUATEUR
                else "à votre chargé(e) de clientèle"
            )
            messages.success(request, f"Votre demande a été envoyée {destinataire} via la messagerie.")
            if account_request.centre_id == request.centre.pk:
                return redirect("messagerie:detail", pk=account_request.conversation_id)
            return redirect("centres:utilisateurs")
    return render(request, "centres/demande_compte.html", {"form": form})


@centre_view(Permission.REQUEST_ACCOUNTS)
def demande_desactivation_confirm(request, pk):
    membership = get_for_centre(Membership.objects.select_related("user"), request.centre, pk=pk)
    return render(request, "centres/demande_desactivation.html", {"membership": membership})


@require_POST
@centre_view(Permission.REQUEST_ACCOUNTS)
def demande_desactivation(request, pk):
    membership = get_for_centre(Membership.objects.select_related("user", "centre"), request.centre, pk=pk)
    try:
        account_request = request_deactivation(membership=membership, by=request.user)
    except BusinessError as exc:
        messages.error(request, exc.message)
        return redirect("centres:utilisateurs")
    messages.success(request, "Votre demande de désactivation a été envoyée via la messagerie.")
    return redirect("messagerie:detail", pk=account_request.conversation_id)
