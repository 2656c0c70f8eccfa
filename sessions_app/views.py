"""Sessions: list, "Créer une session" wizard, session page, cancellation, documents and signature.

Thin views: parse, call a service, turn a BusinessError into a message, redirect."""

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from candidats import attestations, billing, convocations
from candidats import documents as session_documents
from candidats.session_day import absences_open
from centres.roles import Permission
from centres.tenancy import centre_view, get_for_centre
from core.downloads import serve_file
from core.errors import BusinessError
from demandes import correction
from tarifs.models import Produit
from tarifs.selectors import centre_tarifs

from . import selectors, services
from .filters import DEFAULT_SORT, SessionFilter
from .forms import EtapeDateForm, EtapePlacesForm, EtapeProduitForm, EtapeTarifsForm, SessionEditForm
from .models import Document, Session, SessionStatus

WIZARD_KEY = "creer_session"
PER_PAGE = 25


def _query_string(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@centre_view(Permission.PORTAL)
def session_list(request):
    queryset = selectors.sessions_for_list(request.centre).order_by(*DEFAULT_SORT)
    filterset = SessionFilter(request.GET or None, queryset=queryset)
    qs = filterset.qs if filterset.is_bound else queryset
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "sessions_app/list.html",
        {"filter": filterset, "page": page, "query_string": _query_string(request)},
    )


# --- "Créer une session": 4 steps, state kept in request.session[WIZARD_KEY] --------------------------

STEPS = [
    ("sessions:create", "Produit"),
    ("sessions:create_date", "Date, heure et lieu"),
    ("sessions:create_places", "Places et affichage"),
    ("sessions:create_tarifs", "Tarifs"),
]
STEP_FIELDS = [("produit",), ("date", "heure", "lieu"), ("nb_places", "afficher_en_ligne"), ()]


def _wizard(request) -> dict:
    data = request.session.get(WIZARD_KEY) or {}
    if data.get("centre") != request.centre.pk:
        data = {"centre": request.centre.pk}
    return data


def _save_wizard(request, data: dict) -> None:
    request.session[WIZARD_KEY] = data


def _first_missing_step(data: dict, upto: int) -> int | None:
    for index in range(upto):
        if any(name not in data for name in STEP_FIELDS[index]):
            return index
    return None


def _wizard_produit(data: dict) -> Produit | None:
    return Produit.objects.prefetch_related("epreuves").filter(pk=data.get("produit")).first()


def _render_step(request, index: int, form, data: dict, **extra):
    produit = _wizard_produit(data) if index > 0 else None
    recap = None
    if index == 3:
        recap = {
            "produit": produit,
            "date": dt.date.fromisoformat(data["date"]),
            "heure": dt.time.fromisoformat(data["heure"]),
            "lieu": data["lieu"],
            "nb_places": data["nb_places"],
            "afficher_en_ligne": data["afficher_en_ligne"],
        }
    return render(
        request,
        "sessions_app/create.html",
        {
            "form": form,
            "step": index + 1,
            "steps": [label for _, label in STEPS],
            "previous_url": reverse(STEPS[index - 1][0]) if index else None,
            "produit": produit,
            "recap": recap,
            **extra,
        },
    )


def _guard(request, index: int):
    """Returns (data, redirect response or None): a step needs the data of the previous ones."""
    data = _wizard(request)
    missing = _first_missing_step(data, index)
    if index and missing is None and not Produit.objects.actifs().filter(pk=data["produit"]).exists():
        messages.error(request, "Ce produit n'est plus disponible : choisissez-en un autre.")
        data.pop("produit", None)
        _save_wizard(request, data)
        return data, redirect(STEPS[0][0])
    if missing is not None:
        if index and request.method == "POST":
            messages.error(request, "Les étapes précédentes de la création de session sont incomplètes.")
        return data, redirect(STEPS[missing][0])
    return data, None


@centre_view(Permission.MANAGE_SESSIONS)
def create(request):
    """Étape 1 : le produit."""
    data = _wizard(request)
    if request.method == "GET" and request.GET.get("nouvelle"):
        data = {"centre": request.centre.pk}
        _save_wizard(request, data)
    form = EtapeProduitForm(request.POST or None, initial={"produit": data.get("produit")})
    if request.method == "POST" and form.is_valid():
        if data.get("produit") != form.cleaned_data["produit"].pk:
            data.pop("tarifs", None)
        data["produit"] = form.cleaned_data["produit"].pk
        _save_wizard(request, data)
        return redirect("sessions:create_date")
    return _render_step(request, 0, form, data)


@centre_view(Permission.MANAGE_SESSIONS)
def create_date(request):
    """Étape 2 : date, heure, lieu de passation."""
    data, response = _guard(request, 1)
    if response:
        return response
    produit = _wizard_produit(data)
    initial = {k: data[k] for k in ("date", "heure", "lieu") if k in data}
    form = EtapeDateForm(request.POST or None, initial=initial, produit=produit)
    if request.method == "POST" and form.is_valid():
        data.update(
            date=form.cleaned_data["date"].isoformat(),
            heure=form.cleaned_data["heure"].strftime("%H:%M"),
            lieu=form.cleaned_data["lieu"],
        )
        _save_wizard(request, data)
        return redirect("sessions:create_places")
    return _render_step(request, 1, form, data)


@centre_view(Permission.MANAGE_SESSIONS)
def create_places(request):
    """Étape 3 : nombre de places disponibles, afficher en ligne."""
    data, response = _guard(request, 2)
    if response:
        return response
    initial = {k: data[k] for k in ("nb_places", "afficher_en_ligne") if k in data}
    form = EtapePlacesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data.update(
            nb_places=form.cleaned_data["nb_places"], afficher_en_ligne=form.cleaned_data["afficher_en_ligne"]
        )
        _save_wizard(request, data)
        return redirect("sessions:create_tarifs")
    return _render_step(request, 2, form, data, visibilite=request.centre.get_visibilite_display())


@centre_view(Permission.MANAGE_SESSIONS)
def create_tarifs(request):
    """Étape 4 : les tarifs, pré-remplis depuis les tarifs du centre, modifiables; then create."""
    data, response = _guard(request, 3)
    if response:
        return response
    produit = _wizard_produit(data)
    existing = {k: t.montant for k, t in centre_tarifs(request.centre, produit).items()}
    form = EtapeTarifsForm(
        request.POST or None,
        produit=produit,
        initial_montants=existing,
        initial={"enregistrer_tarif": not existing},
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.create_session(
                centre=request.centre,
                produit=produit,
                date=dt.date.fromisoformat(data["date"]),
                heure=dt.time.fromisoformat(data["heure"]),
                lieu=data["lieu"],
                nb_places=data["nb_places"],
                afficher_en_ligne=data["afficher_en_ligne"],
                tarifs=form.montants(),
                by=request.user,
                enregistrer_tarif=form.cleaned_data["enregistrer_tarif"],
            )
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            request.session.pop(WIZARD_KEY, None)
            messages.success(
                request, f"La session {session.label} a été créée : les inscriptions sont ouvertes."
            )
            return redirect("sessions:detail", numero=session.numero)
    return _render_step(request, 3, form, data, has_centre_tarif=bool(existing))


# --- Session page and actions -----------------------------------------------------------------------


@centre_view(Permission.PORTAL)
def detail(request, numero):
    session = selectors.session_for_page(request.centre, numero)
    historique = session.historique.select_related("by").order_by("at", "pk")
    tarifs = session.tarifs.select_related("epreuve").order_by("epreuve__ordre", "epreuve__code")
    bon = selectors.bon_de_commande(session)
    return render(
        request,
        "sessions_app/detail.html",
        {
            "session": session,
            "historique": historique,
            "tarifs": tarifs,
            "places_restantes": session.places_restantes,
            "bon": bon,
            "enrolment_open": session.enrolment_open(),
            "can_edit": services.session_edit_refusal(session) is None,
            "can_cancel": services.can_cancel(session),
            "can_open": services.can_open_enrolment(session),
            "can_sign": services.can_sign(bon),
            "absences_open": absences_open(session),
            "can_correct": correction.can_put_in_correction(session),
            "published": attestations.results_published(session),
            # Once the enrolment has closed, the convocations' counts (candidats.convocations).
            "convocations": None
            if session.statut in (*services.OPEN_STATUSES, SessionStatus.ANNULEE)
            else convocations.summary(session),
            "can_convoke": convocations.cannot_resend(session) is None,
        },
    )


# The field of "Modifier la session" each refusal of update_session() is about (None: the whole form).
EDIT_ERROR_FIELDS = {
    "places": "nb_places",
    "lieu": "lieu",
    "date": "date",
    "date_closure": "date",
    "date_locked": "date",
}


@centre_view(Permission.MANAGE_SESSIONS)
def edit(request, numero):
    """ "Modifier la session": places, time, place, online display; the date while enrolments are open;
    the tarifs while nobody is enrolled. Whoever may create a session may change it."""
    session = selectors.session_for_page(request.centre, numero)
    refusal = services.session_edit_refusal(session)
    if refusal:
        messages.error(request, refusal)
        return redirect("sessions:detail", numero=numero)
    form = SessionEditForm(
        request.POST or None,
        produit=session.produit,
        initial_montants={t.epreuve_id: t.montant for t in session.tarifs.all()},
        initial={
            "date": session.date,
            "heure": session.heure,
            "lieu": session.lieu,
            "nb_places": session.nb_places,
            "afficher_en_ligne": session.afficher_en_ligne,
        },
        date_refusal=services.date_edit_refusal(session),
        tarifs_refusal=services.tarifs_edit_refusal(session.nb_inscrits),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changes = services.update_session(
                session,
                by=request.user,
                nb_places=data["nb_places"],
                heure=data["heure"],
                lieu=data["lieu"],
                afficher_en_ligne=data["afficher_en_ligne"],
                date=data["date"],
                tarifs=form.montants(),
            )
        except BusinessError as exc:
            form.add_error(EDIT_ERROR_FIELDS.get(exc.code), exc.message)
        else:
            if changes:
                messages.success(
                    request, f"La session {session.numero} a été modifiée : {' ; '.join(changes)}."
                )
            else:
                messages.info(request, "Aucune modification : la session est inchangée.")
            return redirect("sessions:detail", numero=numero)
    tarifs = session.tarifs.select_related("epreuve").order_by("epreuve__ordre", "epreuve__code")
    return render(
        request,
        "sessions_app/edit.html",
        {
            "session": session,
            "form": form,
            "tarifs": tarifs,
            "visibilite": request.centre.get_visibilite_display(),
        },
    )


@require_POST
@centre_view(Permission.MANAGE_SESSIONS)
def open_enrolment(request, numero):
    session = get_for_centre(Session, request.centre, numero=numero)
    try:
        services.open_enrolment(session, by=request.user)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Les inscriptions de la session sont ouvertes.")
    return redirect("sessions:detail", numero=numero)


@centre_view(Permission.MANAGE_SESSIONS)
def cancel_confirm(request, numero):
    """Confirmation page of "Annuler la session" (the POST goes to sessions:cancel)."""
    session = selectors.session_for_page(request.centre, numero)
    return render(request, "sessions_app/cancel_confirm.html", {"session": session})


@require_POST
@centre_view(Permission.MANAGE_SESSIONS)
def cancel(request, numero):
    session = get_for_centre(Session, request.centre, numero=numero)
    motif = (request.POST.get("motif") or "").strip()[:500]
    try:
        services.cancel_session(session, by=request.user, comment=motif)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"La session {session.numero} a été annulée.")
    return redirect("sessions:detail", numero=numero)


# --- Documents --------------------------------------------------------------------------------------


@centre_view(Permission.PORTAL)
def documents(request, numero):
    """Gérer les documents: Nom du fichier, Type, Date de mise en ligne; "Signer" the bon de commande."""
    session = get_for_centre(Session.objects.select_related("produit"), request.centre, numero=numero)
    bon = selectors.bon_de_commande(session)
    return render(
        request,
        "sessions_app/documents.html",
        {
            "session": session,
            "documents": selectors.session_documents(session),
            "bon": bon,
            "can_sign": services.can_sign(bon),
        },
    )


@centre_view(Permission.PORTAL)
def document_download(request, numero, pk):
    """Files are served only to their centre (404 otherwise), as attachments."""
    document = get_object_or_404(
        Document.objects.for_centre(request.centre).visible(timezone.now()), session__numero=numero, pk=pk
    )
    return serve_file(document.fichier, filename=document.nom, content_type=document.content_type)


@centre_view(Permission.SIGN_BON_COMMANDE)
def sign_confirm(request, numero):
    session = get_for_centre(Session.objects.select_related("produit"), request.centre, numero=numero)
    bon = selectors.bon_de_commande(session)
    if bon is None:
        messages.error(request, services.cannot_sign(bon))
        return redirect("sessions:documents", numero=numero)
    commande = billing.commande_for(session) if bon.statut == bon.Statut.NON_SIGNE else None
    return render(
        request,
        "sessions_app/sign_confirm.html",
        {
            "session": session,
            "bon": bon,
            "commande": commande,
            "refusal": services.cannot_sign(bon, commande),
        },
    )


@require_POST
@centre_view(Permission.SIGN_BON_COMMANDE)
def sign(request, numero):
    session = get_for_centre(Session, request.centre, numero=numero)
    try:
        session_documents.sign_bon_de_commande(session, by=request.user)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Le bon de commande de la session {session.numero} est signé.")
    return redirect("sessions:documents", numero=numero)
