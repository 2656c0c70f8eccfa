"""Activity statistics: a centre's own figures (Mon centre → Statistiques) and FDA's network view (back
office), each table also drawn as a chart (portail/charts.py) and downloadable (CSV / Excel).

Statistics read every app, so they live in the web layer, on top. Every figure is an SQL aggregate
(values().annotate()), a fixed number of queries whatever the volume. The period is a range of months of
the *session date* (an enrolment counts in the month of its session, like the bons de commande and the
results); requests and pre-registrations count in the month they were received.

The network view reads the summary table StatistiqueMensuelle (one row per centre, product and month),
rebuilt by `refresh_network_statistics()` (Celery beat, hourly; `manage.py calculer_statistiques`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, DecimalField, Max, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.safestring import SafeString

from candidats.models import Inscription, InscriptionEpreuve, InscriptionStatus, PreInscription, Resultat
from core.spreadsheets import safe_cell
from demandes.models import Demande, DemandeKind, DemandeStatus
from sessions_app.models import BonDeCommande, Session, SessionStatus

from .charts import svg_chart
from .models import StatistiqueMensuelle

MONTHS_FR = [
    "janv.",
    "févr.",
    "mars",
    "avr.",
    "mai",
    "juin",
    "juil.",
    "août",
    "sept.",
    "oct.",
    "nov.",
    "déc.",
]
MAX_MONTHS = 36
PUBLISHED = [SessionStatus.RESULTATS, SessionStatus.CLOTUREE]
CECRL_ORDER = ["", "A1", "A2", "B1", "B2", "C1", "C2"]
ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
RANKED_SHOWN = 100
CHART_MAX_BARS = 40


def month_label(month: dt.date) -> str:
    return f"{MONTHS_FR[month.month - 1]} {month.year}"


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Periode:
    """A range of whole months, from `debut` to `fin` included (both the 1st of their month)."""

    debut: dt.date
    fin: dt.date

    @classmethod
    def last_months(cls, n: int = 12, today: dt.date | None = None) -> Periode:
        current = (today or timezone.localdate()).replace(day=1)
        return cls(add_months(current, -(n - 1)), current)

    def months(self) -> list[dt.date]:
        months, month = [], self.debut
        while month <= self.fin:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def end_exclusive(self) -> dt.date:
        return add_months(self.fin, 1)

    def datetimes(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes in the portal's time zone."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.debut, dt.time.min, tzinfo=tz)
        return start, dt.datetime.combine(self.end_exclusive, dt.time.min, tzinfo=tz)

    def __str__(self):
        return f"de {month_label(self.debut)} à {month_label(self.fin)}"


@dataclass
class Tableau:
    """One statistic: a table (the accessible, copyable form) and the chart drawn from it."""

    slug: str
    titre: str
    colonnes: list[str]
    lignes: list[list] = field(default_factory=list)
    chart: SafeString | str = ""
    note: str = ""


def _pct(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _month_rows(periode: Periode, values: dict[dt.date, list], empty: list) -> list[list]:
    """One row per month of the period, `empty` for a month without activity."""
    return [[month_label(m), *values.get(m, empty)] for m in periode.months()]


def _as_date(value) -> dt.date:
    # TruncMonth of a DateField is a date on PostgreSQL and SQLite; a datetime would only come from a
    # DateTimeField: normalised here so that dictionary keys always match Periode.months().
    return value.date() if isinstance(value, dt.datetime) else value


# --- A centre's statistics ----------------------------------------------------------------------------


def centre_statistics(centre, periode: Periode, produit=None) -> list[Tableau]:
    """Every statistic of one centre for a period (and a product), in a fixed number of queries."""
    sessions = Session.objects.for_centre(centre).filter(
        date__gte=periode.debut, date__lt=periode.end_exclusive
    )
    if produit is not None:
        sessions = sessions.filter(produit=produit)
    start, end = periode.datetimes()
    received = {"centre": centre, "created_at__gte": start, "created_at__lt": end}
    return [
        _inscriptions_par_mois(periode, sessions),
        _remplissage(sessions),
        _chiffre_affaires(periode, sessions),
        _absences(sessions),
        *_niveaux(sessions),
        _demandes(Demande.objects.filter(**received), produit),
        _pre_inscriptions(PreInscription.objects.filter(**received), produit),
    ]


def _inscriptions_par_mois(periode, sessions) -> Tableau:
    # The places taken, by the session's own rule (Session.objects.with_places()), summed per month.
    rows = (
        sessions.with_places()
        .annotate(mois=TruncMonth("date"))
        .order_by()
        .values("mois")
        .annotate(n=Sum("nb_inscrits"), sessions=Count("pk"))
    )
    by_month = {_as_date(r["mois"]): [r["sessions"], r["n"] or 0] for r in rows}
    tableau = Tableau(
        "inscriptions",
        "Inscriptions par mois",
        ["Mois", "Sessions", "Inscriptions"],
        _month_rows(periode, by_month, [0, 0]),
        note="Candidats inscrits (hors candidats virtuels et inscriptions annulées ou reportées), "
        "au mois de leur session.",
    )
    tableau.chart = svg_chart(
        tableau.titre, [r[0] for r in tableau.lignes], [("Inscriptions", [r[2] for r in tableau.lignes])]
    )
    return tableau


def _remplissage(sessions) -> Tableau:
    rows = (
        sessions.exclude(statut=SessionStatus.ANNULEE)
        .with_places()
        .order_by("date", "heure", "numero")
        .values_list("numero", "date", "produit__nom", "nb_places", "nb_inscrits")
    )
    lignes = [
        [numero, f"{date:%d/%m/%Y}", produit, places, inscrits, _pct(inscrits, places)]
        for numero, date, produit, places, inscrits in rows
    ]
    tableau = Tableau(
        "remplissage",
        "Taux de remplissage par session",
        ["N° session", "Date", "Produit", "Places", "Inscrits", "Taux de remplissage (%)"],
        lignes,
        note="Places prises sur places ouvertes, sessions annulées exclues.",
    )
    if len(lignes) <= CHART_MAX_BARS:
        tableau.chart = svg_chart(
            tableau.titre,
            [f"{r[0]} ({r[1][:5]})" for r in lignes],
            [("Taux de remplissage", [r[5] or 0 for r in lignes])],
            percent=True,
        )
        return tableau
    # Hundreds of bars say nothing (and cost a second to draw): beyond CHART_MAX_BARS sessions the chart
    # shows the month's rate (places taken / places of its sessions), the table still lists every session.
    months: dict[str, list[int]] = {}
    for _numero, date, _produit, places, inscrits, _rate in lignes:
        month = months.setdefault(date[3:], [0, 0])
        month[0] += inscrits
        month[1] += places
    tableau.chart = svg_chart(
        "Taux de remplissage par mois",
        list(months),
        [("Taux de remplissage du mois", [_pct(taken, places) or 0 for taken, places in months.values()])],
        percent=True,
    )
    tableau.note += (
        f" Au-delà de {CHART_MAX_BARS} sessions, le graphique montre le taux de chaque mois ; "
        "le tableau détaille chaque session."
    )
    return tableau


def _chiffre_affaires(periode, sessions) -> Tableau:
    # What the candidates pay: the enrolment's prix_total, set from the session's tarifs at enrolment
    # (candidats.services.prices_for); what the centre owes FDA: the bons de commande.
    paid = (
        Inscription.objects.actives()
        .filter(session__in=sessions, virtuel=False)
        .annotate(mois=TruncMonth("session__date"))
        .order_by()
        .values("mois")
        .annotate(total=Sum("prix_total"))
    )
    owed = (
        BonDeCommande.objects.filter(session__in=sessions)
        .annotate(mois=TruncMonth("session__date"))
        .order_by()
        .values("mois")
        .annotate(total=Sum("montant_total"))
    )
    by_month: dict[dt.date, list] = defaultdict(lambda: [ZERO, ZERO])
    for r in paid:
        by_month[_as_date(r["mois"])][0] = r["total"] or ZERO
    for r in owed:
        by_month[_as_date(r["mois"])][1] = r["total"] or ZERO
    tableau = Tableau(
        "chiffre-affaires",
        "Chiffre d'affaires et bons de commande",
        ["Mois", "Payé par les candidats (€)", "Bons de commande FDA (€ HT)"],
        _month_rows(periode, by_month, [ZERO, ZERO]),
        note="Prix payés par les candidats inscrits (tarifs de la session) et montant des bons de commande "
        "dus à FDA, au mois de la session.",
    )
    tableau.chart = svg_chart(
        tableau.titre,
        [r[0] for r in tableau.lignes],
        [
            ("Payé par les candidats", [float(r[1]) for r in tableau.lignes]),
            ("Bons de commande FDA", [float(r[2]) for r in tableau.lignes]),
        ],
    )
    return tableau


def _absences(sessions) -> Tableau:
    rows = (
        InscriptionEpreuve.objects.filter(
            inscription__session__in=sessions,
            inscription__statut=InscriptionStatus.INSCRIT,
            inscription__virtuel=False,
        )
        .order_by()
        .values("epreuve__ordre", "epreuve__code", "epreuve__libelle")
        .annotate(total=Count("pk"), absents=Count("pk", filter=Q(absent=True)))
        .order_by("epreuve__ordre", "epreuve__code")
    )
    lignes = [[r["epreuve__libelle"], r["total"], r["absents"], _pct(r["absents"], r["total"])] for r in rows]
    tableau = Tableau(
        "absences",
        "Absences par épreuve",
        ["Épreuve", "Épreuves inscrites", "Absents", "Taux d'absence (%)"],
        lignes,
    )
    tableau.chart = svg_chart(
        tableau.titre, [r[0] for r in lignes], [("Absents", [r[2] for r in lignes])], kind="bar"
    )
    return tableau


def _niveaux(sessions) -> list[Tableau]:
    """CECRL levels (and NCLC, for TEF Canada) per épreuve, from the published results only."""
    published = Resultat.objects.filter(
        inscription__session__in=sessions.filter(statut__in=PUBLISHED)
    ).order_by()
    cecrl = published.values("epreuve__ordre", "epreuve__libelle", "niveau_cecrl").annotate(n=Count("pk"))
    nclc = (
        published.exclude(nclc=None)
        .values("epreuve__ordre", "epreuve__libelle", "nclc")
        .annotate(n=Count("pk"))
    )
    return [
        _distribution(
            "niveaux-cecrl",
            "Niveaux CECRL par épreuve",
            list(cecrl),
            "niveau_cecrl",
            lambda level: level or "Inférieur à A1",
            lambda level: (CECRL_ORDER.index(level) if level in CECRL_ORDER else 99, level),
        ),
        _distribution(
            "niveaux-nclc",
            "Niveaux NCLC par épreuve (TEF Canada)",
            list(nclc),
            "nclc",
            lambda level: f"NCLC {level}",
            lambda level: level,
        ),
    ]


def _distribution(slug, titre, rows, key, label, order) -> Tableau:
    levels = sorted({r[key] for r in rows}, key=order)
    epreuves = sorted({(r["epreuve__ordre"], r["epreuve__libelle"]) for r in rows})
    counts = {(r["epreuve__libelle"], r[key]): r["n"] for r in rows}
    lignes = [
        [
            libelle,
            *[counts.get((libelle, level), 0) for level in levels],
            sum(counts.get((libelle, lv), 0) for lv in levels),
        ]
        for _, libelle in epreuves
    ]
    tableau = Tableau(
        slug,
        titre,
        ["Épreuve", *[label(level) for level in levels], "Total"],
        lignes,
        note="Résultats publiés (sessions « Résultats disponibles » ou « Clôturée »).",
    )
    tableau.chart = svg_chart(
        titre,
        [r[0] for r in lignes],
        [(label(level), [r[1 + i] for r in lignes]) for i, level in enumerate(levels)],
        kind="stacked",
    )
    return tableau


def _demandes(demandes, produit) -> Tableau:
    if produit is not None:
        demandes = demandes.filter(inscription__session__produit=produit)
    rows = demandes.order_by().values("kind", "statut").annotate(n=Count("pk"))
    counts = {(r["kind"], r["statut"]): r["n"] for r in rows}
    lignes = [
        [kind.label, *[counts.get((kind.value, st.value), 0) for st in DemandeStatus], 0]
        for kind in DemandeKind
    ]
    for ligne in lignes:
        ligne[-1] = sum(ligne[1:-1])
    tableau = Tableau(
        "demandes",
        "Demandes par type et décision",
        ["Type de demande", *[st.label for st in DemandeStatus], "Total"],
        lignes,
        note="Demandes envoyées pendant la période.",
    )
    tableau.chart = svg_chart(
        tableau.titre,
        [r[0] for r in lignes],
        [(st.label, [r[1 + i] for r in lignes]) for i, st in enumerate(DemandeStatus)],
        kind="stacked",
    )
    return tableau


def _pre_inscriptions(pre_inscriptions, produit) -> Tableau:
    if produit is not None:
        pre_inscriptions = pre_inscriptions.filter(session__produit=produit)
    counts = dict(pre_inscriptions.order_by().values_list("statut").annotate(n=Count("pk")))
    lignes = [[st.label, counts.get(st.value, 0)] for st in PreInscription.Statut]
    tableau = Tableau(
        "pre-inscriptions",
        "Pré-inscriptions transférées et déclinées",
        ["Statut", "Pré-inscriptions"],
        lignes,
        note="Pré-inscriptions reçues pendant la période.",
    )
    tableau.chart = svg_chart(
        tableau.titre, [r[0] for r in lignes], [("Pré-inscriptions", [r[1] for r in lignes])], kind="hbar"
    )
    return tableau


# --- The network's summary table (FDA) ----------------------------------------------------------------


def refresh_network_statistics() -> tuple[int, float]:
    """Rebuild StatistiqueMensuelle from the live tables: (rows written, seconds taken).

    Four grouped queries over the whole base, merged per (centre, produit, mois), then the table is
    replaced in one transaction (readers see the old figures until the commit)."""
    started = time.monotonic()
    key = ("centre_id", "produit_id", "mois")
    figures: dict[tuple, dict] = defaultdict(dict)
    sessions = (
        Session.objects.exclude(statut=SessionStatus.ANNULEE)
        .with_places()
        .annotate(mois=TruncMonth("date"))
        .order_by()
        .values(*key)
        .annotate(sessions=Count("pk"), places=Sum("nb_places"), inscriptions=Sum("nb_inscrits"))
    )
    for r in sessions:
        figures[(r["centre_id"], r["produit_id"], _as_date(r["mois"]))].update(
            sessions=r["sessions"], places=r["places"] or 0, inscriptions=r["inscriptions"] or 0
        )
    session_key = ("session__centre_id", "session__produit_id", "mois")
    paid = (
        Inscription.objects.actives()
        .filter(virtuel=False)
        .exclude(session__statut=SessionStatus.ANNULEE)
        .annotate(mois=TruncMonth("session__date"))
        .order_by()
        .values(*session_key)
        .annotate(total=Sum("prix_total"))
    )
    for r in paid:
        figures[(r["session__centre_id"], r["session__produit_id"], _as_date(r["mois"]))][
            "chiffre_affaires"
        ] = r["total"] or ZERO
    owed = (
        BonDeCommande.objects.exclude(session__statut=SessionStatus.ANNULEE)
        .annotate(mois=TruncMonth("session__date"))
        .order_by()
        .values(*session_key)
        .annotate(total=Sum("montant_total"))
    )
    for r in owed:
        figures[(r["session__centre_id"], r["session__produit_id"], _as_date(r["mois"]))][
            "montant_commandes"
        ] = r["total"] or ZERO
    absences = (
        InscriptionEpreuve.objects.filter(
            absent=True, inscription__statut=InscriptionStatus.INSCRIT, inscription__virtuel=False
        )
        .exclude(inscription__session__statut=SessionStatus.ANNULEE)
        .annotate(mois=TruncMonth("inscription__session__date"))
        .order_by()
        .values("inscription__session__centre_id", "inscription__session__produit_id", "mois")
        .annotate(n=Count("pk"))
    )
    for r in absences:
        figures[
            (r["inscription__session__centre_id"], r["inscription__session__produit_id"], _as_date(r["mois"]))
        ]["absences"] = r["n"]
    now = timezone.now()
    rows = [
        StatistiqueMensuelle(centre_id=c, produit_id=p, mois=m, calcule_le=now, **values)
        for (c, p, m), values in figures.items()
    ]
    with transaction.atomic():
        StatistiqueMensuelle.objects.all().delete()
        StatistiqueMensuelle.objects.bulk_create(rows, batch_size=5000)
    return len(rows), time.monotonic() - started


_SUMS = {
    "sessions": Coalesce(Sum("sessions"), 0),
    "places": Coalesce(Sum("places"), 0),
    "inscriptions": Coalesce(Sum("inscriptions"), 0),
    "chiffre_affaires": Coalesce(Sum("chiffre_affaires"), Value(ZERO), output_field=MONEY),
    "montant_commandes": Coalesce(Sum("montant_commandes"), Value(ZERO), output_field=MONEY),
    "absences": Coalesce(Sum("absences"), 0),
}
_NETWORK_COLUMNS = [
    "Sessions",
    "Places",
    "Inscriptions",
    "Taux de remplissage (%)",
    "Payé par les candidats (€)",
    "Bons de commande FDA (€ HT)",
    "Absences (épreuves)",
]


def _figures(r) -> list:
    return [
        r["sessions"],
        r["places"],
        r["inscriptions"],
        _pct(r["inscriptions"], r["places"]),
        r["chiffre_affaires"],
        r["montant_commandes"],
        r["absences"],
    ]


def network_computed_at() -> dt.datetime | None:
    return StatistiqueMensuelle.objects.aggregate(at=Max("calcule_le"))["at"]


def network_statistics(
    periode: Periode, produit=None, ranked_limit: int | None = RANKED_SHOWN
) -> list[Tableau]:
    """The network by month, by product and by centre (ranked by enrolments): three grouped queries on
    the summary table, whatever the number of centres."""
    rows = StatistiqueMensuelle.objects.filter(mois__gte=periode.debut, mois__lte=periode.fin)
    if produit is not None:
        rows = rows.filter(produit=produit)
    rows = rows.order_by()
    by_month = {_as_date(r["mois"]): _figures(r) for r in rows.values("mois").annotate(**_SUMS)}
    mois = Tableau(
        "reseau-mois",
        "Réseau par mois",
        ["Mois", *_NETWORK_COLUMNS],
        _month_rows(periode, by_month, [0, 0, 0, None, ZERO, ZERO, 0]),
    )
    mois.chart = svg_chart(
        "Inscriptions du réseau par mois",
        [r[0] for r in mois.lignes],
        [("Inscriptions", [r[3] for r in mois.lignes])],
    )
    produits = Tableau(
        "reseau-produits",
        "Réseau par produit",
        ["Produit", *_NETWORK_COLUMNS],
        [
            [r["produit__nom"], *_figures(r)]
            for r in rows.values("produit__nom").annotate(**_SUMS).order_by("-inscriptions", "produit__nom")
        ],
    )
    produits.chart = svg_chart(
        "Inscriptions du réseau par produit",
        [r[0] for r in produits.lignes],
        [("Inscriptions", [r[3] for r in produits.lignes])],
        kind="hbar",
        height=max(200, 40 * len(produits.lignes) + 80),
    )
    ranked = (
        rows.values("centre__code", "centre__nom").annotate(**_SUMS).order_by("-inscriptions", "centre__code")
    )
    if ranked_limit is not None:
        ranked = ranked[:ranked_limit]
    centres = Tableau(
        "reseau-centres",
        "Centres classés par nombre d'inscriptions",
        ["Rang", "Code", "Centre", *_NETWORK_COLUMNS],
        [[i, r["centre__code"], r["centre__nom"], *_figures(r)] for i, r in enumerate(ranked, start=1)],
    )
    top = centres.lignes[:15]
    centres.chart = svg_chart(
        "Les 15 premiers centres (inscriptions)",
        [r[2] for r in top],
        [("Inscriptions", [r[5] for r in top])],
        kind="hbar",
        height=max(200, 32 * len(top) + 80),
    )
    if ranked_limit is not None:
        centres.note = f"Les {ranked_limit} premiers centres ; le téléchargement contient tous les centres."
    return [mois, produits, centres]


def cached_network_statistics(periode: Periode, produit=None) -> tuple[dt.datetime | None, list[Tableau]]:
    """(when the summary table was computed, its tables): the figures only change when the table is
    rebuilt, so the tables and their charts are cached per computation and filters (one query per page
    view once warm: the computation's date)."""
    computed_at = network_computed_at()
    if computed_at is None:
        return None, network_statistics(periode, produit)
    key = f"statistiques-reseau:{computed_at.isoformat()}:{periode.debut}:{periode.fin}:{produit.pk if produit else ''}"
    return computed_at, cache.get_or_set(key, lambda: network_statistics(periode, produit), timeout=2 * 3600)


# --- Downloads ----------------------------------------------------------------------------------------


def _cell(value):
    if isinstance(value, Decimal):
        return float(value)
    return safe_cell(value)


def tableau_csv(tableau: Tableau) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(tableau.colonnes)
    for ligne in tableau.lignes:
        writer.writerow(
            [
                ""
                if v is None
                else str(_cell(v)).replace(".", ",")
                if isinstance(v, float | Decimal)
                else _cell(v)
                for v in ligne
            ]
        )
    # A BOM so that Excel opens the accents right.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def tableau_xlsx(tableau: Tableau) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = tableau.titre[:31].replace("'", " ")
    sheet.append(tableau.colonnes)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for ligne in tableau.lignes:
        sheet.append([_cell(v) for v in ligne])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
