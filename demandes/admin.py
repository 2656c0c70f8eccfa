"""Back office FDA: centres' requests (read-only status and history), anomalies, notifications.

Demandes are created by centres through the demande services and decided through them (later issues
add the accept / refuse actions and one list per kind): here the status is shown, never edited."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from portail.admin import ReadOnlyAdmin, StatusHistoryInline
from portail.errors import BusinessError

from .models import Anomalie, Demande, DemandeStatusChange, Notification


class DemandeStatusChangeInline(StatusHistoryInline):
    model = DemandeStatusChange


@admin.register(Demande)
class DemandeAdmin(admin.ModelAdmin):
    # The guide's back-office list: N° demande, centre, session, prénom, nom, dates of the request, of the
    # decision and of the new session (reports).
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
    # No centre filter nor date hierarchy: at national scale one lists a thousand centres and the other
    # scans every request at each display (make bench); the search finds a centre by code or name.
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
        "nouvelle_inscription__session",
    )
    autocomplete_fields = ("centre", "inscription", "epreuve", "justificatifs", "nouvelle_inscription")
    readonly_fields = ("numero", "statut", "created_by", "created_at", "decided_by", "decided_at")
    inlines = (DemandeStatusChangeInline,)
    fieldsets = (
        (None, {"fields": ("numero", "kind", "statut", "centre", "inscription")}),
        (
            "Demande",
            {"fields": ("sous_type", "epreuve", "description", "justificatifs", "created_by", "created_at")},
        ),
        ("Décision", {"fields": ("decided_by", "decided_at", "decision_comment", "nouvelle_inscription")}),
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
        if obj.nouvelle_inscription_id is None:
            return None
        return obj.nouvelle_inscription.session.date


@admin.register(DemandeStatusChange)
class DemandeStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ("at", "demande", "from_status", "to_status", "by", "comment")
    list_filter = ("to_status", "demande__kind", "demande__centre", "at")
    search_fields = ("demande__numero__exact", "by__email", "comment")
    list_select_related = ("demande", "by")
    readonly_fields = ("demande", "from_status", "to_status", "by", "at", "comment")
    date_hierarchy = "at"


@admin.register(Anomalie)
class AnomalieAdmin(admin.ModelAdmin):
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
        session moves it to En correction (sessions_app.correction)."""
        from sessions_app.correction import process_anomalie

        if "appliquer" not in request.POST:
            return TemplateResponse(request, "demandes/admin_process_anomalies.html", {
                **self.admin_site.each_context(request),
                "title": "Marquer les anomalies comme traitées",
                "anomalies": queryset.select_related("session", "inscription__candidat", "epreuve"),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            })
        comment = request.POST.get("commentaire", "")
        for anomalie in queryset.select_related("session"):
            try:
                moved = process_anomalie(anomalie, by=request.user, comment=comment)
            except BusinessError as exc:
                self.message_user(request, exc.message, messages.WARNING)
                continue
            self.message_user(request, f"Anomalie traitée : {anomalie}.", messages.SUCCESS)
            if moved:
                self.message_user(
                    request, f"Toutes les anomalies de la session {anomalie.session.numero} sont traitées : "
                    "la session est en correction.", messages.SUCCESS,
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
