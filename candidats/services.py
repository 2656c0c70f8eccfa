"""Enrolment: ONE service that every path uses (on site, pre-registration transfer, import file, and
later the re-enrolment after a report and the virtual candidates).

`enrol()` enrols one candidate, `enrol_many()` a whole import file; both lock the session row FIRST
(`select_for_update`), then check, with the same rule functions:
- the session is open (the D-2 rule, `sessions_app.services.check_enrolment_open`),
- a place is left (active enrolments counted under the lock),
- the product's rules (épreuves of the product only; all of them for a non-modular product; at least
  one, and the required ones for the candidate's motivation, for a modular product),
- duplicates: the same person (nom + prénom + date de naissance, case- and accent-insensitive) already
  enrolled in the session is refused; the same product within `Produit.delai_entre_passages` days of
  the session date (same product, or any TEF product: `Produit.portee_delai`; see waiting_period_q for
  the boundary day) is refused or needs an explicit confirmation, as `Produit.regle_delai` says.
Then a number (2000001+), a unique access code (`L3B-RUC-WD1`) and the prices of the session.

Also here: pre-registrations (public site → transfer / decline) and contact requests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext

from core import bulk
from core.errors import BusinessError
from core.fields import refresh_folded
from core.models import next_number, next_numbers
from core.text import fold
from core.workflow import Workflow
from sessions_app.models import Session, SessionTarif
from sessions_app.services import check_enrolment_open
from tarifs.models import Epreuve, Gamme, Produit, RegleEpreuves

from . import emails
from .codes import ACCESS_CODE_REGEX, new_unique_access_code, new_unique_access_codes  # noqa: F401
from .models import (
    Candidat,
    DemandeContact,
    DemandeContactStatusChange,
    Inscription,
    InscriptionEpreuve,
    InscriptionSource,
    InscriptionStatus,
    PreInscription,
    PreInscriptionStatusChange,
    person_name,
)

# The session row lock is what prevents overbooking. Switched off ONLY by the test that proves the
# concurrency test can fail (tests/candidats/test_concurrency.py).
_LOCK_SESSION = True

CANDIDAT_FIELDS = (
    "nom",
    "prenom",
    "date_naissance",
    "genre",
    "langue_maternelle",
    "email",
    "nationalite",
    "motivation",
    "numero_piece_identite",
)
REQUIRED_FIELDS = {
    "nom": "Nom",
    "prenom": "Prénom",
    "date_naissance": "Date de naissance",
    "genre": "Genre",
    "langue_maternelle": "Langue maternelle",
    "nationalite": "Nationalité",
    "motivation": "Motivation",
}


class ConfirmationRequired(BusinessError):
    """A rule says "avertir": the enrolment needs an explicit confirmation ("Inscrire malgré
    l'avertissement"). `warnings` lists the French messages to show."""

    def __init__(self, warnings: list[str]):
        super().__init__(" ".join(warnings), code="confirmation")
        self.warnings = warnings


class RowsInvalid(BusinessError):
    """`enrol_many()` refused the whole file: `errors` are RowError items (row, column, message)."""

    def __init__(self, errors: list[RowError]):
        message = ngettext(
            "%(n)d erreur : aucune inscription n'a été enregistrée.",
            "%(n)d erreurs : aucune inscription n'a été enregistrée.",
            len(errors),
        ) % {"n": len(errors)}
        super().__init__(message, code="rows")
        self.errors = errors


@dataclass
class CandidatData:
    nom: str
    prenom: str
    date_naissance: dt.date | None = None
    genre: str = ""
    langue_maternelle: str = ""
    email: str = ""
    nationalite: str = ""
    motivation: str = ""
    numero_piece_identite: str = ""

    def __post_init__(self):
        for name in CANDIDAT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str):
                setattr(self, name, " ".join(value.split()))

    @classmethod
    def from_object(cls, obj) -> CandidatData:
        return cls(
            **{
                name: getattr(obj, name) or ("" if name != "date_naissance" else None)
                for name in CANDIDAT_FIELDS
            }
        )


@dataclass
class RowError:
    ligne: int
    colonne: str
    message: str


@dataclass
class EnrolRow:
    """One candidate of an import file: `ligne` is the spreadsheet row number shown in the report."""

    ligne: int
    data: CandidatData
    epreuves: list[Epreuve]


@dataclass
class EnrolmentResult:
    inscription: Inscription
    warnings: list[str] = field(default_factory=list)


# --- Rule functions (shared by enrol() and enrol_many()) --------------------------------------------


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """How two names are compared (core.text.fold: invisible characters, case and accents folded):
    "  Éloïse-Marie ", "ELOISE-MARIE" and "Elo\u200bïse-Marie" are the same name."""
    return fold(text)


def person_key(nom: str, prenom: str, date_naissance: dt.date | None) -> tuple:
    return (name_key(nom), name_key(prenom), date_naissance)


def lock_session(session: Session) -> Session:
    """The session row, locked until the end of the transaction (the capacity guard)."""
    queryset = Session.objects.select_related("produit", "centre")
    if _LOCK_SESSION:
        queryset = queryset.select_for_update(of=("self",))
    return queryset.get(pk=session.pk)


def check_capacity(session: Session, wanted: int = 1) -> None:
    """Refuses when fewer places are left than wanted. Called with the session row locked: the places
    are counted afresh (`Session.count_places_taken`), by the same definition every page shows."""
    session.count_places_taken()
    left = session.places_restantes
    if wanted > left:
        if left == 0:
            raise BusinessError("La session est complète.", code="full")
        raise BusinessError(
            f"Places insuffisantes : il reste {left} place{'s' if left > 1 else ''} dans la session "
            f"pour {wanted} candidats.",
            code="full",
        )


def candidat_errors(data: CandidatData, *, today: dt.date | None = None) -> list[tuple[str, str]]:
    """(field, French message) for every missing or impossible value of the candidate."""
    today = today or timezone.localdate()
    errors = []
    for name, label in REQUIRED_FIELDS.items():
        if not getattr(data, name):
            errors.append((name, f"« {label} » est obligatoire."))
    if data.date_naissance:
        if data.date_naissance > today:
            errors.append(("date_naissance", "La date de naissance est dans le futur."))
        elif data.date_naissance < dt.date(1900, 1, 1):
            errors.append(("date_naissance", "La date de naissance est invalide (avant 1900)."))
    if len(data.nom) > 150 or len(data.prenom) > 150:
        errors.append(("nom", "Le nom et le prénom font au plus 150 caractères."))
    return errors


def check_candidat(data: CandidatData) -> None:
    errors = candidat_errors(data)
    if errors:
        raise BusinessError(errors[0][1], code="candidat")


@dataclass(frozen=True)
class Regle:
    """A registration rule of tarifs.RegleEpreuves, read once."""

    type: str
    motivation: str
    epreuves: frozenset[int]
    libelle: str


def regles_for(produit: Produit) -> list[Regle]:
    """The product's registration rules (RegleEpreuves) — one query."""
    return [
        Regle(regle.type, regle.motivation, frozenset(e.pk for e in regle.epreuves.all()), regle.libelle)
        for regle in RegleEpreuves.objects.filter(produit=produit).prefetch_related("epreuves")
    ]


def clean_epreuves(
    produit: Produit,
    epreuves: Iterable[Epreuve],
    motivation: str,
    *,
    product_epreuves: Sequence[Epreuve] | None = None,
    rules: list[Regle] | None = None,
) -> list[Epreuve]:
    """The épreuves the candidate takes, checked against the product's rules (raises BusinessError).

    THE home of the épreuves rule, called by every entry point (on site, import, public site, transfer,
    réinscription, edit): only the product's épreuves; all of them for a non-modular product (TEF IRN);
    for a modular one at least one, exactly one of the « combinaisons autorisées » that apply to the
    candidate's motivation when there are any (TEF Canada: the four épreuves, or CO + EO), and every
    « épreuve obligatoire » that applies. Without rules (TEFAQ) any 1 to n épreuves."""
    product_epreuves = list(product_epreuves if product_epreuves is not None else produit.epreuves.all())
    by_pk = {e.pk: e for e in product_epreuves}
    chosen = {e.pk: e for e in epreuves}
    strangers = sorted(e.code for pk, e in chosen.items() if pk not in by_pk)
    if strangers:
        raise BusinessError(
            f"Épreuve{'s' if len(strangers) > 1 else ''} hors du produit {produit.nom} : {', '.join(strangers)}.",
            code="epreuves",
        )
    if not produit.modulaire:
        return sorted(product_epreuves, key=lambda e: (e.ordre, e.code))
    if not chosen:
        raise BusinessError("Choisissez au moins une épreuve.", code="epreuves")
    rules = rules if rules is not None else regles_for(produit)
    applicable = [r for r in rules if r.motivation in ("", motivation)]
    combinaisons = [r for r in applicable if r.type == RegleEpreuves.Type.COMBINAISON]
    if combinaisons and frozenset(chosen) not in {r.epreuves for r in combinaisons}:

        def describe(regle: Regle) -> str:
            codes = " + ".join(
                e.code for e in sorted((by_pk[pk] for pk in regle.epreuves if pk in by_pk), key=_order)
            )
            return regle.libelle or codes

        choices = [describe(r) for r in combinaisons]
        listed = choices[0] if len(choices) == 1 else ", ".join(choices[:-1]) + " ou " + choices[-1]
        raise BusinessError(
            f"Pour le {produit.nom}, les épreuves possibles sont : {listed}. Aucune autre combinaison "
            f"n'est acceptée (choisies : {', '.join(e.code for e in sorted(chosen.values(), key=_order))}).",
            code="epreuves",
        )
    required: set[int] = set()
    for regle in applicable:
        if regle.type == RegleEpreuves.Type.OBLIGATOIRES:
            required |= regle.epreuves
    missing = required - set(chosen)
    if missing:
        codes = ", ".join(e.code for e in sorted((by_pk[pk] for pk in required if pk in by_pk), key=_order))
        from tarifs.models import Motivation

        specific = any(
            r.motivation == motivation for r in applicable if r.type == RegleEpreuves.Type.OBLIGATOIRES
        )
        who = f" ({Motivation(motivation).label})" if motivation and specific else ""
        raise BusinessError(
            f"Pour le {produit.nom}{who}, les épreuves {codes} sont obligatoires.", code="epreuves"
        )
    return sorted(chosen.values(), key=_order)


def _order(epreuve: Epreuve):
    return (epreuve.ordre, epreuve.code)


class KnownEnrolment(NamedTuple):
    pk: int
    numero: int
    session_date: dt.date
    produit_nom: str = ""


@dataclass
class Known:
    """What the duplicate rules compare a candidate with: active enrolments of the session and of the
    same product around its date, loaded once (one query of plain values) for one candidate or a
    whole file."""

    in_session: dict[tuple, KnownEnrolment]
    same_product: dict[tuple, list[KnownEnrolment]]


def waiting_period_q(session: Session) -> Q:
    """The other sessions inside the waiting period of `session` (Produit.delai_entre_passages days, on the
    same product or on any TEF product, as Produit.portee_delai says). The boundary day is allowed: with
    30 days, after a session on 1 March the candidate may sit again from 31 March; 30 March is inside."""
    produit = session.produit
    delai = dt.timedelta(days=produit.delai_entre_passages)
    scope = (
        Q(produit__gamme=Gamme.TEF)
        if produit.portee_delai == Produit.PorteeDelai.GAMME_TEF
        else Q(produit_id=produit.pk)
    )
    return scope & Q(date__gt=session.date - delai, date__lt=session.date + delai) & ~Q(pk=session.pk)


def known_enrolments(session: Session, dates_naissance: Iterable[dt.date | None]) -> Known:
    dates = {d for d in dates_naissance if d}
    in_session: dict[tuple, KnownEnrolment] = {}
    same_product: dict[tuple, list[KnownEnrolment]] = {}
    if not dates:
        return Known(in_session, same_product)
    sessions = Session.objects.filter(Q(pk=session.pk) | waiting_period_q(session))
    rows = (
        Inscription.objects.filter(
            statut=InscriptionStatus.INSCRIT,
            candidat__date_naissance__in=dates,
            session__in=sessions.values("pk"),
        )
        .order_by()
        .values_list(
            "pk",
            "session_id",
            "numero",
            "session__date",
            "session__produit__nom",
            "candidat__nom",
            "candidat__prenom",
            "candidat__date_naissance",
        )
    )
    for pk, session_id, numero, session_date, produit_nom, nom, prenom, date_naissance in rows:
        key = person_key(nom, prenom, date_naissance)
        if session_id == session.pk:
            in_session[key] = KnownEnrolment(pk, numero, session_date, produit_nom)
        else:
            same_product.setdefault(key, []).append(KnownEnrolment(pk, numero, session_date, produit_nom))
    return Known(in_session, same_product)


def duplicate_findings(session: Session, data: CandidatData, known: Known) -> tuple[str | None, list[str]]:
    """(refusal message or None, warnings) for one candidate."""
    key = person_key(data.nom, data.prenom, data.date_naissance)
    if not data.date_naissance:
        return None, []
    if key in known.in_session:
        return (
            f"{person_name(data.prenom, data.nom)} (né(e) le {data.date_naissance:%d/%m/%Y}) est déjà inscrit(e) "
            f"à cette session (inscription {known.in_session[key].numero}).",
            [],
        )
    produit = session.produit
    others = known.same_product.get(key, [])
    if not others or not produit.delai_entre_passages:
        return None, []
    other = min(others, key=lambda i: abs((i.session_date - session.date).days))
    message = (
        f"{person_name(data.prenom, data.nom)} est déjà inscrit(e) au {other.produit_nom or produit.nom} le "
        f"{other.session_date:%d/%m/%Y} : "
        f"le délai de {produit.delai_entre_passages} jours entre deux passages n'est pas respecté."
    )
    if produit.regle_delai == Produit.RegleDelai.REFUSER:
        return message, []
    return None, [message]


# Under this age at the session date no test is taken whatever the product: a date mistyped (2016 for 1996).
AGE_FLOOR = 10
# Over this age the date is most likely mistyped too: a warning to confirm, like the product's minimum age.
AGE_CEILING = 100


def age_at(date_naissance: dt.date, when: dt.date) -> int:
    return (
        when.year
        - date_naissance.year
        - ((when.month, when.day) < (date_naissance.month, date_naissance.day))
    )


def age_findings(session: Session, data: CandidatData) -> tuple[str | None, list[str]]:
    """(refusal message or None, warnings) for the candidate's age at the session date: under AGE_FLOOR
    refused; under the product's minimum age (Produit.age_minimum) or over AGE_CEILING a warning to confirm."""
    if not data.date_naissance:
        return None, []
    age = age_at(data.date_naissance, session.date)
    if AGE_FLOOR <= age <= AGE_CEILING and age >= session.produit.age_minimum:
        return None, []
    if data.date_naissance > min(session.date, timezone.localdate()):
        return None, []  # a birth date in the future is candidat_errors()'s
    born = f"né(e) le {data.date_naissance:%d/%m/%Y}"
    if age < AGE_FLOOR:
        return (
            f"{person_name(data.prenom, data.nom)} ({born}) aurait {age} an{'s' if age > 1 else ''} le jour de la "
            f"session : vérifiez la date de naissance (âge minimal {AGE_FLOOR} ans).",
            [],
        )
    produit = session.produit
    if produit.age_minimum and age < produit.age_minimum:
        return None, [
            f"{person_name(data.prenom, data.nom)} ({born}) aura {age} ans le jour de la session, moins que "
            f"l'âge minimal du {produit.nom} ({produit.age_minimum} ans)."
        ]
    if age > AGE_CEILING:
        return None, [
            f"{person_name(data.prenom, data.nom)} ({born}) aura {age} ans le jour de la session : "
            "vérifiez la date de naissance."
        ]
    return None, []


def session_prices(session: Session) -> dict[int | None, Decimal]:
    return {t.epreuve_id: t.montant for t in SessionTarif.objects.filter(session=session)}


def prices_for(
    produit: Produit, epreuves: list[Epreuve], prices: dict[int | None, Decimal]
) -> tuple[dict, Decimal]:
    """({epreuve_id: price}, total): per épreuve for a modular product, the single price otherwise
    (carried by the enrolment; its épreuves are at 0)."""
    zero = Decimal("0.00")
    if produit.modulaire:
        per = {e.pk: prices.get(e.pk, zero) for e in epreuves}
        return per, sum(per.values(), zero)
    return {e.pk: zero for e in epreuves}, prices.get(None, zero)


def _find_candidat(centre, data: CandidatData, pool: dict[tuple, Candidat] | None = None) -> Candidat | None:
    key = person_key(data.nom, data.prenom, data.date_naissance)
    if pool is not None:
        return pool.get(key)
    if not data.date_naissance:
        return None
    for candidat in Candidat.objects.filter(centre=centre, date_naissance=data.date_naissance, virtuel=False):
        if person_key(candidat.nom, candidat.prenom, candidat.date_naissance) == key:
            return candidat
    return None


def _candidat_pool(centre, dates: Iterable[dt.date | None]) -> dict[tuple, Candidat]:
    pool = {}
    dates = {d for d in dates if d}
    for candidat in Candidat.objects.filter(centre=centre, date_naissance__in=dates, virtuel=False).order_by(
        "pk"
    ):
        pool.setdefault(person_key(candidat.nom, candidat.prenom, candidat.date_naissance), candidat)
    return pool


def _apply(candidat: Candidat, data: CandidatData) -> bool:
    changed = False
    for name in CANDIDAT_FIELDS:
        value = getattr(data, name)
        if value not in (None, "") and getattr(candidat, name) != value:
            setattr(candidat, name, value)
            changed = True
    return changed


# --- enrol() ----------------------------------------------------------------------------------------


@transaction.atomic
def enrol(
    *,
    session: Session,
    candidat_data: CandidatData | None = None,
    candidat: Candidat | None = None,
    epreuves: Iterable[Epreuve] = (),
    source: str = InscriptionSource.SUR_PLACE,
    by=None,
    confirm_warnings: bool = False,
    reporte_depuis: Inscription | None = None,
) -> EnrolmentResult:
    """Enrol one candidate in `session` (see the module docstring for the rules).

    Give `candidat_data` (a new or known person of the centre: matched on nom + prénom + date de
    naissance) or an existing `candidat`. Raises BusinessError (French message); ConfirmationRequired
    when the product's waiting-period rule says "avertir" and `confirm_warnings` is False.
    `reporte_depuis`: a re-enrolment after a validated report, not charged again."""
    locked = lock_session(session)
    check_enrolment_open(locked)
    if candidat is not None:
        if candidat.centre_id != locked.centre_id:
            raise BusinessError("Ce candidat n'appartient pas au centre de la session.")
        data = CandidatData.from_object(candidat)
    elif candidat_data is not None:
        data = candidat_data
    else:
        raise ValueError("enrol() needs candidat_data or candidat")
    check_candidat(data)
    chosen = clean_epreuves(locked.produit, epreuves, data.motivation)
    refusal, warnings = duplicate_findings(locked, data, known_enrolments(locked, [data.date_naissance]))
    if refusal:
        raise BusinessError(refusal, code="duplicate")
    too_young, age_warnings = age_findings(locked, data)
    if too_young:
        raise BusinessError(too_young, code="age")
    warnings += age_warnings
    check_capacity(locked, 1)
    if warnings and not confirm_warnings:
        raise ConfirmationRequired(warnings)

    if candidat is None:
        candidat = _find_candidat(locked.centre, data)
        if candidat is None:
            candidat = Candidat.objects.create(
                centre=locked.centre, **{n: getattr(data, n) or _blank(n) for n in CANDIDAT_FIELDS}
            )
        elif _apply(candidat, data):
            candidat.save()
    per, total = prices_for(locked.produit, chosen, session_prices(locked))
    if reporte_depuis is not None:
        per, total = {pk: Decimal("0.00") for pk in per}, Decimal("0.00")
    inscription = Inscription.objects.create(
        numero=next_number("inscription"),
        session=locked,
        candidat=candidat,
        code_acces=new_unique_access_code(),
        source=source,
        prix_total=total,
        reporte_depuis=reporte_depuis,
        created_by=by,
    )
    InscriptionEpreuve.objects.bulk_create(
        [InscriptionEpreuve(inscription=inscription, epreuve=e, prix=per[e.pk]) for e in chosen]
    )
    return EnrolmentResult(inscription=inscription, warnings=warnings)


def _blank(name: str):
    return None if name == "date_naissance" else ""


# --- enrol_many(): the import file, all or nothing ------------------------------------------------


def check_rows(
    session: Session, rows: Sequence[EnrolRow], *, wanted: int | None = None
) -> tuple[list[RowError], list[RowError]]:
    """Every rule on every row (plus duplicates inside the file and the capacity for the whole file),
    without writing: (errors, warnings). Used by the preview and, under the lock, by enrol_many()."""
    errors: list[RowError] = []
    warnings: list[RowError] = []
    epreuves_of = epreuves_checker(session)
    known = known_enrolments(session, [r.data.date_naissance for r in rows])
    seen: dict[tuple, int] = {}
    today = timezone.localdate()
    for row in rows:
        row_errors = [
            RowError(row.ligne, REQUIRED_FIELDS.get(name, "Nom"), msg)
            for name, msg in candidat_errors(row.data, today=today)
        ]
        try:
            epreuves_of(row)
        except BusinessError as exc:
            row_errors.append(RowError(row.ligne, "Épreuves", exc.message))
        if row.data.date_naissance and row.data.nom and row.data.prenom:
            key = person_key(row.data.nom, row.data.prenom, row.data.date_naissance)
            if key in seen:
                row_errors.append(
                    RowError(
                        row.ligne,
                        "Nom",
                        f"Candidat en double dans le fichier (même personne qu'à la ligne {seen[key]}).",
                    )
                )
            else:
                seen[key] = row.ligne
            refusal, row_warnings = duplicate_findings(session, row.data, known)
            if refusal:
                row_errors.append(RowError(row.ligne, "Nom", refusal))
            warnings.extend(RowError(row.ligne, "Nom", w) for w in row_warnings)
        too_young, age_warnings = age_findings(session, row.data)
        if too_young:
            row_errors.append(RowError(row.ligne, "Date de naissance", too_young))
        warnings.extend(RowError(row.ligne, "Date de naissance", w) for w in age_warnings)
        errors.extend(row_errors)
    try:
        check_capacity(session, wanted if wanted is not None else len(rows))
    except BusinessError as exc:
        errors.append(RowError(0, "", exc.message))
    return errors, warnings


def epreuves_checker(session: Session) -> Callable[[EnrolRow], list[Epreuve]]:
    """clean_epreuves() for the rows of one file: the product's épreuves and rules read once, each
    distinct (épreuves, motivation) checked once (5,000 rows hold a handful of them)."""
    produit = session.produit
    product_epreuves = list(produit.epreuves.all())
    rules = regles_for(produit)
    outcomes: dict[tuple, list[Epreuve] | BusinessError] = {}

    def epreuves_of(row: EnrolRow) -> list[Epreuve]:
        key = (frozenset(e.pk for e in row.epreuves), row.data.motivation)
        if key not in outcomes:
            try:
                outcomes[key] = clean_epreuves(
                    produit, row.epreuves, row.data.motivation, product_epreuves=product_epreuves, rules=rules
                )
            except BusinessError as exc:
                outcomes[key] = exc
        outcome = outcomes[key]
        if isinstance(outcome, BusinessError):
            raise outcome
        return outcome

    return epreuves_of


@transaction.atomic
def enrol_many(
    *,
    session: Session,
    rows: Sequence[EnrolRow],
    source: str = InscriptionSource.IMPORT,
    by=None,
    confirm_warnings: bool = False,
    progress=None,
) -> list[int]:
    """Enrol every row or none: ONE session lock, every rule checked on every row (check_rows), the
    capacity checked for the whole file, then bulk writes (core.bulk: COPY on PostgreSQL).
    Returns the enrolment numbers, in row order. Raises RowsInvalid / ConfirmationRequired /
    BusinessError (session closed)."""
    if not rows:
        raise BusinessError("Le fichier ne contient aucun candidat.", code="empty")
    locked = lock_session(session)
    check_enrolment_open(locked)
    errors, warnings = check_rows(locked, rows)
    if errors:
        raise RowsInvalid(errors)
    if warnings and not confirm_warnings:
        raise ConfirmationRequired([f"Ligne {w.ligne} : {w.message}" for w in warnings])

    centre = locked.centre
    pool = _candidat_pool(centre, [r.data.date_naissance for r in rows])
    known: list[Candidat | None] = []
    changed = []
    for row in rows:
        candidat = _find_candidat(centre, row.data, pool)
        if candidat is not None and _apply(candidat, row.data):
            changed.append(candidat)
        known.append(candidat)
    new_ids = iter(
        bulk.insert_rows(
            Candidat,
            [
                {"centre_id": centre.pk, **{n: getattr(row.data, n) or _blank(n) for n in CANDIDAT_FIELDS}}
                for row, candidat in zip(rows, known, strict=True)
                if candidat is None
            ],
            returning_ids=True,
        )
    )
    candidat_ids = [candidat.pk if candidat is not None else next(new_ids) for candidat in known]
    if changed:
        Candidat.objects.bulk_update(changed, [*CANDIDAT_FIELDS, *refresh_folded(changed)], batch_size=500)
    prices = session_prices(locked)
    codes = new_unique_access_codes(len(rows))
    numbers = next_numbers("inscription", len(rows))
    now = timezone.now()
    epreuves_of = epreuves_checker(locked)
    inscriptions, priced = [], []
    for index, row in enumerate(rows):
        chosen = epreuves_of(row)
        per, total = prices_for(locked.produit, chosen, prices)
        inscriptions.append(
            {
                "numero": numbers[index],
                "session_id": locked.pk,
                "candidat_id": candidat_ids[index],
                "code_acces": codes[index],
                "source": source,
                "prix_total": total,
                "created_by_id": by.pk if by else None,
                "created_at": now,
            }
        )
        priced.append((chosen, per))
        if progress and (index + 1) % 100 == 0:
            progress(index + 1)
    inscription_ids = bulk.insert_rows(Inscription, inscriptions, returning_ids=True)
    bulk.insert_rows(
        InscriptionEpreuve,
        [
            {"inscription_id": inscription_id, "epreuve_id": e.pk, "prix": per[e.pk]}
            for inscription_id, (chosen, per) in zip(inscription_ids, priced, strict=True)
            for e in chosen
        ],
    )
    if progress:
        progress(len(rows))
    return list(numbers)


# --- "Modifier les informations" -------------------------------------------------------------------


@transaction.atomic
def update_inscription(
    inscription: Inscription, *, data: CandidatData, epreuves: Iterable[Epreuve] | None = None, by=None
) -> Inscription:
    """Edit the candidate's data; the épreuves (and so the price) only while enrolment is open."""
    locked = lock_session(inscription.session)
    inscription = Inscription.objects.select_for_update().select_related("candidat").get(pk=inscription.pk)
    check_candidat(data)
    candidat = inscription.candidat
    key = person_key(data.nom, data.prenom, data.date_naissance)
    if key != person_key(candidat.nom, candidat.prenom, candidat.date_naissance):
        other = known_enrolments(locked, [data.date_naissance]).in_session.get(key)
        if other is not None and other.pk != inscription.pk:
            raise BusinessError(
                f"{person_name(data.prenom, data.nom)} est déjà inscrit(e) à cette session (inscription {other.numero}).",
                code="duplicate",
            )
    for name in CANDIDAT_FIELDS:
        setattr(candidat, name, getattr(data, name) or _blank(name))
    candidat.save()
    if epreuves is not None:
        current = {ie.epreuve_id for ie in inscription.epreuves.all()}
        wanted = {e.pk for e in epreuves}
        if current != wanted or not locked.produit.modulaire:
            if locked.produit.modulaire and current != wanted:
                check_enrolment_open(locked)
            chosen = clean_epreuves(locked.produit, epreuves, data.motivation)
            if {e.pk for e in chosen} != current:
                per, total = prices_for(locked.produit, chosen, session_prices(locked))
                if inscription.reporte_depuis_id:
                    per, total = {pk: Decimal("0.00") for pk in per}, Decimal("0.00")
                inscription.epreuves.all().delete()
                InscriptionEpreuve.objects.bulk_create(
                    [InscriptionEpreuve(inscription=inscription, epreuve=e, prix=per[e.pk]) for e in chosen]
                )
                inscription.prix_total = total
                inscription.save(update_fields=["prix_total"])
    return inscription


# --- Pre-registrations (public site → centre) --------------------------------------------------------


@transaction.atomic
@transaction.atomic
def create_pre_inscription(
    *, centre, session: Session | None, data: CandidatData, telephone: str = "", epreuves=()
) -> PreInscription:
    """A candidate's pre-registration from the public site; acknowledgement e-mail after commit.

    For a chosen session, the épreuves chosen follow its product's rules (clean_epreuves(), as enrol() will at
    the transfer; a non-modular product takes all of its épreuves). The same person (nom, prénom folded, date de naissance) already pre-registered for the same
    session (or for the centre without a session) and not declined is refused with code "duplicate": a second
    click or a second submission is never stored twice. The session row (or the centre row) is locked first,
    so two identical submissions at the same instant are told apart too."""
    if session is not None and session.centre_id != centre.pk:
        raise BusinessError("Cette session n'appartient pas à ce centre.")
    if session is not None:
        session = lock_session(session)
        if not session.enrolment_open():
            raise BusinessError("Les inscriptions à cette session sont closes.")
        epreuves = list(epreuves)
        if epreuves or not session.produit.modulaire:  # none chosen yet: the centre chooses at the transfer
            epreuves = clean_epreuves(session.produit, epreuves, data.motivation)
    else:
        type(centre).objects.select_for_update().filter(pk=centre.pk).first()
    key = person_key(data.nom, data.prenom, data.date_naissance)
    earlier = PreInscription.objects.filter(
        centre=centre, session=session, date_naissance=data.date_naissance
    ).exclude(statut=PreInscription.Statut.DECLINEE)
    for other in earlier:
        if person_key(other.nom, other.prenom, other.date_naissance) == key:
            where = f"à la session du {session.date:%d/%m/%Y}" if session else "auprès de ce centre"
            raise BusinessError(
                f"Vous êtes déjà pré-inscrit(e) {where} (demande du "
                f"{timezone.localtime(other.created_at):%d/%m/%Y}) : le centre traitera votre demande et vous "
                "écrira. Inutile de l'envoyer une seconde fois.",
                code="duplicate",
            )
    pre = PreInscription.objects.create(
        centre=centre,
        session=session,
        telephone=telephone,
        **{n: getattr(data, n) or _blank(n) for n in CANDIDAT_FIELDS},
    )
    if epreuves:
        pre.epreuves.set(epreuves)
    PRE_INSCRIPTIONS.record_creation(pre, comment="Pré-inscription reçue du site de pré-inscription.")
    pk = pre.pk
    transaction.on_commit(lambda: emails.send_pre_inscription_ack(pk))
    return pre


PRE_INSCRIPTIONS = Workflow(
    PreInscription,
    transitions={
        PreInscription.Statut.A_TRAITER: {PreInscription.Statut.TRANSFEREE, PreInscription.Statut.DECLINEE}
    },
    history=PreInscriptionStatusChange,
    noun=lambda pre: "Cette pré-inscription",
)


def cannot_handle_pre_inscription(pre: PreInscription) -> str | None:
    """Why "Transférer" / "Décliner" are refused (French), or None: a pre-registration is handled once."""
    if pre.statut != PreInscription.Statut.A_TRAITER:
        return f"Cette pré-inscription est déjà « {pre.get_statut_display()} »."
    return None


def can_handle_pre_inscription(pre: PreInscription) -> bool:
    return cannot_handle_pre_inscription(pre) is None


def _lock_pre(pre: PreInscription) -> PreInscription:
    locked = PRE_INSCRIPTIONS.lock(pre)
    if (refusal := cannot_handle_pre_inscription(locked)) is not None:
        raise BusinessError(refusal, code="transition")
    return locked


@transaction.atomic
def transfer_pre_inscription(
    pre: PreInscription, *, session: Session, epreuves: Iterable[Epreuve], by, confirm_warnings: bool = False
) -> EnrolmentResult:
    """ "Transférer": enrol the pre-registered candidate into one of the centre's sessions (through
    enrol(), every rule applies), mark the pre-registration transferred."""
    locked = _lock_pre(pre)
    if session.centre_id != locked.centre_id:
        raise BusinessError("Cette session n'appartient pas à votre centre.")
    result = enrol(
        session=session,
        candidat_data=CandidatData.from_object(locked),
        epreuves=epreuves,
        source=InscriptionSource.PRE_INSCRIPTION,
        by=by,
        confirm_warnings=confirm_warnings,
    )
    PRE_INSCRIPTIONS.transition(
        locked,
        PreInscription.Statut.TRANSFEREE,
        by=by,
        comment=f"Transférée dans la session {session.numero} (inscription {result.inscription.numero}).",
        changes={"inscription": result.inscription, "traitee_par": by, "traitee_le": timezone.now()},
        locked=True,
    )
    return result


@transaction.atomic
def decline_pre_inscription(pre: PreInscription, *, motif: str, by) -> PreInscription:
    """ "Décliner" with a reason, e-mailed to the candidate after commit."""
    motif = (motif or "").strip()
    if not motif:
        raise BusinessError("Indiquez le motif du refus : il est envoyé au candidat.")
    locked = _lock_pre(pre)
    pk = locked.pk
    PRE_INSCRIPTIONS.transition(
        locked,
        PreInscription.Statut.DECLINEE,
        by=by,
        comment=motif,
        changes={"motif_refus": motif, "traitee_par": by, "traitee_le": timezone.now()},
        locked=True,
        after_commit=[lambda: emails.send_pre_inscription_declined(pk)],
    )
    return locked


# --- Contact requests -------------------------------------------------------------------------------


@transaction.atomic
def create_demande_contact(
    *, centre, nom: str, prenom: str, email: str, telephone: str = "", produit=None, message: str
) -> DemandeContact:
    demande = DemandeContact.objects.create(
        centre=centre,
        nom=nom.strip(),
        prenom=prenom.strip(),
        email=email.strip(),
        telephone=telephone.strip(),
        produit=produit,
        message=message.strip(),
    )
    DEMANDES_CONTACT.record_creation(demande, comment="Demande de contact reçue du site de pré-inscription.")
    pk = demande.pk
    transaction.on_commit(lambda: emails.send_contact_ack(pk))
    return demande


DEMANDES_CONTACT = Workflow(
    DemandeContact,
    transitions={DemandeContact.Statut.A_TRAITER: {DemandeContact.Statut.TRAITEE}},
    history=DemandeContactStatusChange,
    noun=lambda demande: "Cette demande de contact",
)


def cannot_handle_contact(demande: DemandeContact) -> str | None:
    """Why "Répondre" / "Marquer comme traitée" are refused (French), or None."""
    if not DEMANDES_CONTACT.allows(demande.statut, DemandeContact.Statut.TRAITEE):
        return "Cette demande de contact est déjà traitée."
    return None


def can_handle_contact(demande: DemandeContact) -> bool:
    return cannot_handle_contact(demande) is None


def _lock_contact(demande: DemandeContact) -> DemandeContact:
    locked = DEMANDES_CONTACT.lock(demande)
    if (refusal := cannot_handle_contact(locked)) is not None:
        raise BusinessError(refusal, code="transition")
    return locked


@transaction.atomic
def answer_demande_contact(demande: DemandeContact, *, reponse: str, by) -> DemandeContact:
    """ "Répondre": the reply is e-mailed to the candidate and the request is marked handled."""
    reponse = (reponse or "").strip()
    if not reponse:
        raise BusinessError("La réponse est vide.")
    locked = _lock_contact(demande)
    pk = locked.pk
    DEMANDES_CONTACT.transition(
        locked,
        DemandeContact.Statut.TRAITEE,
        by=by,
        comment="Réponse envoyée par e-mail au candidat.",
        changes={"reponse": reponse, "traitee_par": by, "traitee_le": timezone.now()},
        locked=True,
        after_commit=[lambda: emails.send_contact_answer(pk)],
    )
    return locked


@transaction.atomic
def close_demande_contact(demande: DemandeContact, *, by) -> DemandeContact:
    """ "Marquer comme traitée" (answered by phone, for instance): no e-mail."""
    locked = _lock_contact(demande)
    DEMANDES_CONTACT.transition(
        locked,
        DemandeContact.Statut.TRAITEE,
        by=by,
        comment="Marquée comme traitée, sans réponse par e-mail.",
        changes={"traitee_par": by, "traitee_le": timezone.now()},
        locked=True,
    )
    return locked
