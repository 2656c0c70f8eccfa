"""The session's test day, centre side: the candidate page, photo and signature, absences and virtual
candidates. Thin views over candidats.captures and candidats.session_day."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from centres.roles import Permission
from centres.tenancy import centre_view, get_for_centre
from core.downloads import serve_file
from core.errors import BusinessError
from core.forms import CleanForm
from core.text import as_number
from demandes.services import can_reinscribe
from sessions_app.models import DocumentKind

from . import captures, convocations, selectors, session_day
from .models import Inscription, InscriptionStatus, person_name

CAPTURE_KINDS = {
    captures.PHOTO: (captures.store_photo, "La photo"),
    captures.SIGNATURE: (captures.store_signature, "La signature"),
}


class CaptureForm(CleanForm):
    fichier = forms.FileField(label="Fichier", error_messages={"required": "Choisissez un fichier."})


class VirtualForm(CleanForm):
    nombre = forms.IntegerField(
        label="Nombre de candidats virtuels",
        min_value=1,
        max_value=session_day.MAX_VIRTUAL_AT_ONCE,
        initial=1,
    )


def _inscription(request, numero: int) -> Inscription:
    return get_for_centre(
        Inscription.objects.select_related(
            "candidat", "session__produit", "created_by", "reporte_depuis"
        ).prefetch_related(selectors.epreuves_prefetch(), "demandes"),
        request.centre,
        numero=numero,
    )


@centre_view(Permission.PORTAL)
def inscription_detail(request, numero: int):
    """The candidate page: everything held on one enrolment."""
    inscription = _inscription(request, numero)
    attestation = inscription.documents.filter(kind=DocumentKind.ATTESTATION).order_by("-created_at").first()
    demandes = list(inscription.demandes.all())
    for demande in demandes:
        demande.can_reinscribe = can_reinscribe(demande)
    return render(
        request,
        "candidats/inscription_detail.html",
        {
            "inscription": inscription,
            "session": inscription.session,
            "candidat": inscription.candidat,
            "attestation": attestation,
            "captures": [
                (captures.PHOTO, "Photo", inscription.photo),
                (captures.SIGNATURE, "Signature", inscription.signature),
            ],
            "captures_open": captures.can_capture_in(inscription.session),
            "reinscription": Inscription.objects.filter(reporte_depuis=inscription)
            .select_related("session__produit")
            .first(),
            "demandes": demandes,
            "convocations": inscription.convocations.select_related("by"),
            "can_resend_convocation": request.membership.can(Permission.RUN_SESSION)
            and inscription.statut == InscriptionStatus.INSCRIT
            and convocations.cannot_resend(inscription.session) is None,
        },
    )


@centre_view(Permission.PORTAL)
def capture(request, numero: int, kind: str):
    """A photo or signature, shown only to the candidate's centre (404 otherwise)."""
    if kind not in CAPTURE_KINDS:
        raise Http404
    inscription = get_for_centre(Inscription, request.centre, numero=numero)
    fieldfile = getattr(inscription, kind)
    if not fieldfile:
        raise Http404("Aucun fichier.")
    extension = fieldfile.name.rsplit(".", 1)[-1]
    content_type = "image/jpeg" if extension == "jpg" else "image/png"
    return serve_file(
        fieldfile,
        filename=f"{inscription.numero}_{kind}.{extension}",
        content_type=content_type,
        as_attachment=False,
    )


@require_POST
@centre_view(captures.capture_permission)
def capture_upload(request, numero: int, kind: str):
    if kind not in CAPTURE_KINDS:
        raise Http404
    inscription = get_for_centre(Inscription.objects.select_related("session"), request.centre, numero=numero)
    store, label = CAPTURE_KINDS[kind]
    form = CaptureForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form.errors["fichier"][0])
    else:
        try:
            changed = store(inscription, form.cleaned_data["fichier"], by=request.user)
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"{label} est enregistrée." if changed else f"{label} était déjà à jour."
            )
    return redirect("candidats:inscription", numero=numero)


@centre_view(Permission.RUN_SESSION)
def absence(request, numero: int):
    """ "Gérer l'absence" of one candidate: per épreuve for a modular product, for the session otherwise."""
    inscription = _inscription(request, numero)
    if request.method == "POST":
        try:
            session_day.set_absence(
                inscription,
                epreuve_ids=[n for v in request.POST.getlist("epreuve") if (n := as_number(v)) is not None],
                whole="session" in request.POST,
                by=request.user,
            )
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Les absences de {inscription.candidat} sont enregistrées.")
            return redirect("candidats:session_candidats", numero=inscription.session.numero)
    return render(
        request, "candidats/absence.html", {"inscription": inscription, "session": inscription.session}
    )


@centre_view(Permission.RUN_SESSION)
def absents(request, numero: int):
    """ "Déclarer les absents": the whole session at once, confirmed even when nobody was absent."""
    session = selectors.session_for_enrolment(request.centre, numero)
    epreuves = selectors.product_epreuves(session)
    if request.method == "POST":
        chosen: dict[int, list[int]] = {}
        for value in request.POST.getlist("absent"):
            inscription_id, _, epreuve_id = value.partition(":")
            if as_number(inscription_id) is not None and as_number(epreuve_id) is not None:
                chosen.setdefault(as_number(inscription_id), []).append(as_number(epreuve_id))
        try:
            session_day.declare_absences(session, chosen, by=request.user)
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            count = len(chosen)
            messages.success(
                request,
                f"Absences déclarées pour la session {session.numero} : "
                + (
                    f"{count} candidat{'s' if count > 1 else ''} absent{'s' if count > 1 else ''}."
                    if count
                    else "aucun absent."
                ),
            )
            return redirect("sessions:detail", numero=session.numero)
    lines = selectors.absence_sheet(session)
    for line in lines:
        line.cells = _absence_cells(line, epreuves, session.produit.modulaire)
    return render(
        request, "candidats/absents.html", {"session": session, "lines": lines, "epreuves": epreuves}
    )


def _absence_cells(line: selectors.AbsenceLine, epreuves: list, modulaire: bool) -> str:
    """The row's checkbox cells, built here as plain strings: 300 candidates × 4 épreuves through
    the template engine, then through format_html, made this the slowest page (make bench). One box
    per épreuve taken (modular product), or one box for the candidate."""
    who = escape(person_name(line.prenom, line.nom))
    if modulaire:
        boxes = [(e.pk, f"{who} absent(e) à {escape(e.code)}", line.absent.get(e.pk)) for e in epreuves]
    else:
        first = next((e.pk for e in epreuves if e.pk in line.absent), None)
        boxes = [(first, f"{who} absent(e)", any(line.absent.values()) if first else None)]
    return mark_safe(  # every text interpolated is escaped above; the rest are integers
        "".join(
            '<td class="text-center"></td>'
            if absent is None
            else '<td class="text-center"><input class="form-check-input" type="checkbox" name="absent" '
            f'value="{line.pk}:{epreuve_id}" aria-label="{label}"{" checked" if absent else ""}></td>'
            for epreuve_id, label, absent in boxes
        )
    )


@require_POST
@centre_view(Permission.RUN_SESSION)
def virtuels(request, numero: int):
    """ "Ajouter des candidats virtuels" to a session."""
    session = selectors.session_for_enrolment(request.centre, numero)
    form = VirtualForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["nombre"][0])
    else:
        try:
            created = session_day.add_virtual_candidates(
                session, form.cleaned_data["nombre"], by=request.user
            )
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            names = ", ".join(str(i.candidat) for i in created)  # person_name: « Candidat 1 VIRTUEL »
            messages.success(request, f"Ajouté{'s' if len(created) > 1 else ''} : {names}.")
    return redirect("candidats:session_candidats", numero=numero)
