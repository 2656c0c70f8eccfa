from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .forms import CentreFicheForm, PortalAuthenticationForm
from .models import Membership
from .roles import Role
from .services import update_centre_fiche
from .tenancy import CENTRE_SESSION_KEY, centre_view


class LoginView(auth_views.LoginView):
    form_class = PortalAuthenticationForm
    redirect_authenticated_user = True


@require_POST
@centre_view()
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


@centre_view()
def fiche_centre(request):
    return render(request, "centres/fiche.html", {"centre": request.centre})


@centre_view(roles={Role.RESPONSABLE})
def fiche_centre_edit(request):
    form = CentreFicheForm(request.POST or None, instance=request.centre)
    if request.method == "POST" and form.is_valid():
        update_centre_fiche(
            centre=request.centre, data={f: form.cleaned_data[f] for f in form.changed_data}, by=request.user
        )
        messages.success(request, "La fiche du centre a été enregistrée.")
        return redirect("centres:fiche")
    return render(request, "centres/fiche_edit.html", {"form": form})


@centre_view()
def utilisateurs(request):
    memberships = (
        Membership.objects.for_centre(request.centre).select_related("user").order_by("user__last_name", "user__first_name")
    )
    page = Paginator(memberships, 25).get_page(request.GET.get("page"))
    return render(request, "centres/utilisateurs.html", {"page": page})
