from django.contrib import admin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by the API only (the secret is shown once); FDA may see and revoke them."""

    list_display = ("prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("created_at", "expires_at", "revoked_at")
    search_fields = ("prefix", "user__email", "name")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_by")
    fields = readonly_fields + ("revoked_at",)

    def has_add_permission(self, request):
        return False
