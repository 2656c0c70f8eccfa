"""The public pre-registration site (/preinscription/): anonymous, in French.

Centres listed by their visibility option; a centre "avec sessions" shows its online sessions with
the places left and takes pre-registrations; a centre "sans sessions" takes contact requests.
Bots: a honeypot field (filled → we pretend success and store nothing) and a per-IP throttle
(THROTTLE_LIMIT submissions per THROTTLE_WINDOW seconds, counted in the cache → HTTP 429)."""

from __future__ import annotations

from django.core.cache import cache
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from centres.models import Centre, Visibilite
from core.errors import BusinessError
from core.net import client_ip
from core.text import as_number

from . import selectors, services
from .forms import PublicContactForm, PublicPreInscriptionForm

THROTTLE_LIMIT = 5
THROTTLE_WINDOW = 10 * 60


def _throttled(request, scope: str = "submissions", limit: int = THROTTLE_LIMIT) -> bool:
    """Count this submission; True when the IP went past the limit in the current window."""
    key = f"public:{scope}:{client_ip(request)}"
    if cache.add(key, 1, THROTTLE_WINDOW):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, THROTTLE_WINDOW)
        return False
    return count > limit


def _too_many(request):
    return render(request, "public/trop_de_demandes.html", {"minutes": THROTTLE_WINDOW // 60}, status=429)


def centres(request):
    return render(request, "public/centres.html", {"centres": selectors.public_centres()})


def _centre(code: str) -> Centre:
    return get_object_or_404(Centre.objects.visible_online(), code=code)


def centre(request, code: str):
    centre = _centre(code)
    sessions = (
        list(selectors.public_sessions(centre)) if centre.visibilite == Visibilite.AVEC_SESSIONS else []
    )
    return render(request, "public/centre.html", {"centre": centre, "sessions": sessions})


@require_http_methods(["GET", "POST"])
def pre_inscription(request, code: str):
    centre = _centre(code)
    if centre.visibilite != Visibilite.AVEC_SESSIONS:
        return redirect("public:contact", code=centre.code)
    sessions = selectors.public_sessions(centre)
    initial = {}
    if (numero := as_number(request.GET.get("session"))) is not None:
        chosen = sessions.filter(numero=numero).first()
        if chosen:
            initial["session"] = chosen.pk
    form = PublicPreInscriptionForm(request.POST or None, sessions=sessions, initial=initial)
    if request.method == "POST":
        if _throttled(request):
            return _too_many(request)
        if form.is_bot():
            return redirect("public:merci", code=centre.code)
        if form.is_valid():
            session = form.cleaned_data.get("session")
            if session is not None and session.places_restantes <= 0:
                form.add_error("session", "Cette session est complète : choisissez-en une autre.")
            else:
                try:
                    services.create_pre_inscription(
                        centre=centre,
                        session=session,
                        data=form.candidat_data(),
                        telephone=form.cleaned_data.get("telephone", ""),
                        epreuves=list(form.cleaned_data.get("epreuves") or []),
                    )
                except BusinessError as exc:
                    form.add_error("epreuves" if exc.code == "epreuves" else None, exc.message)
                else:
                    return redirect("public:merci", code=centre.code)
    return render(request, "public/pre_inscription.html", {"centre": centre, "form": form})


@require_http_methods(["GET", "POST"])
def contact(request, code: str):
    centre = _centre(code)
    form = PublicContactForm(request.POST or None)
    if request.method == "POST":
        if _throttled(request):
            return _too_many(request)
        if form.is_bot():
            return redirect("public:merci_contact", code=centre.code)
        if form.is_valid():
            cd = form.cleaned_data
            services.create_demande_contact(
                centre=centre,
                nom=cd["nom"],
                prenom=cd["prenom"],
                email=cd["email"],
                telephone=cd["telephone"],
                produit=cd["produit"],
                message=cd["message"],
            )
            return redirect("public:merci_contact", code=centre.code)
    return render(request, "public/contact.html", {"centre": centre, "form": form})


def merci(request, code: str):
    return render(request, "public/merci.html", {"centre": _centre(code), "kind": "pre_inscription"})


def merci_contact(request, code: str):
    return render(request, "public/merci.html", {"centre": _centre(code), "kind": "contact"})
