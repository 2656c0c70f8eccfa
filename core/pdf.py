"""PDF documents rendered by WeasyPrint from HTML templates (templates/pdf/, extending pdf/base.html).
Exporter contract of every document: (filename, mimetype, bytes)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

PDF_MIMETYPE = "application/pdf"


def render_pdf(template_name: str, context: dict) -> bytes:
    # WeasyPrint loads pango and its fonts on import (about half a second): only processes that render pay it.
    from weasyprint import HTML

    context = {"generated_at": timezone.now(), **context}
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR / "static")).write_pdf()
