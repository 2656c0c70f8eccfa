"""Back office FDA: sessions (read-only status and history), their tarifs, documents, bons de commande.

Creation and edition go through the session service (`services.create_session`, `update_session`: product,
date, D-2, places and tarif checks shown as French form errors); status changes go through the session
services; the status, the closure instant and the number are shown, never edited."""

from django import forms
from django.contrib import admin

from core.admin import ReadOnlyAdmin, StatusHistoryInline
from core.errors import BusinessError
from core.uploads import safe_filename, validate_attachment
from tarifs import keys

from . import services
from .admin_results import ResultsAdminMixin
from .models import (
    BonDeCommande,
    BonDeCommandeStatusChange,
    Document,
    DocumentKind,
    Session,
    SessionStatusChange,
    SessionTarif,
)


def as_form_error(exc: BusinessError) -> forms.ValidationError:
    return forms.ValidationError(exc.message, code=exc.code or "invalid")


class SessionAdminForm(forms.ModelForm):
    """The session form of the back office: the session service's checks (product offered at the date,
    D-2, places, what may still change) as French form errors."""

    class Meta:
        model = Session
        fields = services.EDITABLE_FIELDS

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            if self.instance.pk is None:
                cleaned["lieu"] = services.check_new_session(
                    produit=cleaned["produit"],
                    date=cleaned["date"],
                    heure=cleaned["heure"],
                    lieu=cleaned["lieu"],
                    nb_places=cleaned["nb_places"],
                )
            else:
                services.check_session_changes(self.instance, {n: cleaned[n] for n in self.changed_data})
        except BusinessError as exc:
            raise as_form_error(exc) from None
        return cleaned


class SessionTarifFormSet(forms.BaseInlineFormSet):
    """The session's prices, checked by the session service (`clean_tarifs`: one per épreuve of a modular
    product, one single price otherwise, positive, two decimals)."""

    def tarifs(self) -> dict[int | None, object]:
        return {
            (f.cleaned_data["epreuve"].pk if f.cleaned_data.get("epreuve") else None): f.cleaned_data.get(
                "montant"
            )
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        }

    def clean(self):
        super().clean()
        produit = getattr(self.instance, "produit", None) if self.instance.produit_id else None
        if produit is None or any(form.errors for form in self.forms):
            return
        tarifs = self.tarifs()
        expected = {e.pk if e else None for e in keys.expected_tarif_keys(produit)}
        strangers = set(tarifs) - expected
        if strangers:
            raise forms.ValidationError(
                "Ces tarifs ne correspondent pas au produit "
                f"{produit.nom} : {'tarif unique' if None in strangers else 'épreuve hors du produit'}."
            )
        try:
            keys.clean_tarifs(produit, tarifs)
        except BusinessError as exc:
            raise as_form_error(exc) from None


class SessionTarifInline(admin.TabularInline):
    model = SessionTarif
    formset = SessionTarifFormSet
    fields = ("epreuve", "montant")

    def get_extra(self, request, obj=None, **kwargs):
        return 4 if obj is None else 0  # a new session: room for the single price or four épreuves

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("epreuve")


class SessionStatusChangeInline(StatusHistoryInline):
    model = SessionStatusChange


@admin.register(Session)
class SessionAdmin(ResultsAdminMixin, admin.ModelAdmin):
    form = SessionAdminForm
    list_display = (
        "numero",
        "produit",
        "date",
        "heure",
        "centre",
        "lieu",
        "nb_inscrits",
        "nb_places",
        "places_restantes",
        "statut",
        "afficher_en_ligne",
        "closes_at",
        "resultats",
    )
    list_display_links = ("numero", "produit")
    list_filter = ("statut", "produit", "centre", "date", "afficher_en_ligne", "produit__gamme")
    search_fields = ("numero__exact", "centre__code", "centre__nom", "produit__nom", "produit__code", "lieu")
    list_select_related = ("centre", "produit")
    autocomplete_fields = ("centre", "produit")
    readonly_fields = ("numero", "statut", "closes_at", "created_by", "created_at")
    date_hierarchy = "date"
    ordering = ("-date", "-heure", "-numero")
    inlines = (SessionTarifInline, SessionStatusChangeInline)
    fieldsets = (
        (None, {"fields": ("numero", "statut", "centre", "produit")}),
        ("Date et lieu", {"fields": ("date", "heure", "closes_at", "lieu")}),
        ("Places et affichage", {"fields": ("nb_places", "afficher_en_ligne")}),
        ("Création", {"fields": ("created_by", "created_at")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_places()

    @admin.display(description="résultats")
    def resultats(self, obj):
        return self.resultats_link(obj)

    @admin.display(description="inscrits", ordering="nb_inscrits")
    def nb_inscrits(self, obj):
        return obj.nb_inscrits

    @admin.display(description="places restantes")
    def places_restantes(self, obj):
        return obj.places_restantes

    def save_model(self, request, obj, form, change):
        """Edition goes through `services.update_session`; creation waits for the tarifs (save_related)."""
        if change:
            changes = {n: form.cleaned_data[n] for n in form.changed_data if n in services.EDITABLE_FIELDS}
            if changes:
                services.update_session_as_fda(Session.objects.get(pk=obj.pk), by=request.user, **changes)

    def save_related(self, request, form, formsets, change):
        if change:
            return super().save_related(request, form, formsets, change)
        # A session created from the back office: the creation service, with the prices of the inline,
        # as the centre's wizard does (number, history, opened at once).
        obj = form.instance
        tarifs = next(f for f in formsets if isinstance(f, SessionTarifFormSet)).tarifs()
        session = services.create_session(
            centre=obj.centre,
            produit=obj.produit,
            date=obj.date,
            heure=obj.heure,
            lieu=obj.lieu,
            nb_places=obj.nb_places,
            afficher_en_ligne=obj.afficher_en_ligne,
            tarifs=tarifs,
            by=request.user,
        )
        for name in ("pk", "numero", "statut", "closes_at", "created_by", "created_at"):
            setattr(obj, name, getattr(session, name))
        for formset in formsets:  # saved by the service: nothing more for the admin's change message
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(SessionTarif)
class SessionTarifAdmin(admin.ModelAdmin):
    list_display = ("session", "centre", "epreuve", "montant")
    list_filter = ("session__produit", "session__centre", "epreuve")
    search_fields = ("session__numero__exact", "session__centre__code", "session__centre__nom")
    list_select_related = ("session__produit", "session__centre", "epreuve")
    autocomplete_fields = ("session", "epreuve")

    @admin.display(description="centre", ordering="session__centre__nom")
    def centre(self, obj):
        return obj.session.centre


@admin.register(SessionStatusChange)
class SessionStatusChangeAdmin(ReadOnlyAdmin):
    """All sessions' history, read-only."""

    list_display = ("at", "session", "from_status", "to_status", "by", "comment")
    list_filter = ("to_status", "from_status", "session__centre", "at")
    search_fields = ("session__numero__exact", "by__email", "comment")
    list_select_related = ("session__produit", "by")
    readonly_fields = ("session", "from_status", "to_status", "by", "at", "comment")
    date_hierarchy = "at"


class DocumentForm(forms.ModelForm):
    """Uploading a document (e.g. a Sujet EO for a session): the centre and the name follow from the session
    and the file, which is checked like any attachment (type, content, size)."""

    class Meta:
        model = Document
        fields = (
            "kind",
            "session",
            "centre",
            "inscription",
            "fichier",
            "nom",
            "visible_from",
            "code_verification",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].required = False
        self.fields["nom"].required = False
        self.fields["kind"].initial = DocumentKind.SUJET_EO

    def clean(self):
        cleaned = super().clean()
        session, upload = cleaned.get("session"), self.files.get("fichier")
        if not cleaned.get("centre"):
            if session is None:
                raise forms.ValidationError("Choisissez la session (ou le centre) du document.")
            cleaned["centre"] = session.centre
        elif session is not None and session.centre_id != cleaned["centre"].pk:
            raise forms.ValidationError("La session choisie n'appartient pas à ce centre.")
        if upload is not None:
            try:
                cleaned["content_type"] = validate_attachment(upload)
            except BusinessError as exc:
                raise forms.ValidationError(exc.message) from None
            cleaned["nom"] = cleaned.get("nom") or safe_filename(upload.name)
        return cleaned


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    form = DocumentForm
    list_display = (
        "nom",
        "kind",
        "centre",
        "session",
        "inscription",
        "created_at",
        "visible_from",
        "uploaded_by",
    )
    list_filter = ("kind", "centre", "created_at", "visible_from")
    search_fields = (
        "nom",
        "session__numero__exact",
        "inscription__numero__exact",
        "centre__code",
        "centre__nom",
    )
    list_select_related = ("centre", "session__produit", "inscription__candidat", "uploaded_by")
    autocomplete_fields = ("centre", "session", "inscription", "uploaded_by")
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        obj.centre = form.cleaned_data["centre"]
        obj.nom = form.cleaned_data["nom"] or obj.nom
        if "content_type" in form.cleaned_data:
            obj.content_type = form.cleaned_data["content_type"]
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


class BonDeCommandeStatusChangeInline(StatusHistoryInline):
    model = BonDeCommandeStatusChange


@admin.register(BonDeCommande)
class BonDeCommandeAdmin(admin.ModelAdmin):
    inlines = (BonDeCommandeStatusChangeInline,)
    list_display = ("session", "centre", "statut", "montant_total", "signed_by", "signed_at", "created_at")
    list_filter = ("statut", "session__centre", "session__produit", "signed_at")
    search_fields = ("session__numero__exact", "session__centre__code", "session__centre__nom")
    list_select_related = ("session__produit", "session__centre", "signed_by")
    autocomplete_fields = ("session", "document")
    readonly_fields = ("statut", "montant_total", "signed_by", "signed_at", "created_at")

    @admin.display(description="centre", ordering="session__centre__nom")
    def centre(self, obj):
        return obj.session.centre
