"""Shared factories: every test builds its data from here."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from candidats.codes import new_unique_access_code
from candidats.models import Candidat, Inscription, InscriptionEpreuve
from centres.models import Centre, Membership, User
from centres.roles import Role
from core.models import Export, next_number
from sessions_app.models import Session, SessionStatus, SessionTarif
from tarifs.models import Epreuve, Gamme, Produit, Tarif

PASSWORD = "mot-de-passe-de-test-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@centre.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda n: f"agent{n}@fda.test")
    is_staff = True
    is_superuser = True


class CentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Centre

    code = factory.Sequence(lambda n: f"C{n:04d}")
    nom = factory.Sequence(lambda n: f"Centre de test {n}")
    ville = "Paris"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    centre = factory.SubFactory(CentreFactory)
    role = Role.RESPONSABLE


def epreuve(code: str) -> Epreuve:
    labels = {
        "CE": "Compréhension écrite",
        "CO": "Compréhension orale",
        "EE": "Expression écrite",
        "EO": "Expression orale",
        "LS": "Lexique et structure",
        "CTI": "Compréhension et traitement de l'information",
        "IO": "Interaction orale",
    }
    order = list(labels).index(code) if code in labels else 99
    return Epreuve.objects.get_or_create(
        code=code, defaults={"libelle": labels.get(code, code), "ordre": order}
    )[0]


class ProduitFactory(factory.django.DjangoModelFactory):
    """A product. The guide's six products (TEF, TEFCAN, TEFAQ, TEFIRN, DFPA1, DFPB1) ship with the
    migrations: asking for one of their codes returns the catalogue's product, its rules and tables."""

    class Meta:
        model = Produit
        skip_postgeneration_save = True
        django_get_or_create = ("code",)

    numero = factory.Sequence(lambda n: 100 + n)
    gamme = Gamme.TEF
    nom = factory.Sequence(lambda n: f"TEF Canada {n}")
    code = factory.Sequence(lambda n: f"TEFCAN{n}")
    modulaire = True

    @factory.post_generation
    def codes_epreuves(obj, create, extracted, **kwargs):
        codes = extracted or (["CE", "CO", "EE", "EO"] if obj.modulaire else ["CE", "CO", "EE", "EO"])
        obj.epreuves.set([epreuve(c) for c in codes])


def future_date(days: int = 30) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    numero = factory.LazyFunction(lambda: next_number("session"))
    centre = factory.SubFactory(CentreFactory)
    produit = factory.SubFactory(ProduitFactory)
    date = factory.LazyFunction(future_date)
    heure = dt.time(9, 0)
    lieu = "Salle 1"
    nb_places = 20
    statut = SessionStatus.OUVERTE


def add_session_tarifs(session: Session, amount: Decimal = Decimal("50.00")) -> None:
    if session.produit.modulaire:
        for ep in session.produit.epreuves.all():
            SessionTarif.objects.create(session=session, epreuve=ep, montant=amount)
    else:
        SessionTarif.objects.create(session=session, montant=amount)


class TarifFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tarif

    centre = factory.SubFactory(CentreFactory)
    produit = factory.SubFactory(ProduitFactory)
    montant = Decimal("50.00")


class CandidatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidat

    centre = factory.SubFactory(CentreFactory)
    nom = factory.Faker("last_name", locale="fr_FR")
    prenom = factory.Faker("first_name", locale="fr_FR")
    date_naissance = dt.date(1990, 5, 17)
    genre = "F"
    langue_maternelle = "ara"
    email = factory.Sequence(lambda n: f"candidat{n}@exemple.test")
    nationalite = "DZ"
    motivation = "I"
    numero_piece_identite = factory.Sequence(lambda n: f"ID{n:06d}")


class InscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inscription
        skip_postgeneration_save = True

    numero = factory.LazyFunction(lambda: next_number("inscription"))
    session = factory.SubFactory(SessionFactory)
    candidat = factory.LazyAttribute(lambda o: CandidatFactory(centre=o.session.centre))
    code_acces = factory.LazyFunction(new_unique_access_code)

    @factory.post_generation
    def with_epreuves(obj, create, extracted, **kwargs):
        for ep in obj.session.produit.epreuves.all():
            InscriptionEpreuve.objects.create(inscription=obj, epreuve=ep, prix=Decimal("50.00"))


class ExportFactory(factory.django.DjangoModelFactory):
    """An export of "Toutes les inscriptions" by a member of its centre; running unless told otherwise."""

    class Meta:
        model = Export

    kind = "inscriptions"
    titre = "Toutes les inscriptions"
    centre = factory.SubFactory(CentreFactory)
    requested_by = factory.LazyAttribute(lambda o: MembershipFactory(centre=o.centre).user)
    requete = b""
    statut = Export.Statut.EN_COURS
    lignes_total = 50_000
    nom_fichier = "inscriptions.xlsx"


def prix_fda(produit, montant, epreuve_code: str | None = None, date_effet=dt.date(2023, 1, 1)):
    """FDA's price for `produit` (per épreuve when `epreuve_code` is given), in force from `date_effet`."""
    from tarifs.models import PrixFDA

    return PrixFDA.objects.create(
        produit=produit,
        epreuve=epreuve(epreuve_code) if epreuve_code else None,
        montant=Decimal(montant),
        date_effet=date_effet,
    )


def session_document(session, kind="codes_acces", content=b"%PDF-1.4 test", nom=None):
    """A stored document of `session` (no PDF rendering: fast, for access tests)."""
    from django.core.files.base import ContentFile

    from sessions_app.models import Document

    nom = nom or f"{kind}_{session.numero}.pdf"
    doc = Document(centre=session.centre, session=session, kind=kind, nom=nom)
    doc.fichier.save(nom, ContentFile(content), save=False)
    doc.save()
    return doc


def uploaded_pdf(name: str = "piece.pdf", content: bytes = b"%PDF-1.4 test"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def conversation(
    centre, by=None, titre: str = "Question sur une session", body: str = "Bonjour", attachments=()
):
    """A conversation of `centre` opened by one of its users (through the messagerie service)."""
    from messagerie.services import start_conversation

    by = by or MembershipFactory(centre=centre, role=Role.RESPONSABLE).user
    return start_conversation(centre=centre, titre=titre, body=body, attachments=list(attachments), by=by)


def past_session(centre, days_ago: int = 1, **kwargs) -> Session:
    """A session whose test day has passed, enrolment closed (the state the test day leaves it in)."""
    kwargs.setdefault("date", timezone.localdate() - dt.timedelta(days=days_ago))
    kwargs.setdefault("statut", SessionStatus.CLOSE)
    return SessionFactory(centre=centre, **kwargs)


def image_upload(name: str = "photo.png", fmt: str = "PNG", size=(60, 80), colour="navy"):
    """A real image file as a browser would upload it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)
