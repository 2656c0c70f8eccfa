"""Back office FDA: conversations with the centres. FDA reads the thread and answers in the change form
(through messagerie.services, so the read state and the e-mail to the centre follow)."""

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from core.admin import StatusHistoryInline
from core.downloads import serve_file
from core.errors import BusinessError

from . import services
from .forms import MultipleFileField
from .models import Conversation, ConversationStatusChange, Message, PieceJointe


class UnreadByFdaFilter(admin.SimpleListFilter):
    title = "lecture"
    parameter_name = "a_lire"

    def lookups(self, request, model_admin):
        return (("oui", "À lire par le FDA"), ("non", "Lues"))

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.unread_by_fda()
        if self.value() == "non":
            return queryset.exclude(pk__in=queryset.unread_by_fda().values("pk"))
        return queryset


class AssignedToMeFilter(admin.SimpleListFilter):
    title = "attribution"
    parameter_name = "attribuee"

    def lookups(self, request, model_admin):
        return (("moi", "Attribuées à moi"), ("personne", "Non attribuées"))

    def queryset(self, request, queryset):
        if self.value() == "moi":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "personne":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class ConversationAdminForm(forms.ModelForm):
    """The change form carries the FDA answer: "Répondre" (and attachments), "Fermer la conversation"."""

    reponse = forms.CharField(
        label="Répondre",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="Votre réponse est ajoutée à la conversation et envoyée par e-mail au centre.",
    )
    pieces_jointes = MultipleFileField(label="Pièces jointes de la réponse")
    fermer = forms.BooleanField(
        label="Fermer la conversation",
        required=False,
        help_text="Après l'envoi de la réponse, le cas échéant.",
    )

    class Meta:
        model = Conversation
        fields = ("titre", "centre", "service", "assigned_to")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("pieces_jointes") and not cleaned.get("reponse", "").strip():
            self.add_error("reponse", "Écrivez un message pour accompagner les pièces jointes.")
        if not self.instance.pk and not cleaned.get("reponse", "").strip():
            self.add_error("reponse", "Le message est obligatoire.")
        if self.instance.pk and cleaned.get("reponse") and (refusal := services.cannot_reply(self.instance)):
            self.add_error("reponse", refusal)
        return cleaned


class ConversationStatusChangeInline(StatusHistoryInline):
    model = ConversationStatusChange


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    form = ConversationAdminForm
    inlines = (ConversationStatusChangeInline,)
    list_display = ("titre", "centre", "service", "statut", "assigned_to", "last_message_at", "a_lire")
    # No centre filter nor date hierarchy: at national scale one lists a thousand centres and the other
    # scans every conversation at each display (make bench); the search finds a centre by code or name.
    list_filter = (
        UnreadByFdaFilter,
        AssignedToMeFilter,
        "statut",
        "service",
        "assigned_to",
        "last_message_at",
    )
    # 50 rows a page and no second COUNT of the whole table: the list stays under 150 ms at national
    # scale (make bench); "Afficher tout" and the pagination still give every row.
    list_per_page = 50
    show_full_result_count = False
    search_fields = ("titre", "centre__code", "centre__nom", "created_by__email")
    list_select_related = ("centre", "assigned_to")
    autocomplete_fields = ("centre", "assigned_to", "created_by")
    actions = ("fermer_conversations",)
    activity_fields = (
        "statut",
        "created_at",
        "last_message_at",
        "last_centre_message_at",
        "last_fda_message_at",
        "centre_read_at",
        "fda_read_at",
        "closed_at",
    )

    def get_readonly_fields(self, request, obj=None):
        fields = (*self.activity_fields, "fil", "demande_de_compte", "ouverte_par")
        if obj is not None:
            fields = ("titre", "centre", "ouverte_par", *fields)
        return fields

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                (
                    None,
                    {"fields": ("titre", "centre", "service", "assigned_to", "reponse", "pieces_jointes")},
                ),
            )
        return (
            (
                None,
                {
                    "fields": (
                        "titre",
                        "centre",
                        "service",
                        "assigned_to",
                        "statut",
                        "ouverte_par",
                        "demande_de_compte",
                    )
                },
            ),
            ("Messages", {"fields": ("fil",)}),
            ("Répondre", {"fields": ("reponse", "pieces_jointes", "fermer")}),
            ("Activité", {"classes": ("collapse",), "fields": self.activity_fields[1:]}),
        )

    @admin.display(description="à lire par le FDA", boolean=True)
    def a_lire(self, obj):
        return obj.last_centre_message_at is not None and (
            obj.fda_read_at is None or obj.fda_read_at < obj.last_centre_message_at
        )

    @admin.display(description="ouverte par")
    def ouverte_par(self, obj):
        return obj.created_by or "—"

    @admin.display(description="messages")
    def fil(self, obj):
        """The thread, read-only. Every user-typed string goes through format_html (escaped)."""
        if obj is None or obj.pk is None:
            return "—"
        rows = []
        for message in obj.messages.select_related("author").prefetch_related("pieces_jointes"):
            who = "Français des affaires" if message.from_fda else "Centre"
            author = message.author.get_full_name() if message.author else ""
            pieces = format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                (
                    (reverse("admin:messagerie_piecejointe_download", args=[p.pk]), p.nom)
                    for p in message.pieces_jointes.all()
                ),
            )
            rows.append(
                format_html(
                    '<p class="conversation-message">'
                    "<strong>{} — {}</strong> <small>(envoyé le {})</small><br>{}{}</p>",
                    who,
                    author,
                    date_format(timezone.localtime(message.created_at), "d/m/Y à H\\hi"),
                    linebreaksbr(message.body),
                    format_html("<br>Pièces jointes : {}", pieces) if pieces else "",
                )
            )
        return format_html_join("", "{}", ((r,) for r in rows)) or "Aucun message."

    @admin.display(description="demande de compte")
    def demande_de_compte(self, obj):
        request_obj = getattr(obj, "account_request", None) if obj and obj.pk else None
        if request_obj is None:
            return "—"
        link = format_html(
            '<a href="{}">{}</a> — {}',
            reverse("admin:centres_accountrequest_change", args=[request_obj.pk]),
            request_obj,
            request_obj.get_status_display(),
        )
        if request_obj.status != request_obj.Status.PENDING:
            return link
        key, label = (
            ("creer", "Créer le compte")
            if request_obj.kind == request_obj.Kind.CREATION
            else ("desactiver", "Désactiver le compte")
        )
        return format_html(
            '{} <a class="button" href="{}">{}</a>',
            link,
            reverse(f"admin:centres_accountrequest_{key}", args=[request_obj.pk]),
            label,
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("centre", "assigned_to", "created_by")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Opening a conversation in the back office marks it read by FDA.
        if request.method == "GET" and object_id:
            conversation = Conversation.objects.filter(pk=object_id).first()
            if conversation is not None:
                services.mark_read(conversation, services.FDA)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        body = form.cleaned_data.get("reponse", "").strip()
        attachments = form.cleaned_data.get("pieces_jointes") or []
        if not change:
            created = services.start_conversation(
                centre=obj.centre,
                titre=obj.titre,
                body=body,
                attachments=attachments,
                by=request.user,
                service=obj.service,
                assigned_to=obj.assigned_to,
            )
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        changed = [f for f in ("service", "assigned_to") if f in form.changed_data]
        if changed:
            obj.save(update_fields=changed)
        if body:
            services.reply(obj, body=body, attachments=attachments, by=request.user)
        if form.cleaned_data.get("fermer") and services.can_close(obj):
            services.close_conversation(obj, by=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except BusinessError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description="Fermer la conversation")
    def fermer_conversations(self, request, queryset):
        closed = 0
        for conversation in queryset.filter(statut=Conversation.Statut.OUVERTE):
            services.close_conversation(conversation, by=request.user)
            closed += 1
        text = ngettext("%(n)d conversation fermée.", "%(n)d conversations fermées.", closed) % {"n": closed}
        self.message_user(request, text, level=messages.SUCCESS)


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "conversation", "centre", "from_fda", "author", "extrait")
    list_filter = ("from_fda", "conversation__centre", "created_at")
    search_fields = ("body", "conversation__titre", "author__email")
    list_select_related = ("conversation__centre", "author")
    autocomplete_fields = ("conversation", "author")
    date_hierarchy = "created_at"

    @admin.display(description="centre", ordering="conversation__centre__nom")
    def centre(self, obj):
        return obj.conversation.centre

    @admin.display(description="message")
    def extrait(self, obj):
        return obj.body[:80]


@admin.register(PieceJointe)
class PieceJointeAdmin(admin.ModelAdmin):
    list_display = ("nom", "message", "centre", "content_type")
    search_fields = ("nom", "message__conversation__titre")
    list_filter = ("message__conversation__centre",)
    list_select_related = ("message__conversation__centre",)
    autocomplete_fields = ("message",)

    @admin.display(description="centre")
    def centre(self, obj):
        return obj.message.conversation.centre

    def get_urls(self):
        return [
            path(
                "<int:pk>/telecharger/",
                self.admin_site.admin_view(self.download_view),
                name="messagerie_piecejointe_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        if not self.has_view_permission(request):
            raise Http404
        piece = get_object_or_404(PieceJointe, pk=pk)
        return serve_file(piece.fichier, filename=piece.nom, content_type=piece.content_type or None)
