"""The web side of core.exports: the one answer of every export button and back-office export action (the file
at once, or the page of the export a worker is writing), the export's page with its progress, its download."""

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

from centres.roles import Permission
from centres.tenancy import centre_view
from core import exports
from core.downloads import file_response, serve_file
from core.models import Export


def centre_export_url(export: Export) -> str:
    return reverse("export", args=[export.pk])


def admin_export_url(export: Export) -> str:
    return reverse("admin:core_export_change", args=[export.pk])


def export_response(
    request,
    kind: exports.ExportKind,
    queryset,
    *,
    centre=None,
    page: Callable[[Export], str] = centre_export_url,
):
    """What an export button answers: the file itself for a small list; for a larger one, the export is
    handed to a worker and the user is taken to its page (`page`: centre side, or admin_export_url)."""
    result = exports.export_or_start(
        kind, queryset, by=request.user, centre=centre, page_liste=_page_asked_from(request)
    )
    if not isinstance(result, Export):
        return file_response(*result)
    n = result.lignes_total
    # Worded for both cases: the page may already show the file ready (a fast worker) or still its progress.
    messages.info(
        request,
        ngettext(
            "L'export de %(n)s ligne est préparé en arrière-plan : le fichier se télécharge sur cette page.",
            "L'export de %(n)s lignes est préparé en arrière-plan : le fichier se télécharge sur cette page.",
            n,
        )
        % {"n": f"{n:,}".replace(",", "\u202f")},
    )
    return redirect(page(result))


def _page_asked_from(request) -> str:
    """The list page the export button was on (the Referer's path and filters, on this site only), or ""."""
    referer = request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure()):
        return ""
    parts = urlsplit(referer)
    page = parts.path + (f"?{parts.query}" if parts.query else "")
    if len(page) > Export._meta.get_field("page_liste").max_length:
        page = parts.path
    # Checked again as the link it becomes: a path such as "//ailleurs.test/x" would lead to another site.
    return page if url_has_allowed_host_and_scheme(page, {request.get_host()}) else ""


def own_export(request, pk: int, *, centre=None) -> Export:
    """The user's own export (of the current centre, centre side), else 404: nobody sees another's export."""
    return get_object_or_404(Export, pk=pk, requested_by=request.user, centre=centre)


@centre_view(Permission.PORTAL)
def export_page(request, pk: int):
    export = own_export(request, pk, centre=request.centre)
    return render(request, "portail/export.html", {"export": export, "keep_days": settings.EXPORT_KEEP_DAYS})


@centre_view(Permission.PORTAL)
def export_file(request, pk: int):
    export = own_export(request, pk, centre=request.centre)
    return download(request, export, centre_export_url(export))


def download(request, export: Export, page_url: str):
    """The finished file (streamed from the storage), else back to the export's page with the reason."""
    if not exports.may_download(export, request.user):
        messages.error(
            request,
            "Ce fichier n'est pas encore prêt : il se télécharge depuis cette page une fois l'export terminé.",
        )
        return redirect(page_url)
    return serve_file(export.fichier, filename=export.nom_fichier, content_type=export.content_type)
