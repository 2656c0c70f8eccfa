"""`python manage.py demo_data`: a complete, deterministic demo of the portal.

Idempotent: every object is looked up by a natural key (Epreuve.code, Produit.code, Centre.code,
User.email, a session's demo `lieu`, a candidate's identity, …) and created only when missing, so a
second run creates nothing and allocates no number. Sessions are placed relative to today, so a run on
another day moves their dates (and resets their demo status) instead of creating new ones.
Random choices come from `random.Random(2026)` and are all drawn whatever the database holds, so the
data are the same on every run; only access codes (drawn once, at creation) are truly random.

Built through the services where the state allows: open sessions by `sessions_app.services.create_session`,
their candidates by `candidats.services.enrol`, the requests on open sessions (and the fraude of the test
day) by `demandes.services.file_demande` / `decide`. A planned-only, closed or past session cannot be
made by the services (they refuse a date already closed): those are written directly with the history
they would have. Lives in `portail`, the web layer on top, the only one that imports every app."""

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from candidats.codes import new_unique_access_code
from candidats.models import (
    Candidat,
    DemandeContact,
    Inscription,
    InscriptionEpreuve,
    InscriptionSource,
    PreInscription,
    Resultat,
)
from candidats.services import CandidatData, enrol
from centres.models import Centre, Genre, Membership, ServiceFDA, User, Visibilite
from centres.roles import Role
from core.models import next_number
from demandes.models import Demande, DemandeKind, DemandeStatus, DemandeStatusChange, Notification
from demandes.services import decide, file_demande, notification_text
from messagerie.models import Conversation, Message
from sessions_app.models import Session, SessionStatus, SessionStatusChange, SessionTarif
from sessions_app.services import create_session
from tarifs import scales
from tarifs.models import (
    Epreuve,
    Motivation,
    PrixFDA,
    Produit,
    Seuil,
    TableNiveaux,
    Tarif,
)

DEMO_PASSWORD = "demo-portail-2026"
DEMO_COMMENT = "Données de démonstration"
PROJECT_APPS = ["centres", "tarifs", "sessions_app", "candidats", "demandes", "messagerie", "portail"]

# The catalogue (épreuves, the guide's six products, their registration rules, the published scales and
# level tables) is reference data shipped by the migration tarifs/0003_reference_data: the demo reads it.
PRODUITS = ["TEF", "TEFCAN", "TEFAQ", "TEFIRN", "DFPA1", "DFPB1"]

PRIX_FDA_DATE = dt.date(2023, 1, 1)
PRIX_FDA_PAR_EPREUVE = Decimal("35.00")
PRIX_FDA_UNIQUE = {"TEFIRN": Decimal("110.00"), "DFPA1": Decimal("90.00"), "DFPB1": Decimal("90.00")}

# DEMO CECRL cut-offs on the 0–699 scale: not published anywhere (FDA enters the real ones). Marked as demo
# tables, so every page and attestation using them says so. NCLC levels are the published IRCC tables.
DEMO_CECRL = [(0, "< A1"), (100, "A1"), (181, "A2"), (271, "B1"), (349, "B2"), (398, "C1"), (453, "C2")]
DEMO_CECRL_SOURCE = "Données de démonstration (seuils non publiés)"

FDA_USERS = [
    dict(
        email="admin@fda.test",
        first_name="Nathalie",
        last_name="Garnier",
        service_fda=ServiceFDA.CLIENTELE,
        is_staff=True,
        is_superuser=True,
    ),
    dict(
        email="charge@fda.test",
        first_name="Sophie",
        last_name="Lefèvre",
        service_fda=ServiceFDA.CLIENTELE,
        is_staff=True,
        is_superuser=False,
    ),
    dict(
        email="pedago@fda.test",
        first_name="Julien",
        last_name="Moreau",
        service_fda=ServiceFDA.PEDAGOGIQUE,
        is_staff=True,
        is_superuser=False,
    ),
]

CENTRES = [
    dict(
        code="PAR01",
        nom="Alliance Française Paris Île-de-France",
        adresse="101 boulevard Raspail",
        code_postal="75006",
        ville="Paris",
        email="examens@paris.test",
        telephone="+33142849000",
        visibilite=Visibilite.AVEC_SESSIONS,
        description="Centre d'examens agréé TEF et DFP au cœur de Paris.",
    ),
    dict(
        code="LYO01",
        nom="Institut de langues de Lyon",
        adresse="12 quai Claude Bernard",
        code_postal="69007",
        ville="Lyon",
        email="examens@lyon.test",
        telephone="+33478000000",
        visibilite=Visibilite.SANS_SESSIONS,
        description="Centre d'examens agréé TEF à Lyon : contactez-nous pour les prochaines sessions.",
    ),
]

CENTRE_USERS = [
    ("responsable@paris.test", "Isabelle", "Durand", Genre.FEMME, [("PAR01", Role.RESPONSABLE)]),
    ("administratif@paris.test", "Karim", "Benali", Genre.HOMME, [("PAR01", Role.ADMINISTRATIF)]),
    ("evaluateur@paris.test", "Hélène", "Rousseau", Genre.FEMME, [("PAR01", Role.EVALUATEUR)]),
    ("responsable@lyon.test", "Marc", "Girard", Genre.HOMME, [("LYO01", Role.RESPONSABLE)]),
    ("administratif@lyon.test", "Aurélie", "Fontaine", Genre.FEMME, [("LYO01", Role.ADMINISTRATIF)]),
    ("evaluateur@lyon.test", "Thomas", "Mercier", Genre.HOMME, [("LYO01", Role.EVALUATEUR)]),
    (
        "multi@demo.test",
        "Claire",
        "Dubois",
        Genre.FEMME,
        [("PAR01", Role.RESPONSABLE), ("LYO01", Role.ADMINISTRATIF)],
    ),
]

# The centres' own prices to candidates (per épreuve for modular products).
TARIFS = {
    "PAR01": {
        "TEFCAN": Decimal("95.00"),
        "TEFAQ": Decimal("90.00"),
        "TEFIRN": Decimal("160.00"),
        "DFPA1": Decimal("130.00"),
        "DFPB1": Decimal("150.00"),
    },
    "LYO01": {
        "TEFCAN": Decimal("85.00"),
        "TEFAQ": Decimal("80.00"),
        "TEFIRN": Decimal("145.00"),
        "DFPA1": Decimal("120.00"),
        "DFPB1": Decimal("140.00"),
    },
}

S = SessionStatus
# The path a session walks to reach each status (the demo history).
STATUS_PATHS = {
    S.PLANIFIEE: [S.PLANIFIEE],
    S.OUVERTE: [S.PLANIFIEE, S.OUVERTE],
    S.CLOSE: [S.PLANIFIEE, S.OUVERTE, S.CLOSE],
    S.CORRECTION: [S.PLANIFIEE, S.OUVERTE, S.CLOSE, S.CORRECTION],
    S.RESULTATS: [S.PLANIFIEE, S.OUVERTE, S.CLOSE, S.CORRECTION, S.RESULTATS],
    S.CLOTUREE: [S.PLANIFIEE, S.OUVERTE, S.CLOSE, S.CORRECTION, S.RESULTATS, S.CLOTUREE],
}
WITH_RESULTS = {S.RESULTATS, S.CLOTUREE}
PAST = {S.CORRECTION, S.RESULTATS, S.CLOTUREE}


@dataclass(frozen=True)
class DemoSession:
    key: str  # stable identity: the demo lieu (with the centre and product)
    centre: str
    produit: str
    days: int  # relative to today
    heure: dt.time
    statut: str
    nb_places: int
    nb_candidats: int
    salle: str

    @property
    def lieu(self) -> str:
        return f"Démo {self.key} — {self.salle}"


# fmt: off
SESSIONS = [
    DemoSession("P1", "PAR01", "DFPB1", 40, dt.time(9, 0), S.PLANIFIEE, 15, 0, "Salle Molière, 101 boulevard Raspail, Paris"),
    DemoSession("P2", "PAR01", "TEFCAN", 20, dt.time(9, 0), S.OUVERTE, 20, 8, "Salle Colette, 101 boulevard Raspail, Paris"),
    DemoSession("P3", "PAR01", "TEFIRN", 10, dt.time(14, 0), S.OUVERTE, 12, 8, "Salle Hugo, 101 boulevard Raspail, Paris"),
    DemoSession("P4", "PAR01", "TEFAQ", 1, dt.time(9, 30), S.CLOSE, 16, 8, "Salle Colette, 101 boulevard Raspail, Paris"),
    DemoSession("P5", "PAR01", "TEFIRN", -10, dt.time(9, 0), S.CORRECTION, 12, 8, "Salle Hugo, 101 boulevard Raspail, Paris"),
    DemoSession("P6", "PAR01", "TEFCAN", -30, dt.time(9, 0), S.RESULTATS, 20, 8, "Salle Molière, 101 boulevard Raspail, Paris"),
    DemoSession("P7", "PAR01", "TEFAQ", -90, dt.time(14, 0), S.CLOTUREE, 16, 8, "Salle Colette, 101 boulevard Raspail, Paris"),
    DemoSession("L1", "LYO01", "TEFCAN", 15, dt.time(9, 0), S.OUVERTE, 15, 8, "Salle Rhône, 12 quai Claude Bernard, Lyon"),
    DemoSession("L2", "LYO01", "DFPA1", 25, dt.time(14, 0), S.OUVERTE, 10, 8, "Salle Saône, 12 quai Claude Bernard, Lyon"),
    DemoSession("L3", "LYO01", "TEFIRN", -60, dt.time(9, 0), S.CLOTUREE, 12, 8, "Salle Rhône, 12 quai Claude Bernard, Lyon"),
    # The day after a test: absences to declare, then "Mettre en correction" (issue 5).
    DemoSession("P8", "PAR01", "TEFCAN", -2, dt.time(9, 0), S.CLOSE, 10, 6, "Salle Hugo, 101 boulevard Raspail, Paris"),
]
# fmt: on

# Candidates' origins: (nationalité, langue maternelle ISO 639-3, prénoms F, prénoms H, noms).
# fmt: off
ORIGINES = [
    ("DZ", "ara", ["Amina", "Yasmine", "Nour"], ["Karim", "Youssef", "Samir"], ["Benali", "Haddad", "Mansouri"]),
    ("MA", "ara", ["Fatima", "Salma", "Imane"], ["Mehdi", "Omar", "Hamza"], ["El Idrissi", "Alaoui", "Bennani"]),
    ("CN", "zho", ["Mei", "Xiaoling", "Yan"], ["Wei", "Jun", "Hao"], ["Wang", "Li", "Zhang"]),
    ("CO", "spa", ["Mariana", "Valentina", "Camila"], ["Diego", "Andrés", "Santiago"], ["García", "Rodríguez", "Martínez"]),
    ("ES", "spa", ["Lucía", "Carmen", "Elena"], ["Pablo", "Javier", "Alejandro"], ["López", "Sánchez", "Fernández"]),
    ("US", "eng", ["Emily", "Sarah", "Jessica"], ["Michael", "David", "James"], ["Smith", "Johnson", "Miller"]),
    ("IN", "hin", ["Priya", "Ananya", "Kavya"], ["Rahul", "Arjun", "Vikram"], ["Sharma", "Patel", "Singh"]),
    ("UA", "ukr", ["Olena", "Iryna", "Oksana"], ["Andriy", "Dmytro", "Oleksandr"], ["Shevchenko", "Kovalenko", "Bondarenko"]),
    ("BR", "por", ["Ana", "Beatriz", "Juliana"], ["Pedro", "Lucas", "Rafael"], ["Silva", "Santos", "Oliveira"]),
    ("SN", "wol", ["Aïssatou", "Fatou", "Awa"], ["Mamadou", "Ousmane", "Cheikh"], ["Diop", "Ndiaye", "Fall"]),
    ("VN", "vie", ["Linh", "Thu", "Hoa"], ["Minh", "Tuan", "Duc"], ["Nguyen", "Tran", "Pham"]),
    ("IR", "fas", ["Maryam", "Shirin", "Leila"], ["Reza", "Ali", "Kian"], ["Ahmadi", "Hosseini", "Karimi"]),
    ("FR", "fra", ["Camille", "Léa", "Chloé"], ["Lucas", "Hugo", "Théo"], ["Martin", "Bernard", "Petit"]),
]
# fmt: on

MOTIVATIONS = {
    "TEFCAN": [Motivation.IMMIGRATION_CANADA, Motivation.IMMIGRATION_CANADA, Motivation.CITOYENNETE],
    "TEFAQ": [Motivation.IMMIGRATION_QUEBEC],
    "TEFIRN": [Motivation.NATURALISATION, Motivation.RESIDENCE, Motivation.SEJOUR_PLURIANNUEL],
    "DFPA1": [Motivation.PROFESSIONNELLE],
    "DFPB1": [Motivation.PROFESSIONNELLE, Motivation.ETUDES],
    "TEF": [Motivation.ETUDES],
}


@dataclass
class CandidatPlan:
    nom: str
    prenom: str
    genre: str
    date_naissance: dt.date
    nationalite: str
    langue: str
    motivation: str
    piece: str
    email: str
    epreuves: list[str]
    absent: list[str] = field(default_factory=list)
    scores: dict[str, int] = field(default_factory=dict)


def demo_justificatif() -> SimpleUploadedFile:
    return SimpleUploadedFile("justificatif.pdf", b"%PDF-1.4\n% demo\n", content_type="application/pdf")


def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text.lower() if c.isalnum())


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent : une seconde exécution ne crée rien)."

    def handle(self, *args, **options):
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.rng = random.Random(2026)
        self.password_hash = None
        with transaction.atomic():
            self.epreuves = self.load_epreuves()
            self.produits = self.load_produits()
            self.load_baremes()
            self.users = self.load_fda_staff()
            self.centres = self.load_centres()
            self.load_centre_users()
            self.load_tarifs()
            self.sessions = self.load_sessions()
            self.inscriptions = self.load_candidats()
            self.load_pre_inscriptions_and_contacts()
            self.load_demandes()
            self.load_conversation()
        self.load_attestations()
        self.print_summary()

    # Catalogue ---------------------------------------------------------------------------------------

    def load_epreuves(self):
        return Epreuve.objects.in_bulk(field_name="code")

    def load_produits(self):
        produits = {p.code: p for p in Produit.objects.filter(code__in=PRODUITS).prefetch_related("epreuves")}
        missing = sorted(set(PRODUITS) - set(produits))
        if missing:
            raise CommandError(f"Catalogue incomplet ({', '.join(missing)}) : lancez d'abord « migrate ».")
        for code, produit in produits.items():
            if produit.modulaire:
                for c in self.epreuve_codes(produit):
                    PrixFDA.objects.update_or_create(
                        produit=produit,
                        epreuve=self.epreuves[c],
                        date_effet=PRIX_FDA_DATE,
                        defaults={"montant": PRIX_FDA_PAR_EPREUVE},
                    )
            else:
                PrixFDA.objects.update_or_create(
                    produit=produit,
                    epreuve=None,
                    date_effet=PRIX_FDA_DATE,
                    defaults={"montant": PRIX_FDA_UNIQUE[code]},
                )
        return produits

    def epreuve_codes(self, produit) -> list[str]:
        return [e.code for e in sorted(produit.epreuves.all(), key=lambda e: (e.ordre, e.code))]

    def load_baremes(self):
        """Demo CECRL cut-offs on the 0–699 scales (TEF, TEF Canada, TEFAQ), marked demo."""
        for code in ("TEF", "TEFCAN", "TEFAQ"):
            produit = self.produits[code]
            for ep in self.epreuve_codes(produit):
                table, _ = TableNiveaux.objects.update_or_create(
                    produit=produit,
                    epreuve=self.epreuves[ep],
                    nature=TableNiveaux.Nature.CECRL,
                    date_effet=dt.date(2019, 10, 1),
                    defaults={"nom": "Démonstration", "source": DEMO_CECRL_SOURCE, "demo": True},
                )
                for score_min, niveau in DEMO_CECRL:
                    Seuil.objects.update_or_create(
                        table=table, score_min=score_min, defaults={"valeur": niveau}
                    )

    # People ------------------------------------------------------------------------------------------

    def user(self, email, **fields):
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            # The password is set only at creation. Its hash is computed once and shared by the demo
            # accounts (same public password; Argon2 takes ~0.15 s per hash).
            if self.password_hash is None:
                self.password_hash = make_password(DEMO_PASSWORD)
            user = User.objects.create_user(email=email, password=None, **fields)
            user.password = self.password_hash
            user.save(update_fields=["password"])
        else:
            changed = [name for name, value in fields.items() if getattr(user, name) != value]
            for name in changed:
                setattr(user, name, fields[name])
            if changed:
                user.save(update_fields=changed)
        return user

    def load_fda_staff(self):
        users = {spec["email"]: self.user(**spec) for spec in FDA_USERS}
        group, _ = Group.objects.get_or_create(name="FDA")
        group.permissions.set(Permission.objects.filter(content_type__app_label__in=PROJECT_APPS))
        for email in ("charge@fda.test", "pedago@fda.test"):
            users[email].groups.add(group)
        return users

    def load_centres(self):
        centres = {}
        for spec in CENTRES:
            spec = dict(spec)
            code = spec.pop("code")
            spec["charge_clientele"] = self.users["charge@fda.test"]
            centres[code], _ = Centre.objects.update_or_create(code=code, defaults=spec)
        return centres

    def load_centre_users(self):
        for email, first_name, last_name, genre, roles in CENTRE_USERS:
            user = self.user(email, first_name=first_name, last_name=last_name, genre=genre)
            self.users[email] = user
            for centre_code, role in roles:
                Membership.objects.update_or_create(
                    user=user, centre=self.centres[centre_code], defaults={"role": role, "is_active": True}
                )

    def load_tarifs(self):
        for centre_code, prices in TARIFS.items():
            centre = self.centres[centre_code]
            for produit_code, montant in prices.items():
                produit = self.produits[produit_code]
                if produit.modulaire:
                    for c in self.epreuve_codes(produit):
                        Tarif.objects.update_or_create(
                            centre=centre,
                            produit=produit,
                            epreuve=self.epreuves[c],
                            defaults={"montant": montant},
                        )
                else:
                    Tarif.objects.update_or_create(
                        centre=centre, produit=produit, epreuve=None, defaults={"montant": montant}
                    )

    # Sessions ----------------------------------------------------------------------------------------

    def responsable(self, centre_code):
        return self.users["responsable@paris.test" if centre_code == "PAR01" else "responsable@lyon.test"]

    def load_sessions(self):
        sessions = {}
        for spec in SESSIONS:
            centre, produit = self.centres[spec.centre], self.produits[spec.produit]
            date = self.today + dt.timedelta(days=spec.days)
            session = Session.objects.filter(centre=centre, produit=produit, lieu=spec.lieu).first()
            if session is None and spec.statut == S.OUVERTE and spec.days >= 3:
                # The state the creation service makes (Planifiée then opened at once): made by it.
                session = create_session(
                    centre=centre,
                    produit=produit,
                    date=date,
                    heure=spec.heure,
                    lieu=spec.lieu,
                    nb_places=spec.nb_places,
                    afficher_en_ligne=spec.centre == "PAR01",
                    tarifs=self.centre_prices(centre, produit),
                    by=self.responsable(spec.centre),
                )
            elif session is None:
                # Other states (planned only, closed, past) cannot be created by the service, whose
                # checks refuse a date already closed: written with their history, as they would read.
                session = Session(
                    numero=next_number("session"),
                    centre=centre,
                    produit=produit,
                    lieu=spec.lieu,
                    date=date,
                    heure=spec.heure,
                    nb_places=spec.nb_places,
                    statut=spec.statut,
                    afficher_en_ligne=spec.centre == "PAR01",
                    created_by=self.responsable(spec.centre),
                )
                session.save()
                self.write_history(session, STATUS_PATHS[spec.statut], date)
            else:
                previous = session.statut
                changed = (session.date, session.heure, session.statut) != (date, spec.heure, spec.statut)
                session.date, session.heure, session.statut = date, spec.heure, spec.statut
                if changed:
                    session.save()  # also recomputes closes_at
                if previous != spec.statut:
                    SessionStatusChange.objects.create(
                        session=session,
                        from_status=previous,
                        to_status=spec.statut,
                        comment=f"{DEMO_COMMENT} (réinitialisation)",
                    )
            self.session_tarifs(session)
            sessions[spec.key] = session
        return sessions

    def write_history(self, session, path, date):
        """One row per step, dated along the session's life (created 60 days before the test)."""
        created = timezone.make_aware(dt.datetime.combine(date - dt.timedelta(days=60), dt.time(10, 0)))
        moments = {
            S.PLANIFIEE: created,
            S.OUVERTE: created + dt.timedelta(days=1),
            S.CLOSE: session.closes_at,
            S.CORRECTION: timezone.make_aware(
                dt.datetime.combine(date + dt.timedelta(days=1), dt.time(9, 0))
            ),
            S.RESULTATS: timezone.make_aware(
                dt.datetime.combine(date + dt.timedelta(days=15), dt.time(9, 0))
            ),
            S.CLOTUREE: timezone.make_aware(dt.datetime.combine(date + dt.timedelta(days=45), dt.time(9, 0))),
        }
        previous = ""
        for status in path:
            SessionStatusChange.objects.create(
                session=session,
                from_status=previous,
                to_status=status,
                by=None,
                at=min(moments[status], self.now),
                comment=DEMO_COMMENT,
            )
            previous = status

    def centre_prices(self, centre, produit) -> dict:
        return {t.epreuve_id: t.montant for t in Tarif.objects.filter(centre=centre, produit=produit)}

    def session_tarifs(self, session):
        for tarif in Tarif.objects.filter(centre=session.centre, produit=session.produit):
            SessionTarif.objects.get_or_create(
                session=session, epreuve_id=tarif.epreuve_id, defaults={"montant": tarif.montant}
            )

    # Candidates --------------------------------------------------------------------------------------

    def plan_candidat(self, spec: DemoSession, used: set) -> CandidatPlan:
        """Draws everything about one candidate from the seeded generator (never from the database)."""
        rng = self.rng
        while True:  # one person per name in the demo
            nationalite, langue, prenoms_f, prenoms_h, noms = rng.choice(ORIGINES)
            genre = rng.choice([Genre.FEMME, Genre.HOMME])
            prenom = rng.choice(prenoms_f if genre == Genre.FEMME else prenoms_h)
            nom = rng.choice(noms)
            if (nom, prenom) not in used:
                break
        used.add((nom, prenom))
        naissance = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(0, 40 * 365))
        motivation = rng.choice(MOTIVATIONS[spec.produit])
        piece = f"{nationalite}{rng.randrange(10**7, 10**8)}"
        email = f"{ascii_slug(prenom)}.{ascii_slug(nom)}{rng.randrange(10, 99)}@exemple.test"
        produit = self.produits[spec.produit]
        toutes = self.epreuve_codes(produit)
        if produit.code == "TEFCAN":
            # The two combinations TEF Canada allows: the four épreuves, or CO + EO (citizenship).
            epreuves = list(toutes) if motivation == Motivation.IMMIGRATION_CANADA else ["CO", "EO"]
        elif produit.modulaire:
            # TEFAQ, TEF: 1 to 4 independent épreuves.
            epreuves = [c for c in toutes if rng.random() < 0.6] or [rng.choice(toutes)]
        else:
            epreuves = list(toutes)
        plan = CandidatPlan(
            nom=nom,
            prenom=prenom,
            genre=genre,
            date_naissance=naissance,
            nationalite=nationalite,
            langue=langue,
            motivation=motivation,
            piece=piece,
            email=email,
            epreuves=epreuves,
        )
        if spec.statut in PAST and rng.random() < 0.15:
            plan.absent = [rng.choice(epreuves)]
        for c in epreuves:
            plan.scores[c] = rng.randint(120, 660)
        return plan

    def load_candidats(self):
        inscriptions = {}
        used = set()
        for spec in SESSIONS:
            session = self.sessions[spec.key]
            centre = self.centres[spec.centre]
            tarifs = {t.epreuve_id: t.montant for t in session.tarifs.all()}
            inscriptions[spec.key] = []
            for index in range(spec.nb_candidats):
                plan = self.plan_candidat(spec, used)
                if session.enrolment_open():
                    inscriptions[spec.key].append(self.enrol(session, spec, plan))
                    continue
                candidat, _ = Candidat.objects.get_or_create(
                    centre=centre,
                    nom=plan.nom,
                    prenom=plan.prenom,
                    date_naissance=plan.date_naissance,
                    defaults=dict(
                        genre=plan.genre,
                        langue_maternelle=plan.langue,
                        email=plan.email,
                        nationalite=plan.nationalite,
                        motivation=plan.motivation,
                        numero_piece_identite=plan.piece,
                    ),
                )
                inscription = Inscription.objects.filter(session=session, candidat=candidat).first()
                if inscription is None:
                    if session.produit.modulaire:
                        prix = {c: tarifs[self.epreuves[c].pk] for c in plan.epreuves}
                        total = sum(prix.values(), Decimal("0"))
                    else:
                        # Non-modular: one price for the whole test, carried by the enrolment.
                        prix = {c: Decimal("0") for c in plan.epreuves}
                        total = tarifs[None]
                    created_at = min(
                        self.now,
                        timezone.make_aware(
                            dt.datetime.combine(
                                session.date - dt.timedelta(days=30 - index), dt.time(10 + index, 0)
                            )
                        ),
                    )
                    inscription = Inscription.objects.create(
                        numero=next_number("inscription"),
                        session=session,
                        candidat=candidat,
                        code_acces=new_unique_access_code(),
                        source=InscriptionSource.SUR_PLACE,
                        prix_total=total,
                        created_by=self.responsable(spec.centre),
                        created_at=created_at,
                    )
                    for c in plan.epreuves:
                        InscriptionEpreuve.objects.create(
                            inscription=inscription,
                            epreuve=self.epreuves[c],
                            prix=prix[c],
                            absent=c in plan.absent,
                        )
                if spec.statut in WITH_RESULTS:
                    self.results(session, inscription, plan)
                inscriptions[spec.key].append(inscription)
        return inscriptions

    def enrol(self, session, spec: DemoSession, plan: CandidatPlan) -> Inscription:
        """An open session's candidate: through the enrolment service (rules, places, number, access code,
        prices), once."""
        known = Inscription.objects.filter(
            session=session, candidat__nom=plan.nom, candidat__prenom=plan.prenom
        ).first()
        if known is not None:
            return known
        data = CandidatData(
            nom=plan.nom,
            prenom=plan.prenom,
            date_naissance=plan.date_naissance,
            genre=plan.genre,
            langue_maternelle=plan.langue,
            email=plan.email,
            nationalite=plan.nationalite,
            motivation=plan.motivation,
            numero_piece_identite=plan.piece,
        )
        return enrol(
            session=session,
            candidat_data=data,
            epreuves=[self.epreuves[c] for c in plan.epreuves],
            by=self.responsable(spec.centre),
            confirm_warnings=True,
        ).inscription

    def results(self, session, inscription, plan):
        for c in plan.epreuves:
            if c in plan.absent:
                continue
            epreuve = self.epreuves[c]
            try:
                found = scales.levels(session.produit.code, c, session.date, plan.scores[c])
            except scales.ScoreError:
                found = None  # no published scale at that date (DFP, TEF IRN since April 2025): score only
            Resultat.objects.get_or_create(
                inscription=inscription,
                epreuve=epreuve,
                defaults=dict(
                    score=plan.scores[c],
                    score_max=found.score_max if found else None,
                    niveau_cecrl=found.cecrl if found else "",
                    nclc=found.nclc if found else None,
                    saisi_par=self.users["pedago@fda.test"],
                ),
            )

    def load_attestations(self):
        """The documents the Celery tasks make: bon de commande and access codes of closed sessions,
        attestations of published ones (all idempotent)."""
        from candidats.attestations import render_attestations
        from candidats.documents import render_session_documents

        for spec in SESSIONS:
            session_id = self.sessions[spec.key].pk
            render_session_documents(session_id)
            if spec.statut in WITH_RESULTS:
                render_attestations(session_id)

    def load_pre_inscriptions_and_contacts(self):
        paris, lyon = self.centres["PAR01"], self.centres["LYO01"]
        ouverte = self.sessions["P2"]
        pre, created = PreInscription.objects.get_or_create(
            centre=paris,
            email="nadia.rahmani@exemple.test",
            defaults=dict(
                session=ouverte,
                nom="Rahmani",
                prenom="Nadia",
                date_naissance=dt.date(1991, 3, 14),
                genre=Genre.FEMME,
                langue_maternelle="ara",
                nationalite="TN",
                motivation=Motivation.IMMIGRATION_CANADA,
                numero_piece_identite="TN48213377",
                telephone="+216 98 123 456",
            ),
        )
        if created:
            pre.epreuves.set([self.epreuves[c] for c in ("CE", "CO", "EE", "EO")])
        PreInscription.objects.get_or_create(
            centre=paris,
            email="john.carter@exemple.test",
            defaults=dict(
                nom="Carter",
                prenom="John",
                date_naissance=dt.date(1986, 11, 2),
                genre=Genre.HOMME,
                langue_maternelle="eng",
                nationalite="GB",
                motivation=Motivation.CITOYENNETE,
                numero_piece_identite="GB55120984",
            ),
        )
        DemandeContact.objects.get_or_create(
            centre=lyon,
            email="sofia.rossi@exemple.test",
            defaults=dict(
                nom="Rossi",
                prenom="Sofia",
                produit=self.produits["TEFCAN"],
                telephone="+39 333 123 4567",
                message="Bonjour, je souhaite passer le TEF Canada (4 épreuves) avant la fin du mois "
                "prochain. Avez-vous une session prévue ? Merci.",
            ),
        )
        DemandeContact.objects.get_or_create(
            centre=lyon,
            email="hiroshi.tanaka@exemple.test",
            defaults=dict(
                nom="Tanaka",
                prenom="Hiroshi",
                produit=self.produits["TEFIRN"],
                message="Bonjour, pour ma demande de carte de résident, quelles sont les dates du "
                "prochain TEF IRN et le tarif ? Cordialement.",
            ),
        )

    # Demandes and INFORMATIONS -------------------------------------------------------------------------

    def load_demandes(self):
        charge = self.users["charge@fda.test"]
        paris = self.centres["PAR01"]
        specs = [
            # (session key, candidate index, kind, sous_type, status, notified in INFORMATIONS)
            (
                "P3",
                0,
                DemandeKind.REPORT,
                "",
                DemandeStatus.VALIDEE,
                True,
            ),
            (
                "P2",
                1,
                DemandeKind.AMENAGEMENT,
                Demande.Amenagement.TIERS_TEMPS,
                DemandeStatus.VALIDEE,
                True,
            ),
            ("P2", 2, DemandeKind.DISPENSE, "", DemandeStatus.EN_COURS, False),
            ("P5", 3, DemandeKind.FRAUDE, Demande.Incident.FRAUDE, DemandeStatus.EN_COURS, False),
        ]
        descriptions = {
            DemandeKind.REPORT: "Bonjour, le candidat ne peut pas se présenter (hospitalisation), vous "
            "trouverez ci-joint le justificatif.",
            DemandeKind.AMENAGEMENT: "Demande de tiers-temps : situation de handicap attestée par un certificat.",
            DemandeKind.DISPENSE: "Demande de dispense de l'épreuve d'expression orale (trouble de la parole).",
            DemandeKind.FRAUDE: "Téléphone portable utilisé pendant l'épreuve de compréhension écrite.",
        }
        for key, index, kind, sous_type, statut, notified in specs:
            inscription = self.inscriptions[key][index]
            demande = Demande.objects.filter(inscription=inscription, kind=kind).first()
            # Filed on an open session, or a fraude on the test day: the requests' service can do it.
            if inscription.session.enrolment_open() or kind == DemandeKind.FRAUDE:
                if demande is None:  # filed and decided through the requests' service (history, notice)
                    demande = file_demande(
                        inscription,
                        kind,
                        by=self.responsable("PAR01"),
                        description=descriptions[kind],
                        sous_type=sous_type,
                        epreuve=self.epreuves["EO"] if kind == DemandeKind.DISPENSE else None,
                        justificatifs=[] if kind == DemandeKind.FRAUDE else [demo_justificatif()],
                    )
                    if statut != DemandeStatus.EN_COURS:
                        decide(demande, accept=statut == DemandeStatus.VALIDEE, by=charge)
                continue
            if demande is None:
                if kind == DemandeKind.FRAUDE:  # declared on the day of the test
                    created_at = timezone.make_aware(
                        dt.datetime.combine(inscription.session.date, dt.time(17, 0))
                    )
                else:
                    created_at = inscription.created_at + dt.timedelta(days=2)
                created_at = min(self.now - dt.timedelta(days=1), created_at)
                demande = Demande.objects.create(
                    numero=next_number("demande"),
                    kind=kind,
                    centre=paris,
                    inscription=inscription,
                    statut=statut,
                    sous_type=sous_type,
                    description=descriptions[kind],
                    epreuve=self.epreuves["EO"] if kind == DemandeKind.DISPENSE else None,
                    created_by=self.responsable("PAR01"),
                    created_at=created_at,
                    decided_by=charge if statut != DemandeStatus.EN_COURS else None,
                    decided_at=created_at + dt.timedelta(days=1)
                    if statut != DemandeStatus.EN_COURS
                    else None,
                )
                DemandeStatusChange.objects.create(
                    demande=demande,
                    from_status="",
                    to_status=DemandeStatus.EN_COURS,
                    by=self.responsable("PAR01"),
                    at=created_at,
                    comment=DEMO_COMMENT,
                )
                if statut != DemandeStatus.EN_COURS:
                    DemandeStatusChange.objects.create(
                        demande=demande,
                        from_status=DemandeStatus.EN_COURS,
                        to_status=statut,
                        by=charge,
                        at=demande.decided_at,
                        comment=DEMO_COMMENT,
                    )
                if kind == DemandeKind.AMENAGEMENT and statut == DemandeStatus.VALIDEE:
                    Inscription.objects.filter(pk=inscription.pk).update(tiers_temps=True)
            if notified:  # the sentence and link FDA's decision writes (demandes.services.decide)
                Notification.objects.update_or_create(
                    demande=demande,
                    defaults={
                        "centre": paris,
                        "message": notification_text(demande),
                        "created_at": demande.decided_at,
                        "url": reverse("candidats:inscription", kwargs={"numero": inscription.numero}),
                    },
                )

    def load_conversation(self):
        paris = self.centres["PAR01"]
        responsable = self.responsable("PAR01")
        charge = self.users["charge@fda.test"]
        session = self.sessions["P2"]
        conversation, created = Conversation.objects.get_or_create(
            centre=paris,
            titre="Question sur la session de juin",
            defaults=dict(
                created_by=responsable, assigned_to=charge, created_at=self.now - dt.timedelta(days=2)
            ),
        )
        if not created:
            return
        asked = self.now - dt.timedelta(days=2)
        answered = self.now - dt.timedelta(days=1, hours=20)
        Message.objects.create(
            conversation=conversation,
            author=responsable,
            from_fda=False,
            created_at=asked,
            body=f"Bonjour, pour la session {session.label}, pouvons-nous augmenter le nombre de places de "
            "20 à 25 ? Plusieurs candidats sont sur liste d'attente. Merci d'avance.",
        )
        Message.objects.create(
            conversation=conversation,
            author=charge,
            from_fda=True,
            created_at=answered,
            body="Bonjour, oui, vous pouvez modifier le nombre de places depuis la fiche de la session tant "
            "que les inscriptions sont ouvertes. Bonne journée.",
        )
        conversation.last_centre_message_at = asked
        conversation.last_fda_message_at = answered
        conversation.last_message_at = answered
        conversation.fda_read_at = answered
        conversation.save(
            update_fields=["last_centre_message_at", "last_fda_message_at", "last_message_at", "fda_read_at"]
        )

    # Output ------------------------------------------------------------------------------------------

    def print_summary(self):
        site = settings.SITE_URL.rstrip("/")
        lines = [
            "",
            "Données de démonstration prêtes.",
            "",
            f"Mot de passe de tous les comptes : {DEMO_PASSWORD}",
            "",
            "Personnel FDA (back office) :",
            "  admin@fda.test          superutilisateur",
            "  charge@fda.test         chargée de clientèle",
            "  pedago@fda.test         service pédagogique",
            "Centres (portail) :",
            "  responsable@paris.test    Responsable de centre — Alliance Française Paris Île-de-France",
            "  administratif@paris.test  Administratif centre — Paris",
            "  evaluateur@paris.test     Évaluateur centre — Paris (pas d'accès au portail)",
            "  responsable@lyon.test     Responsable de centre — Institut de langues de Lyon",
            "  administratif@lyon.test   Administratif centre — Lyon",
            "  evaluateur@lyon.test      Évaluateur centre — Lyon (pas d'accès au portail)",
            "  multi@demo.test           Responsable à Paris et Administratif à Lyon",
            "",
            "Adresses :",
            # The address `make run PORT=…` serves (SITE_URL follows the port).
            f"  Portail centres        {site}/",
            f"  Back office FDA        {site}/admin/",
            f"  Site de pré-inscription {site}/preinscription/",
            "",
        ]
        self.stdout.write("\n".join(lines))
