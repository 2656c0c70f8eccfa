"""Back-office building blocks every app's admin may use, and the numbering sequences (read-only)."""

from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin

from .models import Sequence


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services (histories, sequences): shown, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StaffReadOnlyAdmin(ReadOnlyAdmin):
    """A page every active staff member sees (no model permission needed), where nothing is edited by hand."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


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


def _autocomplete_optgroups(optgroups):
    """Django's autocomplete box (select2) renders a native <select> the Nu checker rejects: required with no
    option, or required with a chosen value first, and an empty <option> without a label. Every single-choice
    autocomplete box starts with an empty, labelled option (what select2 shows as its placeholder)."""

    def wrapper(self, name, value, attr=None):
        groups = optgroups(self, name, value, attr)
        options = groups[0][1]
        if not self.allow_multiple_selected and not (options and options[0]["value"] == ""):
            options.insert(0, self.create_option(name, "", "", False, 0))
        for option in options:
            if option["value"] == "" and not option["label"]:
                option["attrs"]["label"] = "—"
        return groups

    return wrapper


AutocompleteMixin.optgroups = _autocomplete_optgroups(AutocompleteMixin.optgroups)
