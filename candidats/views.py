"""Candidate pages of the centre: enrol on site, edit, the session's candidates, every enrolment
(search, filters, export), pre-registrations (transfer / decline), contact requests, the import file.

Thin views: form → service → message → redirect; a BusinessError becomes an error message."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from centres.roles import Permission
from centres.tenancy import centre_view, get_for_centre
from core.errors import BusinessError
from portail.export_views import export_response
from sessions_app.services import enrolment_closed_reason

from . import exports, selectors, services, session_day
from .forms import (
    CandidatForm,
    ContactAnswerForm,
    DeclineForm,
    InscriptionFilterForm,
    InscrireForm,
    TransferForm,
)
from .models import DemandeContact, Inscription, PreInscription, person_name
from .services import CandidatData, ConfirmationRequired

PER_PAGE = 25


def _query_string(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# --- The session's candidates ---------------------------------------------------------------------


@centre_view(Permission.PORTAL)
def session_candidats(request, numero: int):
    session = selectors.session_for_enrolment(request.centre, numero)
    page = Paginator(selectors.session_inscriptions(session), PER_PAGE).get_page(request.GET.get("page"))
    epreuves = selectors.product_epreuves(session)
    selectors.with_epreuve_cells(page, epreuves)
    return render(
        request,
        "candidats/session_candidats.html",
        {
            "session": session,
            "page": page,
            "epreuves": epreuves,
            "enrolment_open": session.enrolment_open(),
            "absences_open": session_day.absences_open(session),
            "virtual_open": session_day.can_add_virtual(session),
        },
    )


@centre_view(Permission.ENROL_CANDIDATES)
def inscrire(request, numero: int):
    """ "Inscrire un candidat" on a session."""
    session = selectors.session_for_enrolment(request.centre, numero)
    prices = selectors.session_tarifs(session)
    form = InscrireForm(request.POST or None, produit=session.produit, prices=prices)
    warnings = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.enrol(
                session=session,
                candidat_data=form.candidat_data(),
                epreuves=form.chosen_epreuves(),
                by=request.user,
                confirm_warnings=form.cleaned_data.get("confirmer", False),
            )
        except ConfirmationRequired as exc:
            warnings = exc.warnings
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            inscription = result.inscription
            messages.success(
                request,
                f"{inscription.candidat} est inscrit(e) à la session {session.numero} "
                f"(inscription {inscription.numero}, code d'accès {inscription.code_acces}).",
            )
            if "encore" in request.POST:
                return redirect("candidats:inscrire", numero=session.numero)
            return redirect("candidats:session_candidats", numero=session.numero)
    return render(
        request,
        "candidats/inscrire.html",
        {
            "session": session,
            "form": form,
            "warnings": warnings,
            "prices": prices,
            "places_restantes": session.places_restantes,
            # The form is shown disabled, with this reason, when the session takes no enrolment.
            "closed_reason": enrolment_closed_reason(session),
            "enrolment_open": session.enrolment_open(),
        },
    )


@centre_view(Permission.ENROL_CANDIDATES)
def inscription_edit(request, numero: int):
    """ "Modifier les informations": the candidate's data, and the épreuves while enrolment is open."""
    inscription = get_for_centre(
        Inscription.objects.select_related("candidat", "session__produit"), request.centre, numero=numero
    )
    session = inscription.session
    editable_epreuves = session.enrolment_open() and session.produit.modulaire
    initial = {name: getattr(inscription.candidat, name) for name in services.CANDIDAT_FIELDS}
    initial["nationalite"] = inscription.candidat.nationalite.code or ""
    initial["epreuves"] = [ie.epreuve_id for ie in inscription.epreuves.all()]
    form = CandidatForm(
        request.POST or None,
        initial=initial,
        produit=session.produit,
        prices=selectors.session_tarifs(session),
        with_epreuves=editable_epreuves,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_inscription(
                inscription,
                data=form.candidat_data(),
                epreuves=form.chosen_epreuves() if editable_epreuves else None,
                by=request.user,
            )
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"Les informations de l'inscription {inscription.numero} ont été enregistrées."
            )
            return redirect("candidats:session_candidats", numero=session.numero)
    return render(
        request,
        "candidats/inscription_edit.html",
        {
            "inscription": inscription,
            "session": session,
            "form": form,
            "editable_epreuves": editable_epreuves,
        },
    )


# --- Toutes les inscriptions -------------------------------------------------------------------------


def _filtered(request):
    form = InscriptionFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        cd = form.cleaned_data
        session = None
        if cd.get("session"):
            from sessions_app.models import Session

            session = Session.objects.for_centre(request.centre).filter(numero=cd["session"]).first() or -1
        filters = {
            "q": cd.get("q") or "",
            "session": session if session != -1 else None,
            "produit": cd.get("produit"),
            "statut": cd.get("statut") or "",
            "du": cd.get("du"),
            "au": cd.get("au"),
        }
        if session == -1:
            return form, selectors.inscriptions_for_centre(request.centre).none()
    return form, selectors.inscriptions_for_centre(request.centre, **filters)


@centre_view(Permission.PORTAL)
def inscriptions(request):
    form, qs = _filtered(request)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "candidats/inscriptions.html",
        {"form": form, "page": page, "query_string": _query_string(request)},
    )


@centre_view(Permission.PORTAL)
def inscriptions_export(request):
    _, qs = _filtered(request)
    return export_response(request, exports.INSCRIPTIONS, qs, centre=request.centre)


# --- Pre-registrations -------------------------------------------------------------------------------


@centre_view(Permission.PORTAL)
def pre_inscriptions(request):
    page = Paginator(selectors.pre_inscriptions_for_centre(request.centre), PER_PAGE).get_page(
        request.GET.get("page")
    )
    for pre in page:
        pre.can_handle = services.can_handle_pre_inscription(pre)
    return render(
        request,
        "candidats/pre_inscriptions.html",
        {"page": page, "a_traiter": selectors.pending_pre_inscriptions_count(request.centre)},
    )


def _pre(request, pk: int) -> PreInscription:
    return get_for_centre(
        PreInscription.objects.select_related("session__produit").prefetch_related("epreuves"),
        request.centre,
        pk=pk,
    )


@centre_view(Permission.ENROL_CANDIDATES)
def pre_inscription_transfer(request, pk: int):
    """ "Transférer" a pre-registration into one of the centre's open sessions (through enrol())."""
    pre = _pre(request, pk)
    if (refusal := services.cannot_handle_pre_inscription(pre)) is not None:
        messages.info(request, refusal)
        return redirect("candidats:pre_inscriptions")
    sessions = selectors.transfer_sessions(pre)
    initial = {"epreuves": [e.pk for e in pre.epreuves.all()]}
    if pre.session_id:
        initial["session"] = pre.session_id
    form = TransferForm(request.POST or None, sessions=sessions, initial=initial, motivation=pre.motivation)
    warnings = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.transfer_pre_inscription(
                pre,
                session=form.cleaned_data["session"],
                epreuves=list(form.cleaned_data["epreuves"]),
                by=request.user,
                confirm_warnings=form.cleaned_data["confirmer"],
            )
        except ConfirmationRequired as exc:
            warnings = exc.warnings
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"{person_name(pre.prenom, pre.nom)} est inscrit(e) à la session {result.inscription.session.numero} "
                f"(inscription {result.inscription.numero}).",
            )
            return redirect("candidats:pre_inscriptions")
    # The wished session no longer taking enrolments is said with its reason; the form is disabled
    # only when no session of the centre can take the candidate.
    wished_closed = enrolment_closed_reason(pre.session) if pre.session_id else None
    return render(
        request,
        "candidats/pre_inscription_transfer.html",
        {
            "pre": pre,
            "form": form,
            "warnings": warnings,
            "wished_closed": wished_closed,
            "no_session": not sessions.exists(),
        },
    )


@centre_view(Permission.ENROL_CANDIDATES)
def pre_inscription_decline(request, pk: int):
    pre = _pre(request, pk)
    if (refusal := services.cannot_handle_pre_inscription(pre)) is not None:
        messages.info(request, refusal)
        return redirect("candidats:pre_inscriptions")
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decline_pre_inscription(pre, motif=form.cleaned_data["motif"], by=request.user)
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"La pré-inscription de {person_name(pre.prenom, pre.nom)} a été déclinée ; le candidat en est informé par e-mail.",
            )
            return redirect("candidats:pre_inscriptions")
    return render(request, "candidats/pre_inscription_decline.html", {"pre": pre, "form": form})


# --- Contact requests --------------------------------------------------------------------------------


@centre_view(Permission.PORTAL)
def contacts(request):
    page = Paginator(selectors.contacts_for_centre(request.centre), PER_PAGE).get_page(
        request.GET.get("page")
    )
    for demande in page:
        demande.can_handle = services.can_handle_contact(demande)
    return render(
        request,
        "candidats/contacts.html",
        {"page": page, "a_traiter": selectors.pending_contact_requests_count(request.centre)},
    )


@centre_view(Permission.HANDLE_CONTACTS)
def contact_detail(request, pk: int):
    demande = get_for_centre(
        DemandeContact.objects.select_related("produit", "traitee_par"), request.centre, pk=pk
    )
    form = ContactAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_demande_contact(demande, reponse=form.cleaned_data["reponse"], by=request.user)
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Votre réponse a été envoyée à {demande.email}.")
            return redirect("candidats:contacts")
    return render(
        request,
        "candidats/contact_detail.html",
        {"demande": demande, "form": form, "can_handle": services.can_handle_contact(demande)},
    )


@require_POST
@centre_view(Permission.HANDLE_CONTACTS)
def contact_close(request, pk: int):
    demande = get_for_centre(DemandeContact, request.centre, pk=pk)
    try:
        services.close_demande_contact(demande, by=request.user)
    except BusinessError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "La demande de contact est marquée comme traitée.")
    return redirect(reverse("candidats:contacts"))


__all__ = ["CandidatData"]
