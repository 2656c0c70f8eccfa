"""Session PDFs, rendered by WeasyPrint from templates/pdf/. Exporter contract: (filename, mimetype, bytes).

`render_pdf()` is the shared helper other documents (attestations, feuille d'anomalies) reuse with
templates that extend `pdf/base.html`."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from .models import BonDeCommande, Session
from .selectors import commande_for, enrolled_for_documents

PDF_MIMETYPE = "application/pdf"


def render_pdf(template_name: str, context: dict) -> bytes:
    from weasyprint import HTML

    context = {"generated_at": timezone.now(), **context}
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR / "static")).write_pdf()


def bon_de_commande_filename(session: Session) -> str:
    return f"{session.numero}_bon_commande.pdf"


def codes_acces_filename(session: Session) -> str:
    return f"codes_acces_{session.numero}.pdf"


def bon_de_commande_pdf(session: Session, bon: BonDeCommande | None = None, commande=None):
    """Returns (filename, mimetype, bytes); `commande` (selectors.commande_for) may be given to avoid
    computing it twice."""
    commande = commande or commande_for(session)
    content = render_pdf(
        "pdf/bon_de_commande.html",
        {"session": session, "centre": session.centre, "bon": bon, "commande": commande},
    )
    return bon_de_commande_filename(session), PDF_MIMETYPE, content


def codes_acces_pdf(session: Session):
    inscriptions = enrolled_for_documents(session)
    for insc in inscriptions:
        insc.codes_epreuves = ", ".join(ie.epreuve.code for ie in insc.epreuves.all() if not ie.dispense)
    content = render_pdf(
        "pdf/codes_acces.html", {"session": session, "centre": session.centre, "inscriptions": inscriptions}
    )
    return codes_acces_filename(session), PDF_MIMETYPE, content
