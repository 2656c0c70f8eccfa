"""Back office FDA: candidates, enrolments (épreuves, results), pre-registrations, contact requests,
imports.

Enrolments are only created by the enrolment service (open session, D-2 rule, places left, number and
access code): the back office shows and corrects them but does not add them."""

from django.contrib import admin, messages
from django.http import HttpResponse

from core.admin import ReadOnlyAdmin, StatusHistoryInline
from tarifs.scales import level_for

from .models import (
    AvisResultats,
    Candidat,
    ConvocationEnvoi,
    DemandeContact,
    DemandeContactStatusChange,
    ImportJob,
    ImportJobStatusChange,
    Inscription,
    InscriptionEpreuve,
    PreInscription,
    PreInscriptionStatusChange,
    Resultat,
    VerificationLookup,
)
from .personal_data import export_candidat


class CandidatInscriptionInline(admin.TabularInline):
    model = Inscription
    fk_name = "candidat"
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    fields = ("numero", "session", "statut", "source", "created_at")
    readonly_fields = fields
    verbose_name_plural = "inscriptions"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session__produit")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Candidat)
class CandidatAdmin(admin.ModelAdmin):
    list_display = (
        "nom",
        "prenom",
        "centre",
        "date_naissance",
        "genre",
        "nationalite",
        "langue_maternelle",
        "email",
        "motivation",
        "virtuel",
    )
    list_display_links = ("nom", "prenom")
    list_filter = ("centre", "genre", "motivation", "virtuel", "created_at")
    search_fields = ("nom", "prenom", "email", "numero_piece_identite", "inscriptions__numero__exact")
    list_select_related = ("centre",)
    autocomplete_fields = ("centre",)
    readonly_fields = ("created_at", "updated_at", "anonymised_at")
    inlines = (CandidatInscriptionInline,)
    actions = ("exporter_donnees",)
    fieldsets = (
        (None, {"fields": ("centre", "nom", "prenom", "date_naissance", "genre", "virtuel")}),
        (
            "Informations",
            {"fields": ("langue_maternelle", "nationalite", "motivation", "numero_piece_identite")},
        ),
        ("Contact", {"fields": ("email", "telephone")}),
        ("Dates", {"fields": ("created_at", "updated_at", "anonymised_at")}),
    )

    @admin.action(description="Exporter les données personnelles (un candidat)")
    def exporter_donnees(self, request, queryset):
        """An access request: everything held on one person, as a zip (candidats.personal_data)."""
        if queryset.count() != 1:
            self.message_user(request, "Sélectionnez un seul candidat.", messages.WARNING)
            return None
        filename, content = export_candidat(queryset.select_related("centre").get(), by=request.user)
        response = HttpResponse(content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class InscriptionEpreuveInline(admin.TabularInline):
    model = InscriptionEpreuve
    extra = 0
    fields = ("epreuve", "prix", "absent", "dispense")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("epreuve")


class ResultatInline(admin.TabularInline):
    model = Resultat
    extra = 0
    fields = ("epreuve", "score", "score_max", "niveau_cecrl", "nclc", "saisi_par", "saisi_le")
    readonly_fields = ("saisi_par", "saisi_le")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("epreuve", "saisi_par")


def fill_result(resultat: Resultat, user) -> None:
    """Levels left blank are read from the scale in force at the session date."""
    if not resultat.niveau_cecrl and resultat.score is not None:
        session = resultat.inscription.session
        niveau, nclc, score_max = level_for(
            session.produit_id, resultat.epreuve_id, session.date, resultat.score
        )
        resultat.niveau_cecrl = niveau
        resultat.nclc = resultat.nclc if resultat.nclc is not None else nclc
        resultat.score_max = resultat.score_max or score_max
    resultat.saisi_par = user


@admin.register(Inscription)
class InscriptionAdmin(admin.ModelAdmin):
    list_display = (
        "numero",
        "candidat_nom",
        "candidat_prenom",
        "session",
        "centre",
        "statut",
        "source",
        "code_acces",
        "tiers_temps",
        "virtuel",
        "created_at",
    )
    list_display_links = ("numero", "candidat_nom")
    list_filter = (
        "statut",
        "source",
        "session__centre",
        "session__produit",
        "virtuel",
        "tiers_temps",
        "fraude",
        "created_at",
    )
    search_fields = (
        "numero__exact",
        "code_acces",
        "candidat__nom",
        "candidat__prenom",
        "candidat__email",
        "session__numero__exact",
    )
    list_select_related = ("candidat", "session__produit", "session__centre")
    autocomplete_fields = ("session", "candidat", "reporte_depuis")
    readonly_fields = ("numero", "code_acces", "created_by", "created_at")
    date_hierarchy = "created_at"
    inlines = (InscriptionEpreuveInline, ResultatInline)
    fieldsets = (
        (None, {"fields": ("numero", "code_acces", "session", "candidat", "statut", "source")}),
        ("Particularités", {"fields": ("virtuel", "tiers_temps", "fraude", "reporte_depuis", "prix_total")}),
        ("Captures Passeport", {"fields": ("photo", "signature", "enregistrement_eo", "keylogger")}),
        ("Création", {"fields": ("created_by", "created_at")}),
    )

    def has_add_permission(self, request):
        return False

    @admin.display(description="nom", ordering="candidat__nom")
    def candidat_nom(self, obj):
        return obj.candidat.nom.upper()

    @admin.display(description="prénom", ordering="candidat__prenom")
    def candidat_prenom(self, obj):
        return obj.candidat.prenom

    @admin.display(description="centre", ordering="session__centre__nom")
    def centre(self, obj):
        return obj.session.centre

    def save_formset(self, request, form, formset, change):
        if formset.model is not Resultat:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for resultat in instances:
            fill_result(resultat, request.user)
            resultat.save()
        formset.save_m2m()


@admin.register(InscriptionEpreuve)
class InscriptionEpreuveAdmin(admin.ModelAdmin):
    list_display = ("inscription", "session", "epreuve", "prix", "absent", "dispense")
    list_filter = ("epreuve", "absent", "dispense", "inscription__session__centre")
    search_fields = (
        "inscription__numero__exact",
        "inscription__candidat__nom",
        "inscription__session__numero__exact",
    )
    list_select_related = ("inscription__candidat", "inscription__session__produit", "epreuve")
    autocomplete_fields = ("inscription", "epreuve")

    @admin.display(description="session")
    def session(self, obj):
        return obj.inscription.session


@admin.register(Resultat)
class ResultatAdmin(admin.ModelAdmin):
    list_display = (
        "inscription_numero",
        "candidat",
        "session",
        "epreuve",
        "score",
        "score_max",
        "niveau_cecrl",
        "nclc",
        "saisi_le",
    )
    list_filter = ("epreuve", "niveau_cecrl", "inscription__session__produit", "inscription__session__centre")
    search_fields = (
        "inscription__numero__exact",
        "inscription__candidat__nom",
        "inscription__candidat__prenom",
        "inscription__session__numero__exact",
    )
    list_select_related = ("inscription__candidat", "inscription__session__produit", "epreuve")
    autocomplete_fields = ("inscription", "epreuve")
    readonly_fields = ("saisi_par", "saisi_le")

    @admin.display(description="n° inscription", ordering="inscription__numero")
    def inscription_numero(self, obj):
        return obj.inscription.numero

    @admin.display(description="candidat", ordering="inscription__candidat__nom")
    def candidat(self, obj):
        return obj.inscription.candidat

    @admin.display(description="session", ordering="inscription__session__numero")
    def session(self, obj):
        return obj.inscription.session

    def save_model(self, request, obj, form, change):
        fill_result(obj, request.user)
        super().save_model(request, obj, form, change)


class PreInscriptionStatusChangeInline(StatusHistoryInline):
    model = PreInscriptionStatusChange


class DemandeContactStatusChangeInline(StatusHistoryInline):
    model = DemandeContactStatusChange


class ImportJobStatusChangeInline(StatusHistoryInline):
    model = ImportJobStatusChange


@admin.register(PreInscription)
class PreInscriptionAdmin(admin.ModelAdmin):
    inlines = (PreInscriptionStatusChangeInline,)
    list_display = ("created_at", "nom", "prenom", "email", "centre", "session", "motivation", "statut")
    list_display_links = ("created_at", "nom")
    list_filter = ("statut", "centre", "motivation", "created_at")
    search_fields = (
        "nom",
        "prenom",
        "email",
        "numero_piece_identite",
        "centre__code",
        "centre__nom",
        "session__numero__exact",
    )
    list_select_related = ("centre", "session__produit")
    autocomplete_fields = ("centre", "session", "inscription", "epreuves")
    readonly_fields = ("statut", "traitee_par", "traitee_le", "created_at")
    date_hierarchy = "created_at"


@admin.register(DemandeContact)
class DemandeContactAdmin(admin.ModelAdmin):
    inlines = (DemandeContactStatusChangeInline,)
    list_display = ("created_at", "nom", "prenom", "email", "centre", "produit", "statut", "traitee_le")
    list_display_links = ("created_at", "nom")
    list_filter = ("statut", "centre", "produit", "created_at")
    search_fields = ("nom", "prenom", "email", "centre__code", "centre__nom", "message")
    list_select_related = ("centre", "produit")
    autocomplete_fields = ("centre", "produit")
    readonly_fields = ("statut", "traitee_par", "traitee_le", "created_at")
    date_hierarchy = "created_at"


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    inlines = (ImportJobStatusChangeInline,)
    list_display = (
        "created_at",
        "nom_fichier",
        "centre",
        "session",
        "statut",
        "lignes_total",
        "lignes_traitees",
        "created_by",
        "finished_at",
    )
    list_filter = ("statut", "centre", "created_at")
    search_fields = ("nom_fichier", "centre__code", "centre__nom", "session__numero__exact")
    list_select_related = ("centre", "session__produit", "created_by")
    autocomplete_fields = ("centre", "session")
    readonly_fields = (
        "statut",
        "lignes_total",
        "lignes_traitees",
        "rapport",
        "created_by",
        "created_at",
        "finished_at",
    )
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False


@admin.register(ConvocationEnvoi)
class ConvocationEnvoiAdmin(ReadOnlyAdmin):
    list_display = ("inscription", "kind", "status", "email", "sent_at", "by")
    list_filter = ("kind", "status")
    list_select_related = ("inscription", "by")
    search_fields = ("inscription__numero", "email")


@admin.register(AvisResultats)
class AvisResultatsAdmin(ReadOnlyAdmin):
    list_display = ("inscription", "status", "email", "with_attestation", "sent_at")
    list_filter = ("status", "with_attestation")
    list_select_related = ("inscription",)


@admin.register(VerificationLookup)
class VerificationLookupAdmin(ReadOnlyAdmin):
    """The log of /verification/: who checked which code, when, and whether it was confirmed."""

    list_display = ("at", "ip", "code", "found", "throttled", "document")
    list_filter = ("found", "throttled")
    list_select_related = ("document",)
    search_fields = ("code", "ip")
