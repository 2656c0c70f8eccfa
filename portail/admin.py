"""Back office FDA: site titles and the numbering sequences (read-only)."""

from django.contrib import admin

from .models import Sequence

admin.site.site_header = "Portail centres — Back office FDA"
admin.site.site_title = "Back office FDA"
admin.site.index_title = "Administration du portail centres"


@admin.register(Sequence)
class SequenceAdmin(admin.ModelAdmin):
    """Numbers are allocated by `next_number()` and never reused: shown, never edited by hand."""

    list_display = ("name", "last_value")
    search_fields = ("name",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
