"""Back office FDA: candidates, enrolments (épreuves, results), pre-registrations, contact requests,
imports.

Enrolments are only created by the enrolment service (open session, D-2 rule, places left, number and
access code): the back office shows and corrects them but does not add them."""

from django import forms
from django.contrib import admin, messages

from core.admin import ReadOnlyAdmin, StatusHistoryInline
from core.downloads import file_response
from core.errors import BusinessError
from portail.export_views import admin_export_url, export_response

from . import exports, results
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
        return file_response(filename, "application/zip", content)


class InscriptionEpreuveInline(admin.TabularInline):
    model = InscriptionEpreuve
    extra = 0
    fields = ("epreuve", "prix", "absent", "dispense")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("epreuve")


def score_row(inscription: Inscription, epreuve, score: int) -> results.ScoreRow:
    return results.ScoreRow(
        inscription.numero, epreuve.code, score, f"Inscription {inscription.numero}, {epreuve.code}"
    )


class ResultatFormSet(forms.BaseInlineFormSet):
    """The enrolment's scores, checked by the results service (`results.check_scores`: session En
    correction, épreuve sat, 0 ≤ score ≤ maximum of the scale) and written by `results.record_scores`."""

    def rows(self) -> list[results.ScoreRow]:
        return [
            score_row(self.instance, form.cleaned_data["epreuve"], form.cleaned_data["score"])
            for form in self.forms
            if form.has_changed()
            and form.cleaned_data.get("epreuve")
            and form.cleaned_data.get("score") is not None
        ]

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        rows = self.rows()
        if rows:
            try:
                results.check_scores(self.instance.session, rows)
            except BusinessError as exc:
                raise forms.ValidationError(exc.message) from None


class ResultatInline(admin.TabularInline):
    model = Resultat
    formset = ResultatFormSet
    extra = 0
    can_delete = False
    fields = ("epreuve", "score", "score_max", "niveau_cecrl", "nclc", "saisi_par", "saisi_le")
    readonly_fields = ("score_max", "niveau_cecrl", "nclc", "saisi_par", "saisi_le")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("epreuve", "saisi_par")


class ResultatAdminForm(forms.ModelForm):
    """One score from the results list of the back office: the results service's checks as a form error."""

    class Meta:
        model = Resultat
        fields = ("inscription", "epreuve", "score")

    def clean(self):
        cleaned = super().clean()
        inscription = cleaned.get("inscription") or getattr(self.instance, "inscription", None)
        epreuve = cleaned.get("epreuve") or getattr(self.instance, "epreuve", None)
        if self.errors or inscription is None or epreuve is None or cleaned.get("score") is None:
            return cleaned
        try:
            results.check_scores(inscription.session, [score_row(inscription, epreuve, cleaned["score"])])
        except BusinessError as exc:
            raise forms.ValidationError(exc.message) from None
        return cleaned

    def validate_unique(self):
        """An existing score of the same épreuve is replaced by the service, as in the results grid."""


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
    actions = ("exporter_excel",)
    fieldsets = (
        (None, {"fields": ("numero", "code_acces", "session", "candidat", "statut", "source")}),
        ("Particularités", {"fields": ("virtuel", "tiers_temps", "fraude", "reporte_depuis", "prix_total")}),
        ("Captures Passeport", {"fields": ("photo", "signature", "enregistrement_eo", "keylogger")}),
        ("Création", {"fields": ("created_by", "created_at")}),
    )

    def has_add_permission(self, request):
        return False

    @admin.action(description="Exporter vers Excel")
    def exporter_excel(self, request, queryset):
        """The selection, or the whole filtered list ("Tout sélectionner"), as "Toutes les inscriptions"."""
        return export_response(request, exports.INSCRIPTIONS, queryset, page=admin_export_url)

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
        rows = formset.rows()
        if rows:
            results.record_scores(form.instance.session, rows, by=request.user)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


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
    form = ResultatAdminForm
    fields = ("inscription", "epreuve", "score", "score_max", "niveau_cecrl", "nclc", "saisi_par", "saisi_le")
    readonly_fields = ("score_max", "niveau_cecrl", "nclc", "saisi_par", "saisi_le")

    def get_readonly_fields(self, request, obj=None):
        # A recorded score changes its score only: the enrolment and the épreuve are its identity.
        return (*self.readonly_fields, "inscription", "epreuve") if obj else self.readonly_fields

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
        """Through the results service (levels from the scale in force, who entered it)."""
        inscription, epreuve = obj.inscription, obj.epreuve
        results.record_scores(
            inscription.session, [score_row(inscription, epreuve, obj.score)], by=request.user
        )
        saved = Resultat.objects.get(inscription=inscription, epreuve=epreuve)
        obj.pk = saved.pk
        obj.refresh_from_db()


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
