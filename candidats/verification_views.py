"""/verification/: the public page where anyone holding an attestation has it confirmed (code + the
candidate's birth date). Anonymous, throttled per IP (the public site's client-IP helper and counter),
every lookup logged; a wrong code and a wrong birth date get the same answer."""

from django import forms
from django.shortcuts import render

from core.forms import CleanForm
from core.net import client_ip

from . import verification
from .public_views import THROTTLE_WINDOW, _throttled

LOOKUPS_PER_WINDOW = 10


class VerificationForm(CleanForm):
    code = forms.CharField(label="Code de vérification", max_length=20)
    date_naissance = forms.DateField(
        label="Date de naissance du candidat", widget=forms.DateInput(attrs={"type": "date"})
    )


def verification_page(request):
    form = VerificationForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    context = {"form": form, "checked": False, "result": None}
    if request.method == "POST":
        ip = client_ip(request) or None
        if _throttled(request, scope="verification", limit=LOOKUPS_PER_WINDOW):
            verification.log_throttled(request.POST.get("code", ""), ip=ip)
            return render(
                request, "public/trop_de_demandes.html", {"minutes": THROTTLE_WINDOW // 60}, status=429
            )
        if form.is_valid():
            context["checked"] = True
            context["result"] = verification.verify(
                form.cleaned_data["code"], form.cleaned_data["date_naissance"], ip=ip
            )
    return render(request, "public/verification.html", context)
