"""What the session pages and documents read."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from .models import BonDeCommande, Document, DocumentKind, Session

SESSION_DOCUMENT_KINDS = (
    DocumentKind.BON_COMMANDE,
    DocumentKind.CODES_ACCES,
    DocumentKind.SUJET_EO,
    DocumentKind.ANOMALIES,
)


def sessions_for_list(centre) -> QuerySet[Session]:
    """The centre's sessions with their number of enrolled candidates (one query per page)."""
    return Session.objects.for_centre(centre).select_related("produit").with_places()


def session_for_page(centre, numero: int) -> Session:
    from centres.tenancy import get_for_centre

    return get_for_centre(
        Session.objects.select_related("produit", "created_by").with_places(),
        centre,
        numero=numero,
    )


def session_documents(session: Session, now: dt.datetime | None = None) -> list[Document]:
    return list(
        Document.objects.filter(session=session, inscription__isnull=True, kind__in=SESSION_DOCUMENT_KINDS)
        .visible(now)
        .order_by("kind", "-created_at")
    )


def bon_de_commande(session: Session) -> BonDeCommande | None:
    return BonDeCommande.objects.filter(session=session).select_related("signed_by").first()


# --- Bon de commande ------------------------------------------------------------------------------
