"""Back office FDA: catalogue (épreuves, produits and their rules), FDA prices, centre tarifs, barèmes."""

from django.contrib import admin

from .models import (
    Bareme,
    Epreuve,
    PalierGlobal,
    PrixFDA,
    Produit,
    RegleEpreuves,
    Seuil,
    TableNiveaux,
    Tarif,
    TarifHistorique,
)


@admin.register(Epreuve)
class EpreuveAdmin(admin.ModelAdmin):
    list_display = ("code", "libelle", "ordre")
    list_editable = ("ordre",)
    search_fields = ("code", "libelle")
    ordering = ("ordre", "code")


class RegleEpreuvesInline(admin.TabularInline):
    model = RegleEpreuves
    extra = 0
    fields = ("type", "motivation", "epreuves", "libelle", "source")
    autocomplete_fields = ("epreuves",)


class PrixFDAInline(admin.TabularInline):
    model = PrixFDA
    extra = 0
    fields = ("epreuve", "montant", "date_effet")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("epreuve")


@admin.register(Produit)
class ProduitAdmin(admin.ModelAdmin):
    # The guide's product list: N°, gamme, épreuves, nom, modulaire, statut, type, dates.
    list_display = (
        "numero",
        "gamme",
        "liste_epreuves",
        "nom",
        "code",
        "modulaire",
        "statut",
        "type",
        "date_debut",
        "date_fin",
    )
    list_display_links = ("numero", "nom")
    list_filter = ("gamme", "modulaire", "statut", "type")
    search_fields = ("nom", "code", "numero__exact")
    ordering = ("numero",)
    filter_horizontal = ("epreuves",)
    inlines = (RegleEpreuvesInline, PrixFDAInline)
    fieldsets = (
        ("Identité du produit", {"fields": ("numero", "nom", "code", "gamme", "description", "document")}),
        ("Épreuves", {"fields": ("modulaire", "epreuves")}),
        ("Disponibilité", {"fields": ("statut", "type", "date_debut", "date_fin")}),
        (
            "Règles de passage",
            {"fields": ("delai_entre_passages", "portee_delai", "regle_delai", "age_minimum")},
        ),
        ("Résultats", {"fields": ("validite_annees",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("epreuves")

    @admin.display(description="épreuves")
    def liste_epreuves(self, obj):
        # Sorted in Python so that the prefetch cache is used (no query per row).
        return ", ".join(e.code for e in sorted(obj.epreuves.all(), key=lambda e: (e.ordre, e.code)))


@admin.register(RegleEpreuves)
class RegleEpreuvesAdmin(admin.ModelAdmin):
    list_display = ("produit", "type", "motivation", "liste_epreuves", "libelle", "source")
    list_filter = ("produit", "type", "motivation")
    search_fields = ("libelle", "produit__nom", "produit__code")
    list_select_related = ("produit",)
    autocomplete_fields = ("produit", "epreuves")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("epreuves")

    @admin.display(description="épreuves")
    def liste_epreuves(self, obj):
        return ", ".join(e.code for e in sorted(obj.epreuves.all(), key=lambda e: (e.ordre, e.code)))


@admin.register(PrixFDA)
class PrixFDAAdmin(admin.ModelAdmin):
    list_display = ("produit", "epreuve", "montant", "date_effet")
    list_filter = ("produit", "epreuve", "date_effet")
    search_fields = ("produit__nom", "produit__code")
    list_select_related = ("produit", "epreuve")
    autocomplete_fields = ("produit", "epreuve")
    date_hierarchy = "date_effet"


@admin.register(Tarif)
class TarifAdmin(admin.ModelAdmin):
    list_display = ("centre", "produit", "epreuve", "montant", "updated_at")
    list_filter = ("produit", "epreuve", "centre")
    search_fields = ("centre__code", "centre__nom", "produit__nom", "produit__code")
    list_select_related = ("centre", "produit", "epreuve")
    autocomplete_fields = ("centre", "produit", "epreuve")
    readonly_fields = ("updated_at",)


@admin.register(TarifHistorique)
class TarifHistoriqueAdmin(admin.ModelAdmin):
    """Read-only: the history is written by the tarif service, never by hand."""

    list_display = ("le", "centre", "produit", "epreuve", "ancien_montant", "nouveau_montant", "par")
    list_filter = ("tarif__produit", "tarif__centre", "le")
    search_fields = ("tarif__centre__code", "tarif__centre__nom", "tarif__produit__nom", "par__email")
    list_select_related = ("tarif__centre", "tarif__produit", "tarif__epreuve", "par")
    readonly_fields = ("tarif", "ancien_montant", "nouveau_montant", "par", "le")
    date_hierarchy = "le"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="centre", ordering="tarif__centre__nom")
    def centre(self, obj):
        return obj.tarif.centre

    @admin.display(description="produit", ordering="tarif__produit__nom")
    def produit(self, obj):
        return obj.tarif.produit

    @admin.display(description="épreuve")
    def epreuve(self, obj):
        return obj.tarif.epreuve or "Tarif unique"


@admin.register(Bareme)
class BaremeAdmin(admin.ModelAdmin):
    """The scale of one épreuve (its maximum) and its period; every change is in the audit trail."""

    list_display = ("produit", "epreuve", "score_max", "date_effet", "date_fin", "source")
    list_filter = ("produit", "epreuve")
    search_fields = ("produit__nom", "produit__code", "epreuve__code", "source")
    list_select_related = ("produit", "epreuve")
    autocomplete_fields = ("produit", "epreuve")


class SeuilInline(admin.TabularInline):
    model = Seuil
    extra = 0
    fields = ("score_min", "valeur")


class PalierGlobalInline(admin.TabularInline):
    model = PalierGlobal
    extra = 0
    fields = ("niveau", "minimum_toutes", "nombre", "minimum_plusieurs")


@admin.register(TableNiveaux)
class TableNiveauxAdmin(admin.ModelAdmin):
    """CECRL / NCLC cut-offs, old-score equivalence (rows: minimum score → value) and overall-level rules
    (steps), each with its source and period. A table left out shows nothing on the attestations."""

    list_display = ("nature", "produit", "epreuve", "nom", "date_effet", "date_fin", "demo", "source")
    list_filter = ("nature", "produit", "epreuve", "demo")
    search_fields = ("produit__nom", "produit__code", "epreuve__code", "nom", "source")
    list_select_related = ("produit", "epreuve")
    autocomplete_fields = ("produit", "epreuve")
    inlines = (SeuilInline, PalierGlobalInline)
