"""What the candidate pages read (bounded queries: every list is one query + prefetches)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import IntegerField, Prefetch, Q, QuerySet, Value

from centres.models import Centre
from core.text import as_number, clean, fold
from sessions_app.models import Session, SessionTarif
from tarifs.models import Epreuve

from .models import DemandeContact, Inscription, InscriptionEpreuve, InscriptionStatus, PreInscription


def name_matches(word: str, prefix: str = "candidat__") -> Q:
    """A word of a search against the candidate's nom or prénom, folded for case and accents alike on every
    database (core.text.fold, stored in nom_recherche / prenom_recherche; trigram index on PostgreSQL):
    "lefèvre", "LEFEVRE" and "Lefèvre" find Lefèvre and Lefevre."""
    folded = fold(word)
    return Q(**{f"{prefix}nom_recherche__contains": folded}) | Q(
        **{f"{prefix}prenom_recherche__contains": folded}
    )


def pending_pre_inscriptions_count(centre) -> int:
    """RESTE À TRAITER: pre-registrations still to transfer or decline."""
    return PreInscription.objects.for_centre(centre).filter(statut=PreInscription.Statut.A_TRAITER).count()


def pending_contact_requests_count(centre) -> int:
    """RESTE À TRAITER: "Vous avez 6 demandes de contact à traiter"."""
    return DemandeContact.objects.for_centre(centre).filter(statut=DemandeContact.Statut.A_TRAITER).count()


def epreuves_prefetch() -> Prefetch:
    return Prefetch("epreuves", queryset=InscriptionEpreuve.objects.select_related("epreuve"))


def session_inscriptions(session: Session) -> QuerySet[Inscription]:
    return (
        Inscription.objects.filter(session=session)
        .select_related("candidat")
        .prefetch_related(epreuves_prefetch(), "demandes")
        .order_by("candidat__nom", "candidat__prenom", "numero")
    )


@dataclass
class AbsenceLine:
    """One candidate of "Déclarer les absents", as plain values."""

    pk: int
    numero: int
    nom: str
    prenom: str
    absent: dict[int, bool] = field(default_factory=dict)  # épreuve taken → absent?
    cells: str = ""  # the row's checkboxes (HTML), set by the view


def absence_sheet(session: Session) -> list[AbsenceLine]:
    """The enrolled candidates and their épreuves' absence flags, in two queries of plain values: a
    session of 300 read as model instances (1,800 objects) made this page the slowest (make bench)."""
    lines = {
        pk: AbsenceLine(pk, numero, nom, prenom)
        for pk, numero, nom, prenom in Inscription.objects.filter(
            session=session, statut=InscriptionStatus.INSCRIT
        )
        .order_by("candidat__nom", "candidat__prenom", "numero")
        .values_list("pk", "numero", "candidat__nom", "candidat__prenom")
    }
    flags = (
        InscriptionEpreuve.objects.filter(
            inscription__session=session, inscription__statut=InscriptionStatus.INSCRIT
        )
        .order_by()
        .values_list("inscription_id", "epreuve_id", "absent")
    )
    for inscription_id, epreuve_id, absent in flags:
        lines[inscription_id].absent[epreuve_id] = absent
    return list(lines.values())


def epreuve_state(inscription_epreuve: InscriptionEpreuve | None) -> str:
    """How an épreuve shows in the candidate list: chosen, absent, dispense, or none (not chosen)."""
    if inscription_epreuve is None:
        return "none"
    if inscription_epreuve.absent:
        return "absent"
    return "dispense" if inscription_epreuve.dispense else "chosen"


def with_epreuve_cells(inscriptions, epreuves: list[Epreuve]) -> None:
    """Set `cells` on each enrolment: (épreuve, state) for every épreuve of the product (prefetched data)."""
    for inscription in inscriptions:
        chosen = {ie.epreuve_id: ie for ie in inscription.epreuves.all()}
        inscription.cells = [(e, epreuve_state(chosen.get(e.pk))) for e in epreuves]


def session_for_enrolment(centre, numero: int) -> Session:
    from centres.tenancy import get_for_centre

    return get_for_centre(
        Session.objects.select_related("produit").with_places(),
        centre,
        numero=numero,
    )


def product_epreuves(session: Session) -> list[Epreuve]:
    return sorted(session.produit.epreuves.all(), key=lambda e: (e.ordre, e.code))


def session_tarifs(session: Session) -> dict[int | None, object]:
    return {t.epreuve_id: t.montant for t in SessionTarif.objects.filter(session=session)}


def inscriptions_for_centre(
    centre,
    *,
    q: str = "",
    session=None,
    produit=None,
    statut: str = "",
    du: dt.date | None = None,
    au: dt.date | None = None,
) -> QuerySet[Inscription]:
    """ "Toutes les inscriptions": search (nom, prénom, numéro, e-mail) and filters."""
    qs = (
        Inscription.objects.for_centre(centre)
        .select_related("candidat", "session__produit")
        .prefetch_related(epreuves_prefetch())
        .order_by("-created_at", "-numero")
    )
    q = clean(q)
    if q:
        # A candidate belongs to the centre of its sessions: saying so lets PostgreSQL start from the
        # centre's candidates matching the words (trigram index, candidats migration 0003) instead of
        # walking every enrolment of the country in date order.
        qs = qs.filter(candidat__centre=centre)
        words = Q()
        for word in q.split():
            term = name_matches(word) | Q(candidat__email__icontains=word)
            if (number := as_number(word)) is not None:
                term |= Q(numero=number) | Q(session__numero=number)
            words &= term
        qs = qs.filter(words)
    if session:
        qs = qs.filter(session=session)
    if produit:
        qs = qs.filter(session__produit=produit)
    if statut:
        qs = qs.filter(statut=statut)
    if du:
        qs = qs.filter(session__date__gte=du)
    if au:
        qs = qs.filter(session__date__lte=au)
    return qs


def pre_inscriptions_for_centre(centre) -> QuerySet[PreInscription]:
    """À traiter first, then the newest."""
    from django.db.models import Case, When

    return (
        PreInscription.objects.for_centre(centre)
        .select_related("session__produit", "inscription__session")
        .prefetch_related("epreuves")
        .annotate(
            ordre=Case(
                When(statut=PreInscription.Statut.A_TRAITER, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("ordre", "-created_at")
    )


def contacts_for_centre(centre) -> QuerySet[DemandeContact]:
    from django.db.models import Case, When

    return (
        DemandeContact.objects.for_centre(centre)
        .select_related("produit", "traitee_par")
        .annotate(
            ordre=Case(
                When(statut=DemandeContact.Statut.A_TRAITER, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("ordre", "-created_at")
    )


def transfer_sessions(pre: PreInscription) -> QuerySet[Session]:
    """The centre's sessions a pre-registration can go to: open, and of the wished session's product
    when the candidate chose one."""
    qs = (
        Session.objects.for_centre(pre.centre_id)
        .open_for_enrolment()
        .select_related("produit")
        .with_places()
        .order_by("date", "heure", "numero")
    )
    if pre.session_id:
        qs = qs.filter(produit_id=pre.session.produit_id)
    return qs


# --- Public site -------------------------------------------------------------------------------------


def public_centres() -> QuerySet[Centre]:
    return Centre.objects.visible_online().order_by("ville", "nom")


def public_sessions(centre: Centre) -> QuerySet[Session]:
    return (
        Session.objects.shown_online()
        .filter(centre=centre)
        .select_related("produit")
        .with_places()
        .order_by("date", "heure")
    )
