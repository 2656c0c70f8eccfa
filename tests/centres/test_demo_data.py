import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from candidats.codes import ACCESS_CODE_ALPHABET, generate_access_code
from candidats.models import Inscription, Resultat
from centres.models import Centre, Membership, User
from centres.roles import Role
from core.models import Sequence
from sessions_app.models import Session, SessionStatus, SessionStatusChange
from tarifs import scales
from tarifs.models import Produit

PROJECT_APPS = ["portail", "centres", "tarifs", "sessions_app", "candidats", "demandes", "messagerie"]
CODE_RE = re.compile(r"^[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}-[A-HJ-NP-Z2-9]{3}$")


def counts():
    result = {
        m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in PROJECT_APPS
    }
    result["auth.Group"] = apps.get_model("auth", "Group").objects.count()
    return result


@pytest.fixture
def demo(db):
    call_command("demo_data", stdout=open("/dev/null", "w"))


def test_it_is_idempotent(db, capsys):
    call_command("demo_data")
    first = counts()
    sequences = dict(Sequence.objects.values_list("name", "last_value"))
    call_command("demo_data")

    assert counts() == first
    assert dict(Sequence.objects.values_list("name", "last_value")) == sequences  # no number consumed
    assert first["sessions_app.Session"] == 11
    assert first["candidats.Inscription"] > 50
    out = capsys.readouterr().out
    assert "demo-portail-2026" in out
    assert "http://127.0.0.1:8000/admin/" in out


PRODUITS = [
    ("TEF", ["CE", "CO", "EE", "EO", "LS"], True, Produit.Statut.INACTIF),
    ("TEFCAN", ["CE", "CO", "EE", "EO"], True, Produit.Statut.ACTIF),
    ("TEFAQ", ["CE", "CO", "EE", "EO"], True, Produit.Statut.ACTIF),
    ("TEFIRN", ["CE", "CO", "EE", "EO"], False, Produit.Statut.ACTIF),
    ("DFPA1", ["CTI", "IO"], False, Produit.Statut.ACTIF),
    ("DFPB1", ["CTI", "IO"], False, Produit.Statut.ACTIF),
]


def test_it_creates_the_guides_products(demo):
    assert Produit.objects.count() == len(PRODUITS)
    for code, epreuves, modulaire, statut in PRODUITS:
        produit = Produit.objects.get(code=code)
        assert sorted(produit.epreuves.values_list("code", flat=True)) == sorted(epreuves), code
        assert produit.modulaire is modulaire, code
        assert produit.statut == statut, code
    tefcan = Produit.objects.get(code="TEFCAN")
    combinaisons = sorted(
        sorted(r.epreuves.values_list("code", flat=True))
        for r in tefcan.regles_epreuves.filter(type="combinaison")
    )
    assert combinaisons == [["CE", "CO", "EE", "EO"], ["CO", "EO"]]


def test_it_creates_every_role(demo):
    assert User.objects.get(email="admin@fda.test").is_superuser
    for email in ("charge@fda.test", "pedago@fda.test"):
        user = User.objects.get(email=email)
        assert user.is_staff and not user.is_superuser
        assert user.groups.filter(name="FDA").exists()
        assert user.has_perm("sessions_app.view_session")
    paris, lyon = Centre.objects.get(code="PAR01"), Centre.objects.get(code="LYO01")
    expected = [
        ("responsable@paris.test", paris, Role.RESPONSABLE),
        ("administratif@paris.test", paris, Role.ADMINISTRATIF),
        ("evaluateur@paris.test", paris, Role.EVALUATEUR),
        ("responsable@lyon.test", lyon, Role.RESPONSABLE),
        ("administratif@lyon.test", lyon, Role.ADMINISTRATIF),
        ("evaluateur@lyon.test", lyon, Role.EVALUATEUR),
        ("multi@demo.test", paris, Role.RESPONSABLE),
        ("multi@demo.test", lyon, Role.ADMINISTRATIF),
    ]
    for email, centre, role in expected:
        assert Membership.objects.filter(user__email=email, centre=centre, role=role).exists(), (email, role)
    assert User.objects.get(email="responsable@paris.test").check_password("demo-portail-2026")
    assert paris.charge_clientele.email == "charge@fda.test"


def test_paris_has_a_session_in_each_status(demo):
    statuses = set(Session.objects.filter(centre__code="PAR01").values_list("statut", flat=True))
    assert statuses >= {
        SessionStatus.PLANIFIEE,
        SessionStatus.OUVERTE,
        SessionStatus.CLOSE,
        SessionStatus.CORRECTION,
        SessionStatus.RESULTATS,
        SessionStatus.CLOTUREE,
    }
    for close in Session.objects.filter(centre__code="PAR01", statut=SessionStatus.CLOSE):
        assert not close.enrolment_open()
    # The day after a test: absences to declare and a mise en correction to do.
    assert Session.objects.filter(
        centre__code="PAR01", statut=SessionStatus.CLOSE, date__lt=timezone.localdate()
    ).exists()
    # Published sessions have their attestations.
    for published in Session.objects.filter(statut__in=[SessionStatus.RESULTATS, SessionStatus.CLOTUREE]):
        assert published.documents.filter(kind="attestation").exists()
    for session in Session.objects.filter(centre__code="PAR01", statut=SessionStatus.OUVERTE):
        assert session.enrolment_open()
    # Each session's history walks from "" to its status.
    for session in Session.objects.all():
        history = list(SessionStatusChange.objects.filter(session=session))
        assert history[0].from_status == ""
        assert history[-1].to_status == session.statut


def test_numbers_and_access_codes(demo):
    inscriptions = list(Inscription.objects.all())
    codes = [i.code_acces for i in inscriptions]
    assert len(set(codes)) == len(codes)
    assert all(CODE_RE.match(code) for code in codes)
    assert min(i.numero for i in inscriptions) >= 2000001
    assert min(Session.objects.values_list("numero", flat=True)) >= 7000001


def test_results_carry_levels_from_the_published_tables(demo):
    resultats = Resultat.objects.filter(inscription__session__statut=SessionStatus.RESULTATS).select_related(
        "inscription__session__produit", "epreuve"
    )
    assert resultats.exists()
    with_nclc = 0
    for resultat in resultats:
        session = resultat.inscription.session
        if session.produit.code in ("TEFCAN", "TEFAQ", "TEF"):
            found = scales.levels(session.produit.code, resultat.epreuve.code, session.date, resultat.score)
            assert (resultat.score_max, resultat.niveau_cecrl, resultat.nclc) == (
                699,
                found.cecrl,
                found.nclc,
            )
            assert found.demo  # the demo's CECRL cut-offs are marked as demo
        if session.produit.code == "TEFCAN" and resultat.nclc is not None:
            with_nclc += 1
    assert with_nclc  # real NCLC levels (IRCC table C) on the demo's TEF Canada results


def test_generate_access_code_uses_the_unambiguous_alphabet():
    for _ in range(200):
        code = generate_access_code()
        assert CODE_RE.match(code)
        assert set(code.replace("-", "")) <= set(ACCESS_CODE_ALPHABET)
