"""Back office FDA: centres, accounts (e-mail login) and their memberships."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core.errors import BusinessError
from messagerie.account_requests import create_account_from_request, deactivate_account_from_request

from .models import AccountRequest, Centre, Membership, User


class UserCreationForm(BaseUserCreationForm):
    """Add form: e-mail (the login), names, password and confirmation."""

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Un utilisateur avec cette adresse e-mail existe déjà.")
        return email


class UserChangeForm(BaseUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Un utilisateur avec cette adresse e-mail existe déjà.")
        return email


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("centre", "role", "is_active", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("centre",)
    verbose_name = "rattachement à un centre"
    verbose_name_plural = "rattachements aux centres"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("centre")


class CentreMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "is_active", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    verbose_name = "utilisateur du centre"
    verbose_name_plural = "utilisateurs du centre"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("last_name", "first_name", "email")
    list_display = ("email", "last_name", "first_name", "is_staff", "service_fda", "is_active", "last_login")
    list_filter = ("is_staff", "service_fda", "is_superuser", "is_active", "memberships__role", "groups")
    search_fields = ("email", "first_name", "last_name")
    readonly_fields = ("last_login", "date_joined")
    inlines = (MembershipInline,)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name", "genre", "telephone")}),
        (
            "Personnel FDA et droits",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "service_fda",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "password1", "password2"),
            },
        ),
    )


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ("code", "nom", "ville", "pays", "visibilite", "charge_clientele", "actif")
    list_display_links = ("code", "nom")
    list_filter = ("actif", "visibilite", "pays", "charge_clientele")
    search_fields = ("code", "nom", "ville", "email")
    list_select_related = ("charge_clientele",)
    autocomplete_fields = ("charge_clientele",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (CentreMembershipInline,)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("code", "nom", "actif", "charge_clientele")}),
        (
            "Coordonnées",
            {"fields": ("adresse", "code_postal", "ville", "pays", "telephone", "email", "site_web")},
        ),
        ("Site de pré-inscription", {"fields": ("visibilite", "description")}),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "user_email", "centre", "role", "is_active", "created_at")
    list_filter = ("role", "is_active", "centre")
    search_fields = ("user__email", "user__first_name", "user__last_name", "centre__code", "centre__nom")
    list_select_related = ("user", "centre")
    autocomplete_fields = ("user", "centre")
    readonly_fields = ("created_at",)

    @admin.display(description="e-mail", ordering="user__email")
    def user_email(self, obj):
        return obj.user.email


@admin.register(AccountRequest)
class AccountRequestAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "centre",
        "kind",
        "last_name",
        "first_name",
        "email",
        "role",
        "status",
        "requested_by",
    )
    list_filter = ("status", "kind", "role", "centre", "created_at")
    search_fields = ("email", "first_name", "last_name", "centre__code", "centre__nom", "requested_by__email")
    list_select_related = ("centre", "requested_by")
    autocomplete_fields = ("centre", "requested_by", "target_user", "conversation")
    readonly_fields = ("status", "created_at", "processed_by", "processed_at", "traitement")
    date_hierarchy = "created_at"
    actions = ("creer_les_comptes", "desactiver_les_comptes")
    fieldsets = (
        (None, {"fields": ("centre", "kind", "requested_by", "conversation", "status", "traitement")}),
        (
            "Compte demandé",
            {
                "fields": (
                    "last_name",
                    "first_name",
                    "email",
                    "genre",
                    "role",
                    "telephone",
                    "document",
                    "target_user",
                )
            },
        ),
        ("Traitement", {"fields": ("created_at", "processed_by", "processed_at")}),
    )

    # "Créer le compte" / "Désactiver le compte": a list action, and a button on the request (and on its
    # conversation) that opens a confirmation page. Both call the centres service.
    ACTIONS = {
        "creer": (
            AccountRequest.Kind.CREATION,
            "Créer le compte",
            create_account_from_request,
            "Le compte de {email} a été créé ; l'e-mail de définition du mot de passe part à l'instant.",
        ),
        "desactiver": (
            AccountRequest.Kind.DEACTIVATION,
            "Désactiver le compte",
            deactivate_account_from_request,
            "Le compte de {email} a été désactivé pour le centre.",
        ),
    }

    @admin.display(description="traitement")
    def traitement(self, obj):
        if obj is None or obj.pk is None or obj.status != AccountRequest.Status.PENDING:
            return "—"
        key = "creer" if obj.kind == AccountRequest.Kind.CREATION else "desactiver"
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse(f"admin:centres_accountrequest_{key}", args=[obj.pk]),
            self.ACTIONS[key][1],
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/creer-le-compte/",
                self.admin_site.admin_view(self.creer_view),
                name="centres_accountrequest_creer",
            ),
            path(
                "<int:pk>/desactiver-le-compte/",
                self.admin_site.admin_view(self.desactiver_view),
                name="centres_accountrequest_desactiver",
            ),
            *super().get_urls(),
        ]

    def creer_view(self, request, pk):
        return self._confirm_view(request, pk, "creer")

    def desactiver_view(self, request, pk):
        return self._confirm_view(request, pk, "desactiver")

    def _confirm_view(self, request, pk, key):
        account_request = get_object_or_404(
            AccountRequest.objects.select_related("centre", "requested_by", "conversation"), pk=pk
        )
        if not self.has_change_permission(request, account_request):
            raise PermissionDenied
        kind, title, _service, _done = self.ACTIONS[key]
        if request.method == "POST":
            self._run(request, account_request, key)
            return redirect("admin:centres_accountrequest_change", account_request.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "account_request": account_request,
            "opts": self.model._meta,
            "action_label": title,
            "wrong_kind": account_request.kind != kind,
        }
        return TemplateResponse(request, "centres/admin_confirm_account_request.html", context)

    def _run(self, request, account_request, key) -> bool:
        _kind, _title, service, done = self.ACTIONS[key]
        try:
            service(account_request, by=request.user)
        except BusinessError as exc:
            self.message_user(request, exc.message, level=messages.WARNING)
            return False
        self.message_user(request, done.format(email=account_request.email), level=messages.SUCCESS)
        return True

    def _confirm_action(self, request, queryset, key):
        """The list action: a confirmation page listing the selected requests first, then the service
        for each (the requests of the other kind or already processed are named and left alone)."""
        kind, title, _service, _done = self.ACTIONS[key]
        if "appliquer" in request.POST:
            for account_request in queryset:
                self._run(request, account_request, key)
            return None
        requests = list(queryset.select_related("centre", "requested_by"))
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "action_label": title,
            "action_name": f"{key}_les_comptes",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "account_requests": [
                (r, r.kind == kind and r.status == AccountRequest.Status.PENDING) for r in requests
            ],
        }
        return TemplateResponse(request, "centres/admin_confirm_account_requests.html", context)

    @admin.action(description="Créer le compte")
    def creer_les_comptes(self, request, queryset):
        return self._confirm_action(request, queryset, "creer")

    @admin.action(description="Désactiver le compte")
    def desactiver_les_comptes(self, request, queryset):
        return self._confirm_action(request, queryset, "desactiver")
