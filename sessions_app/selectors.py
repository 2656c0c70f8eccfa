"""What the session pages and documents read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from candidats.models import Inscription, InscriptionEpreuve, InscriptionStatus
from tarifs.models import PrixFDA

from .models import OPEN_STATUSES, BonDeCommande, Document, DocumentKind, Session, SessionStatus

NOT_YET_INVOICED = (*OPEN_STATUSES, SessionStatus.ANNULEE)
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


@dataclass
class LigneEpreuve:
    code: str
    libelle: str
    montant: Decimal | None
    dispense: bool = False


@dataclass
class LigneCommande:
    numero: int
    nom: str
    prenom: str
    epreuves: list[LigneEpreuve]
    montant: Decimal | None
    note: str = ""


@dataclass
class Commande:
    lignes: list[LigneCommande] = field(default_factory=list)
    total: Decimal = Decimal("0.00")
    prix_manquants: bool = False
    nb_payants: int = 0
    nb_gratuits: int = 0


def prix_fda_en_vigueur(session: Session) -> dict[int | None, Decimal]:
    """FDA's prices for the session's product at the session date: {epreuve_id or None: amount}."""
    prices: dict[int | None, Decimal] = {}
    rows = PrixFDA.objects.filter(produit_id=session.produit_id, date_effet__lte=session.date).order_by(
        "-date_effet", "-pk"
    )
    for row in rows:
        prices.setdefault(row.epreuve_id, row.montant)
    return prices


def enrolled_for_documents(session: Session) -> list[Inscription]:
    return list(
        Inscription.objects.filter(session=session, statut=InscriptionStatus.INSCRIT)
        .select_related("candidat", "reporte_depuis__session")
        .prefetch_related(
            Prefetch(
                "epreuves",
                queryset=InscriptionEpreuve.objects.select_related("epreuve").order_by(
                    "epreuve__ordre", "epreuve__code"
                ),
            )
        )
        .order_by("candidat__nom", "candidat__prenom", "numero")
    )


def commande_for(session: Session, inscriptions: list[Inscription] | None = None) -> Commande:
    """The bon de commande's lines: each enrolled candidate with the épreuves at FDA's price in force at
    the session date (per épreuve for a modular product, one price otherwise). A dispensed épreuve is
    not charged (a non-modular product is charged unless every épreuve is dispensed); virtual
    candidates are free; a réinscription after a report is free when its first session was already
    invoiced (closed)."""
    prices = prix_fda_en_vigueur(session)
    modulaire = session.produit.modulaire
    inscriptions = enrolled_for_documents(session) if inscriptions is None else inscriptions
    commande = Commande()
    for insc in inscriptions:
        epreuves = list(insc.epreuves.all())
        note = ""
        free = False
        if insc.virtuel or insc.candidat.virtuel:
            free, note = True, "Candidat virtuel : gratuit"
        elif insc.reporte_depuis_id and insc.reporte_depuis.session.statut not in NOT_YET_INVOICED:
            free, note = (
                True,
                f"Réinscription après report (facturée sur la session {insc.reporte_depuis.session.numero})",
            )
        lignes_ep = []
        montant: Decimal | None = Decimal("0.00")
        for ie in epreuves:
            prix = None if free or not modulaire or ie.dispense else prices.get(ie.epreuve_id)
            if modulaire and not free and not ie.dispense and prix is None:
                montant = None
            lignes_ep.append(LigneEpreuve(ie.epreuve.code, ie.epreuve.libelle, prix, ie.dispense))
            if prix is not None and montant is not None:
                montant += prix
        if not free and not modulaire:
            if epreuves and all(ie.dispense for ie in epreuves):
                montant, note = Decimal("0.00"), "Toutes les épreuves dispensées"
            else:
                montant = prices.get(None)
        if montant is None:
            commande.prix_manquants = True
        else:
            commande.total += montant
        if free or not montant:
            commande.nb_gratuits += 1
        else:
            commande.nb_payants += 1
        commande.lignes.append(
            LigneCommande(insc.numero, insc.candidat.nom, insc.candidat.prenom, lignes_ep, montant, note)
        )
    return commande
