"""Back office: a session's results page (enter scores, import an Excel file, publish), reached from
the session's change page and the sessions list."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from candidats import attestations, results
from candidats.models import Resultat
from core.downloads import file_response
from core.errors import BusinessError
from core.spreadsheets import XLSX
from tarifs import scales

from .models import Session


class ResultsAdminMixin:
    """Adds /admin/sessions_app/session/<pk>/resultats/ (+ modele.xlsx) to the session admin."""

    def get_urls(self):
        urls = super().get_urls()
        own = [
            path(
                "<int:pk>/resultats/",
                self.admin_site.admin_view(self.resultats_view),
                name="sessions_app_session_resultats",
            ),
            path(
                "<int:pk>/resultats/modele.xlsx",
                self.admin_site.admin_view(self.resultats_template_view),
                name="sessions_app_session_resultats_modele",
            ),
        ]
        return own + urls

    @staticmethod
    def resultats_link(obj):
        return format_html(
            '<a href="{}">Résultats</a>', reverse("admin:sessions_app_session_resultats", args=[obj.pk])
        )

    def resultats_view(self, request, pk):
        session = get_object_or_404(Session.objects.select_related("centre", "produit"), pk=pk)
        if not self.has_change_permission(request, session):
            return HttpResponse(status=403)
        here = reverse("admin:sessions_app_session_resultats", args=[pk])
        if request.method == "POST":
            try:
                if "publier" in request.POST:
                    results.publish(session, by=request.user, allow_missing="sans_manquants" in request.POST)
                    messages.success(
                        request,
                        f"Résultats de la session {session.numero} publiés : les attestations "
                        "sont en cours de génération.",
                    )
                elif "importer" in request.POST:
                    upload = request.FILES.get("fichier")
                    if upload is None:
                        raise BusinessError("Choisissez un fichier Excel (.xlsx).")
                    if upload.size > 5 * 1024 * 1024:
                        raise BusinessError("Le fichier dépasse 5 Mo.")
                    n = results.record_scores(session, results.rows_from_xlsx(upload.read()), by=request.user)
                    messages.success(
                        request, f"{n} score{'s' if n > 1 else ''} importé{'s' if n > 1 else ''}."
                    )
                else:
                    n = results.record_scores(session, results.rows_from_grid(request.POST), by=request.user)
                    messages.success(
                        request, f"{n} score{'s' if n > 1 else ''} enregistré{'s' if n > 1 else ''}."
                    )
            except BusinessError as exc:
                messages.error(request, exc.message)
            return redirect(here)
        sat = results.scored_epreuves(session)
        scores = {
            (r.inscription_id, r.epreuve_id): r for r in Resultat.objects.filter(inscription__session=session)
        }
        book = scales.load_book(session.produit.code, session.date)
        for ie in sat:
            ie.result = scores.get((ie.inscription_id, ie.epreuve_id))
            if ie.result is not None:
                try:
                    ie.result.levels = scales.levels(
                        session.produit.code, ie.epreuve.code, session.date, ie.result.score, book=book
                    )
                except scales.ScoreError:
                    ie.result.levels = None
        context = {
            **self.admin_site.each_context(request),
            "title": f"Résultats de la session {session.numero}",
            "session": session,
            "opts": self.model._meta,
            "lines": sat,
            "editable": results.can_enter_scores(session),
            "can_publish": results.can_publish(session),
            "nb_missing": sum(1 for ie in sat if ie.result is None),
            "progress": attestations.progress(session) if attestations.results_published(session) else None,
        }
        return TemplateResponse(request, "sessions_app/admin_resultats.html", context)

    def resultats_template_view(self, request, pk):
        session = get_object_or_404(Session.objects.select_related("produit"), pk=pk)
        return file_response(f"scores_{session.numero}.xlsx", XLSX, results.import_template(session))
