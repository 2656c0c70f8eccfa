"""After the test day, centre side: "Mettre en correction" (readiness check + feuille d'anomalies), the
Tableau de résultats with its Excel export, and every attestation of the session as one zip."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from candidats import attestations, results
from candidats.models import Inscription, InscriptionStatus
from centres.roles import Permission
from centres.tenancy import centre_view, get_for_centre
from core.downloads import file_response
from core.errors import BusinessError
from core.forms import CleanForm
from demandes import correction
from demandes.models import Anomalie
from portail.export_views import export_response

from .models import Document, DocumentKind, Session, SessionStatus

RESULTS_PER_PAGE = 50


class AnomalieForm(CleanForm):
    inscription = forms.ModelChoiceField(
        queryset=Inscription.objects.none(),
        required=False,
        label="Candidat",
        empty_label="— (toute la session)",
    )
    epreuve = forms.ModelChoiceField(queryset=None, required=False, label="Épreuve", empty_label="—")
    kind = forms.ChoiceField(choices=[("", "—")] + list(Anomalie.Kind.choices), label="Nature")
    description = forms.CharField(
        label="Description", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inscription"].queryset = (
            Inscription.objects.filter(session=session, statut=InscriptionStatus.INSCRIT)
            .select_related("candidat")
            .order_by("candidat__nom", "candidat__prenom")
        )
        self.fields["inscription"].label_from_instance = lambda i: (
            f"{i.numero} — {i.candidat.nom.upper()} {i.candidat.prenom}"
        )
        self.fields["epreuve"].queryset = session.produit.epreuves.order_by("ordre")
        for name, field in self.fields.items():
            field.widget.attrs["class"] = (
                "form-control form-control-sm" if name == "description" else "form-select form-select-sm"
            )

    def line(self) -> correction.AnomalyLine:
        cd = self.cleaned_data
        return correction.AnomalyLine(
            kind=cd["kind"],
            description=cd["description"],
            inscription=cd.get("inscription"),
            epreuve=cd.get("epreuve"),
        )


AnomalieFormSet = forms.formset_factory(AnomalieForm, extra=3, max_num=200, validate_max=True)


def _session(request, numero: int) -> Session:
    return get_for_centre(Session.objects.select_related("produit", "centre"), request.centre, numero=numero)


@centre_view(Permission.START_CORRECTION)
def mise_en_correction(request, numero: int):
    session = _session(request, numero)
    if (refusal := correction.cannot_put_in_correction(session)) is not None:
        messages.error(request, refusal)
        return redirect("sessions:detail", numero=numero)
    check = correction.readiness(session)
    # One line ready for each virtual candidate that must be justified, plus three free lines.
    initial = [
        {"inscription": i.pk, "kind": Anomalie.Kind.CANDIDAT_VIRTUEL} for i in check.unjustified_virtuals
    ]
    formset = AnomalieFormSet(
        request.POST or None, initial=initial, form_kwargs={"session": session}, prefix="anomalies"
    )
    if request.method == "POST" and formset.is_valid():
        # Blank lines (untouched) are not anomalies; a prefilled line counts once it has a description.
        lines = [f.line() for f in formset if f.has_changed() and f.cleaned_data]
        try:
            statut = correction.put_in_correction(
                session, lines=lines, reason=request.POST.get("raison", ""), by=request.user
            )
        except BusinessError as exc:
            messages.error(request, exc.message)
        else:
            if statut == SessionStatus.CORRECTION:
                messages.success(request, f"La session {session.numero} est en correction.")
            else:
                messages.success(
                    request,
                    f"La feuille d'anomalies de la session {session.numero} est transmise à votre chargé(e) de "
                    "clientèle : la session passera en correction une fois les anomalies traitées.",
                )
            return redirect("sessions:detail", numero=numero)
    return render(
        request,
        "sessions_app/correction.html",
        {"session": session, "check": check, "formset": formset, "raison": request.POST.get("raison", "")},
    )


@centre_view(Permission.PORTAL)
def resultats(request, numero: int):
    """Tableau de résultats: score and level per épreuve per candidate, once FDA has published them."""
    session = _session(request, numero)
    published = attestations.results_published(session)
    # 50 candidates a page, read and rendered (up to 200 table rows): a session of 300 stays well under
    # 150 ms (make bench); the Excel export has every candidate.
    rows = results.results_queryset(session) if published else Inscription.objects.none()
    page = Paginator(rows, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = results.with_lines(list(page.object_list), session)
    # The attestations of this page's candidates only; the workers may still be rendering the others.
    documents = (
        dict(
            Document.objects.filter(inscription__in=[row.pk for row in page], kind=DocumentKind.ATTESTATION)
            .order_by("created_at")  # a newer attestation (replaced) wins
            .values_list("inscription_id", "pk")
        )
        if published and page.object_list
        else {}
    )
    for row in page:
        row.attestation_pk = documents.get(row.pk)
    cols = results.columns(list(page.object_list))
    return render(
        request,
        "sessions_app/resultats.html",
        {
            "session": session,
            "published": published,
            "page": page,
            "progress": attestations.progress(session) if published else None,
            "cols": cols,
            "level_cols": 1 + cols.nclc + cols.equivalence,
            # N°, Nom, Prénom, Épreuve, Score, the level columns, the overall ones, validity, Attestation.
            "all_cols": 6
            + cols.nclc
            + cols.equivalence
            + cols.nclc_global
            + cols.niveau_global
            + bool(results.valid_until(session)),
            "valid_until": results.valid_until(session),
        },
    )


def _published_or_redirect(request, session):
    if not attestations.results_published(session):
        messages.error(request, "Les résultats de cette session ne sont pas encore publiés.")
        return redirect("sessions:resultats", numero=session.numero)
    return None


@centre_view(Permission.PORTAL)
def resultats_export(request, numero: int):
    session = _session(request, numero)
    if (refusal := _published_or_redirect(request, session)) is not None:
        return refusal
    return export_response(
        request, results.RESULTATS, Session.objects.filter(pk=session.pk), centre=request.centre
    )


@centre_view(Permission.PORTAL)
def attestations_zip(request, numero: int):
    session = _session(request, numero)
    if (refusal := _published_or_redirect(request, session)) is not None:
        return refusal
    progress = attestations.progress(session)
    if not progress.complete:
        messages.info(
            request,
            f"Les attestations sont en cours de génération ({progress.ready} sur {progress.expected} prêtes) : "
            "le fichier de toutes les attestations sera disponible une fois la génération terminée.",
        )
        return redirect("sessions:resultats", numero=session.numero)
    return file_response(
        f"attestations_{session.numero}.zip", "application/zip", attestations.attestations_zip(session)
    )
