"""Messagerie, centre side: list, "Créer une demande", conversation page with replies, attachments."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from centres.roles import Permission
from centres.tenancy import centre_view, get_for_centre
from core.downloads import serve_file
from core.errors import BusinessError

from . import selectors, services
from .forms import ConversationForm, ReplyForm
from .models import Conversation, PieceJointe


@centre_view(Permission.PORTAL)
def conversation_list(request):
    page = Paginator(selectors.conversations_for_centre(request.centre), 20).get_page(request.GET.get("page"))
    return render(request, "messagerie/list.html", {"page": page})


@centre_view(Permission.WRITE_MESSAGES)
def create(request):
    """ "Contacter le FDA" → "Créer une demande": Titre*, Message*, pièces jointes, Envoyer."""
    form = ConversationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.start_conversation(
                centre=request.centre,
                titre=form.cleaned_data["titre"],
                body=form.cleaned_data["message"],
                attachments=form.cleaned_data["pieces_jointes"],
                by=request.user,
            )
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Votre demande a été envoyée au Français des affaires.")
            return redirect("messagerie:detail", pk=conversation.pk)
    return render(request, "messagerie/create.html", {"form": form})


@centre_view(Permission.PORTAL)
def detail(request, pk):
    """The conversation; opening it marks it read for the centre."""
    conversation = get_for_centre(Conversation.objects.select_related("assigned_to"), request.centre, pk=pk)
    if selectors.is_unread_by_centre(conversation):
        services.mark_read(conversation, services.CENTRE)
    return _render_detail(request, conversation, ReplyForm())


def _render_detail(request, conversation, form, status=200):
    return render(
        request,
        "messagerie/detail.html",
        {
            "conversation": conversation,
            "messages_list": selectors.conversation_messages(conversation),
            "lu_par_fda": selectors.is_read_by_fda(conversation),
            "form": form,
            "can_reply": services.can_reply(conversation),
        },
        status=status,
    )


@require_POST
@centre_view(Permission.WRITE_MESSAGES)
def reply(request, pk):
    conversation = get_for_centre(Conversation, request.centre, pk=pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.reply(
                conversation,
                body=form.cleaned_data["message"],
                attachments=form.cleaned_data["pieces_jointes"],
                by=request.user,
            )
        except BusinessError as exc:
            messages.error(request, exc.message)
            return _render_detail(request, conversation, form, status=400)
        messages.success(request, "Votre message a été envoyé.")
        return redirect("messagerie:detail", pk=conversation.pk)
    return _render_detail(request, conversation, form, status=400)


@centre_view(Permission.PORTAL)
def attachment(request, pk, piece_pk):
    """Attachments are served only to their centre (404 otherwise), as downloads."""
    piece = get_object_or_404(
        PieceJointe.objects.for_centre(request.centre), message__conversation_id=pk, pk=piece_pk
    )
    return serve_file(piece.fichier, filename=piece.nom, content_type=piece.content_type or None)
