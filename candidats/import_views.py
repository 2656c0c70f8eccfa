"""The import file of a session: template download, upload, preview/report, confirmation, progress."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from centres.roles import Permission
from centres.tenancy import centre_view, get_for_centre
from core.downloads import file_response
from core.errors import BusinessError
from sessions_app.services import enrolment_closed_reason

from . import excel_template, imports, selectors, tasks
from .forms import ImportConfirmForm, ImportForm
from .models import ImportJob


@centre_view(Permission.ENROL_CANDIDATES)
def import_template(request, numero: int):
    session = selectors.session_for_enrolment(request.centre, numero)
    return file_response(*excel_template.build_template(session))


@centre_view(Permission.ENROL_CANDIDATES)
def import_upload(request, numero: int):
    session = selectors.session_for_enrolment(request.centre, numero)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = imports.start_import(session=session, upload=form.cleaned_data["fichier"], by=request.user)
        if job.statut == ImportJob.Statut.EN_ATTENTE:
            # Parsed by the worker, never here: a heavy file cannot hold a web worker.
            job_id = job.pk
            transaction.on_commit(lambda: tasks.validate_import.delay(job_id))
        return redirect("candidats:import_job", numero=session.numero, pk=job.pk)
    recent = (
        ImportJob.objects.for_centre(request.centre).filter(session=session).select_related("created_by")[:5]
    )
    return render(
        request,
        "candidats/import_upload.html",
        {
            "session": session,
            "form": form,
            "recent": recent,
            "max_rows": excel_template.MAX_ROWS,
            "max_mo": settings.MAX_UPLOAD_SIZE // (1024 * 1024),
            # The form is shown disabled, with this reason, when the session takes no enrolment.
            "closed_reason": enrolment_closed_reason(session),
        },
    )


def _job(request, numero: int, pk: int) -> ImportJob:
    return get_for_centre(
        ImportJob.objects.select_related("session__produit", "created_by"),
        request.centre,
        pk=pk,
        session__numero=numero,
    )


@centre_view(Permission.ENROL_CANDIDATES)
def import_job(request, numero: int, pk: int):
    """The report: progress while running (the page refreshes itself), errors by row/column/reason,
    or the preview and the "Confirmer l'import" button."""
    job = _job(request, numero, pk)
    progress = job.lignes_traitees
    rapport = job.rapport if isinstance(job.rapport, dict) else {}
    if job.statut == ImportJob.Statut.EN_COURS and rapport.get("phase") == "import":
        progress = cache.get(imports.progress_key(job.pk), 0)
    running = job.statut in (ImportJob.Statut.EN_ATTENTE, ImportJob.Statut.EN_COURS)
    percent = int(100 * progress / job.lignes_total) if job.lignes_total else 0
    return render(
        request,
        "candidats/import_job.html",
        {
            "job": job,
            "session": job.session,
            "rapport": rapport,
            "running": running,
            "progress": progress,
            "percent": min(percent, 100),
            "form": ImportConfirmForm(),
            "can_confirm": imports.can_confirm(job),
        },
    )


@centre_view(Permission.ENROL_CANDIDATES)
def import_errors_file(request, numero: int, pk: int):
    """The user's own file back with an « Erreurs » column and its faulty cells highlighted."""
    job = _job(request, numero, pk)
    name = (job.rapport if isinstance(job.rapport, dict) else {}).get("fichier_erreurs")
    if not name or job.statut != ImportJob.Statut.ERREURS:
        raise Http404("Pas de fichier d'erreurs pour cet import.")
    try:
        handle = job.fichier.storage.open(name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("Fichier introuvable.") from exc
    return file_response(imports.error_file_name(job), excel_template.XLSX, handle)


@require_POST
@centre_view(Permission.ENROL_CANDIDATES)
def import_confirm(request, numero: int, pk: int):
    job = _job(request, numero, pk)
    form = ImportConfirmForm(request.POST)
    confirm = form.is_valid() and form.cleaned_data["confirmer"]
    rapport = job.rapport if isinstance(job.rapport, dict) else {}
    if rapport.get("warnings") and not confirm:
        messages.error(request, "Cochez « Inscrire malgré l'avertissement » pour confirmer cet import.")
        return redirect("candidats:import_job", numero=numero, pk=pk)
    try:
        job = imports.claim_for_import(job, by=request.user)
    except BusinessError as exc:
        messages.error(request, exc.message)
        return redirect("candidats:import_job", numero=numero, pk=pk)
    if job.lignes_total > imports.SYNC_MAX_ROWS or not imports.has_parsed(job):
        # A large file, or one whose validated rows the cache has lost (it must be read again): the worker.
        job_id, user_id = job.pk, request.user.pk
        transaction.on_commit(lambda: tasks.confirm_import.delay(job_id, user_id, True))
    else:
        job = imports.confirm_job(job.pk, by_id=request.user.pk, confirm_warnings=True)
        if job.statut == ImportJob.Statut.TERMINE:
            messages.success(
                request,
                ngettext(
                    "%(n)d candidat inscrit à la session %(numero)s.",
                    "%(n)d candidats inscrits à la session %(numero)s.",
                    job.rapport["inscrits"],
                )
                % {"n": job.rapport["inscrits"], "numero": numero},
            )
            return redirect("candidats:session_candidats", numero=numero)
    return redirect("candidats:import_job", numero=numero, pk=pk)
