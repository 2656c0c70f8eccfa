"""Back office FDA: centres' requests (read-only status and history), anomalies, notifications.

Demandes are created by centres and decided through demandes.services (actions Accepter / Refuser, one list
per kind): here the status is shown, never edited."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from core.admin import ReadOnlyAdmin, StatusHistoryInline
from core.errors import BusinessError
from portail.export_views import admin_export_url, export_response

from . import exports, services
from .correction import check_processing_comment, process_anomalie
from .models import (
    Amenagement,
    Anomalie,
    AnomalieStatusChange,
    Demande,
    DemandeStatusChange,
    Dispense,
    Fraude,
    Notification,
    Recours,
    Report,
)


class DemandeStatusChangeInline(StatusHistoryInline):
    model = DemandeStatusChange


@admin.register(Demande)
class DemandeAdmin(admin.ModelAdmin):
    """Toutes les demandes. The guide's back-office list: N° demande, centre, session, prénom, nom, dates of the
    request, of the decision and of the new session (reports). Decisions only through the actions
    (Accepter / Refuser, with a comment), which go through demandes.services.decide()."""

    list_display = (
        "numero",
        "kind",
        "centre",
        "session",
        "candidat_prenom",
        "candidat_nom",
        "created_at",
        "decided_at",
        "nouvelle_session_date",
        "statut",
    )
    list_display_links = ("numero", "kind")
    # No date hierarchy: at national scale it scans every request at each display (make bench); the centre
    # filter lists the centres as an autocomplete-free select only through the search (code or name).
    list_filter = ("kind", "statut", "inscription__session__produit", "created_at", "decided_at")
    # 50 rows a page and no second COUNT of the whole table: the list stays under 150 ms at national
    # scale (make bench); "Afficher tout" and the pagination still give every row.
    list_per_page = 50
    show_full_result_count = False
    search_fields = (
        "numero__exact",
        "inscription__numero__exact",
        "inscription__candidat__nom",
        "inscription__candidat__prenom",
        "inscription__session__numero__exact",
        "centre__code",
        "centre__nom",
    )
    list_select_related = (
        "centre",
        "inscription__candidat",
        "inscription__session__produit",
        "inscription__reinscription__session",
    )
    autocomplete_fields = ("centre", "inscription", "epreuve", "justificatifs")
    readonly_fields = (
        "numero",
        "kind",
        "statut",
        "centre",
        "inscription",
        "sous_type",
        "epreuve",
        "description",
        "justificatifs",
        "created_by",
        "created_at",
        "decided_by",
        "decided_at",
        "decision_comment",
    )
    inlines = (DemandeStatusChangeInline,)
    actions = ("accepter", "refuser", "exporter_excel")
    fieldsets = (
        (None, {"fields": ("numero", "kind", "statut", "centre", "inscription")}),
        (
            "Demande",
            {"fields": ("sous_type", "epreuve", "description", "justificatifs", "created_by", "created_at")},
        ),
        ("Décision", {"fields": ("decided_by", "decided_at", "decision_comment")}),
    )

    def has_add_permission(self, request):
        return False

    @admin.display(description="session", ordering="inscription__session__numero")
    def session(self, obj):
        return obj.inscription.session

    @admin.display(description="prénom du candidat", ordering="inscription__candidat__prenom")
    def candidat_prenom(self, obj):
        return obj.inscription.candidat.prenom

    @admin.display(description="nom du candidat", ordering="inscription__candidat__nom")
    def candidat_nom(self, obj):
        return obj.inscription.candidat.nom.upper()

    @admin.display(description="date de la nouvelle session")
    def nouvelle_session_date(self, obj):
        reinscription = getattr(obj.inscription, "reinscription", None)
        return reinscription.session.date if reinscription else None

    def _decide(self, request, queryset, accept: bool):
        """Confirmation page with a comment, then one decision per selected request (each in its own
        transaction: one already decided is reported, the others go through)."""
        verb = "Accepter" if accept else "Refuser"
        if "appliquer" not in request.POST:
            return TemplateResponse(
                request,
                "demandes/admin_decide.html",
                {
                    **self.admin_site.each_context(request),
                    "title": f"{verb} les demandes",
                    "verb": verb,
                    "action": "accepter" if accept else "refuser",
                    "demandes": queryset.select_related(
                        "inscription__candidat", "inscription__session", "centre"
                    ),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                },
            )
        comment = request.POST.get("commentaire", "")
        done = 0
        for demande in queryset:
            try:
                services.decide(demande, accept=accept, by=request.user, comment=comment)
            except BusinessError as exc:
                self.message_user(request, exc.message, messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                f"{done} demande{'s' if done > 1 else ''} {'validée' if accept else 'refusée'}{'s' if done > 1 else ''} ; "
                "le centre est notifié.",
                messages.SUCCESS,
            )
        return None

    @admin.action(description="Accepter les demandes sélectionnées")
    def accepter(self, request, queryset):
        return self._decide(request, queryset, accept=True)

    @admin.action(description="Refuser les demandes sélectionnées")
    def refuser(self, request, queryset):
        return self._decide(request, queryset, accept=False)

    @admin.action(description="Exporter vers Excel")
    def exporter_excel(self, request, queryset):
        return export_response(request, exports.DEMANDES, queryset, page=admin_export_url)


class DemandeOfKindAdmin(DemandeAdmin):
    """One back-office list per kind (the proxies of demandes.models)."""

    list_filter = ("statut", "inscription__session__produit", "created_at", "decided_at")


for proxy in (Amenagement, Dispense, Fraude, Recours, Report):
    admin.site.register(proxy, DemandeOfKindAdmin)


@admin.register(DemandeStatusChange)
class DemandeStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("at", "demande", "from_status", "to_status", "by", "comment")
    list_filter = ("to_status", "demande__kind", "demande__centre", "at")
    search_fields = ("demande__numero__exact", "by__email", "comment")
    list_select_related = ("demande", "by")
    readonly_fields = ("demande", "from_status", "to_status", "by", "at", "comment")
    date_hierarchy = "at"


class AnomalieStatusChangeInline(StatusHistoryInline):
    model = AnomalieStatusChange


@admin.register(Anomalie)
class AnomalieAdmin(admin.ModelAdmin):
    inlines = (AnomalieStatusChangeInline,)
    list_display = (
        "session",
        "centre",
        "inscription",
        "epreuve",
        "kind",
        "statut",
        "created_at",
        "processed_at",
    )
    list_filter = ("statut", "kind", "session__centre", "session__produit", "created_at")
    search_fields = (
        "session__numero__exact",
        "inscription__numero__exact",
        "inscription__candidat__nom",
        "description",
    )
    list_select_related = ("session__produit", "session__centre", "inscription__candidat", "epreuve")
    autocomplete_fields = ("session", "inscription", "epreuve")
    readonly_fields = ("statut", "created_by", "created_at", "processed_by", "processed_at")
    date_hierarchy = "created_at"
    actions = ("marquer_traitee",)

    @admin.display(description="centre", ordering="session__centre__nom")
    def centre(self, obj):
        return obj.session.centre

    @admin.action(description="Marquer comme traitée")
    def marquer_traitee(self, request, queryset):
        """Process the selected lines with one comment (confirmation page first); the last line of a
        session moves it to En correction (demandes.correction)."""
        error = ""
        comment = request.POST.get("commentaire", "")
        if "appliquer" in request.POST:
            try:
                comment = check_processing_comment(comment)
            except BusinessError as exc:
                error = exc.message
        if "appliquer" not in request.POST or error:
            return TemplateResponse(
                request,
                "demandes/admin_process_anomalies.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Marquer les anomalies comme traitées",
                    "anomalies": queryset.select_related("session", "inscription__candidat", "epreuve"),
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                    "opts": self.model._meta,
                    "error": error,
                    "commentaire": comment,
                },
            )
        for anomalie in queryset.select_related("session"):
            try:
                moved = process_anomalie(anomalie, by=request.user, comment=comment)
            except BusinessError as exc:
                self.message_user(request, exc.message, messages.WARNING)
                continue
            self.message_user(request, f"Anomalie traitée : {anomalie}.", messages.SUCCESS)
            if moved:
                self.message_user(
                    request,
                    f"Toutes les anomalies de la session {anomalie.session.numero} sont traitées : "
                    "la session est en correction.",
                    messages.SUCCESS,
                )
        return None


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "centre", "message", "demande")
    list_filter = ("centre", "demande__kind", "created_at")
    search_fields = ("message", "centre__code", "centre__nom", "demande__numero__exact")
    list_select_related = ("centre", "demande")
    autocomplete_fields = ("centre", "demande")
    date_hierarchy = "created_at"
