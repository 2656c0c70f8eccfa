"""Back-office building blocks every app's admin may use, and the numbering sequences (read-only)."""

from django.contrib import admin

from .models import Sequence


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services (histories, sequences): shown, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatusHistoryInline(admin.TabularInline):
    """A read-only history of status changes (who, when, from, to, comment); set `model`."""

    extra = 0
    max_num = 0
    can_delete = False
    fields = ("at", "from_status", "to_status", "by", "comment")
    readonly_fields = fields
    verbose_name = "changement de statut"
    verbose_name_plural = "historique des statuts"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Sequence)
class SequenceAdmin(ReadOnlyAdmin):
    """Numbers are allocated by `next_number()` and never reused: shown, never edited by hand."""

    list_display = ("name", "last_value")
    search_fields = ("name",)
