"""Back office FDA: site titles, and password + TOTP for FDA staff."""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.actions import delete_selected
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.admin import StaffReadOnlyAdmin

from .models import AppareilTOTP
from .otp import StaffAdminSite

if settings.ADMIN_REQUIRE_OTP:
    # Password + TOTP code for the back office (FDA staff): the login page asks for both, and a session
    # that has not been verified by a device is sent back to it.
    admin.site.__class__ = StaffAdminSite

admin.site.site_header = "Portail centres — Back office FDA"
admin.site.site_title = "Back office FDA"
admin.site.index_title = "Administration du portail centres"

# Django's own « Supprimer les … sélectionnés » is wrong for feminine nouns (demandes, inscriptions…): one
# wording that agrees with every model.
delete_selected.short_description = "Supprimer la sélection (%(verbose_name_plural)s)"

# django-otp's TOTP devices, in French: the same admin (QR code, configuration views) on a proxy model whose
# names are French (« appareils TOTP »), instead of « TOTP devices » under « Otp_Totp ».
admin.site.unregister(TOTPDevice)
admin.site.register(AppareilTOTP, TOTPDeviceAdmin)

# --- Statistiques du réseau: a page of the back office, listed in its index -------------------------
from django.http import Http404  # noqa: E402
from django.shortcuts import render  # noqa: E402

from . import statistics  # noqa: E402
from .forms import StatistiquesForm  # noqa: E402
from .models import StatistiqueMensuelle  # noqa: E402
from .statistics_views import download, export_query  # noqa: E402


@admin.register(StatistiqueMensuelle)
class StatistiquesReseauAdmin(StaffReadOnlyAdmin):
    """The network by month, product and centre (ranked), read from the summary table: the changelist
    is replaced by the statistics page, for every staff member; nothing is edited here."""

    def changelist_view(self, request, extra_context=None):
        form = StatistiquesForm(request.GET or None)
        periode, produit = form.periode_and_produit()
        wanted = request.GET.get("export")
        if wanted:
            for tableau in statistics.network_statistics(periode, produit, ranked_limit=None):
                if tableau.slug == wanted:
                    return download(tableau, request.GET.get("format", "csv"), "statistiques-reseau")
            raise Http404("Tableau inconnu.")
        computed_at, tableaux = statistics.cached_network_statistics(periode, produit)
        context = {
            **self.admin_site.each_context(request),
            "title": "Statistiques du réseau",
            "opts": self.model._meta,
            "form": form,
            "periode": periode,
            "produit": produit,
            "tableaux": tableaux,
            "computed_at": computed_at,
            "export_query": export_query(request),
        }
        return render(request, "portail/admin_statistiques.html", context)


# --- Exports of the back office: each staff member's own, with progress and download ----------------
from django.urls import path as url_path  # noqa: E402
from django.urls import reverse  # noqa: E402

from core.models import Export  # noqa: E402

from .export_views import admin_export_url, own_export  # noqa: E402
from .export_views import download as export_download  # noqa: E402


@admin.register(Export)
class ExportAdmin(StaffReadOnlyAdmin):
    """The exports a staff member asked for (Exporter vers Excel on a list): written by a worker, shown
    here with their progress, downloaded by the requester only (an export may hold personal data)."""

    list_display = ("titre", "statut", "progression", "lignes_total", "created_at", "finished_at")
    list_filter = ("statut", "kind")
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(requested_by=request.user).defer("requete")

    @admin.display(description="progression")
    def progression(self, obj):
        return f"{obj.percent} %"

    def get_urls(self):
        return [
            url_path(
                "<int:pk>/fichier/",
                self.admin_site.admin_view(self.fichier_view),
                name="core_export_fichier",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise Http404
        if not str(object_id).isdigit():  # the admin's catch-all path sends any odd URL here
            raise Http404
        export = own_export(request, object_id)  # the back office's exports have no centre
        context = {
            **self.admin_site.each_context(request),
            "title": f"Export « {export.titre} »",
            "opts": self.model._meta,
            "export": export,
            "keep_days": settings.EXPORT_KEEP_DAYS,
            "download_url": reverse("admin:core_export_fichier", args=[export.pk]),
        }
        return render(request, "portail/admin_export.html", context)

    def fichier_view(self, request, pk):
        if not self.has_view_permission(request):
            raise Http404
        export = own_export(request, pk)
        return export_download(request, export, admin_export_url(export))
