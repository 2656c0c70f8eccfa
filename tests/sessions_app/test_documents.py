"""The D-2 closure's documents: bon de commande and codes d'accès, rendered once, checked as text."""

import datetime as dt
import io
import os
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from pypdf import PdfReader

from candidats import documents
from candidats.models import InscriptionEpreuve, InscriptionStatus
from candidats.tasks import close_due_sessions as close_due_sessions_task
from sessions_app import services
from sessions_app.closure import PARIS
from sessions_app.models import BonDeCommande, Document, DocumentKind, SessionStatus
from tests.factories import (
    CandidatFactory,
    InscriptionFactory,
    ProduitFactory,
    SessionFactory,
    prix_fda,
)

SESSION_DATE = dt.date(2026, 10, 6)
BEFORE = dt.datetime(2026, 9, 1, 10, 0, tzinfo=PARIS)
AFTER_CLOSURE = dt.datetime(2026, 10, 4, 0, 5, tzinfo=PARIS)
NNBSP = "\u202f"


def pdf_text(document: Document) -> str:
    with document.fichier.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    text = "\n".join(page.extract_text() for page in reader.pages).replace(NNBSP, " ")
    return " ".join(text.split())  # lines wrap in table cells: compare words, not layout


def enrol(session, nom, prenom, codes=None, **kwargs):
    candidat = kwargs.pop("candidat_override", None) or CandidatFactory(
        centre=session.centre, nom=nom, prenom=prenom, virtuel=kwargs.pop("cand_virtuel", False)
    )
    insc = InscriptionFactory(session=session, candidat=candidat, **kwargs)
    insc.epreuves.all().delete()  # the factory enrols in every épreuve; keep the chosen ones only
    for code in codes or [e.code for e in session.produit.epreuves.all()]:
        InscriptionEpreuve.objects.create(
            inscription=insc, epreuve=session.produit.epreuves.get(code=code), prix=Decimal("50.00")
        )
    return insc


@pytest.fixture
def modular_session(centre_a):
    produit = ProduitFactory(nom="TEF Canada", modulaire=True)
    for code, amount in {"CE": "35.00", "CO": "35.00", "EE": "40.00", "EO": "40.00"}.items():
        prix_fda(produit, amount, code)
        prix_fda(
            produit, "1.00", code, date_effet=dt.date(2027, 1, 1)
        )  # not yet in force at the session date
    with time_machine.travel(BEFORE, tick=False):
        session = SessionFactory(centre=centre_a, produit=produit, date=SESSION_DATE)
        enrol(session, "Durand", "Marcel", ["CE", "CO", "EE", "EO"])  # 150,00
        enrol(session, "Martin", "Léa", ["CO", "EO"])  # 75,00
        enrol(session, "VIRTUEL", "Candidat 1", ["CE", "CO"], virtuel=True)  # free
        dispensed = enrol(session, "Bernard", "Jean", ["CE", "EE"])  # EE dispensed: 35,00
        dispensed.epreuves.filter(epreuve__code="EE").update(dispense=True)
        enrol(session, "Annulé", "Paul", ["CE"], statut=InscriptionStatus.ANNULE)  # not listed
    return session


@pytest.fixture
def celery_join_state():
    """Eager tasks run in two threads at once leave Celery's process-global "join will block" flag set
    (each thread saves and restores it around its task); restore it so later tests may call .get()."""
    from celery._state import _set_task_join_will_block, task_join_will_block

    before = task_join_will_block()
    yield
    _set_task_join_will_block(before)


def close_and_render(session, django_capture_on_commit_callbacks):
    with time_machine.travel(AFTER_CLOSURE, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            closed = documents.close_due_sessions()
    return closed


def test_closure_renders_the_bon_de_commande_with_fda_prices_and_totals(
    modular_session, django_capture_on_commit_callbacks
):
    assert close_and_render(modular_session, django_capture_on_commit_callbacks) == [modular_session.numero]
    modular_session.refresh_from_db()
    assert modular_session.statut == SessionStatus.CLOSE

    doc = Document.objects.get(session=modular_session, kind=DocumentKind.BON_COMMANDE)
    assert doc.nom == f"{modular_session.numero}_bon_commande.pdf"
    bon = BonDeCommande.objects.get(session=modular_session)
    assert (bon.statut, bon.document, bon.montant_total) == ("non_signe", doc, Decimal("260.00"))

    text = pdf_text(doc)
    assert f"Bon de commande — session {modular_session.numero}" in text
    assert "Centre A" in text and "TEF Canada" in text and "06/10/2026" in text
    assert "DURAND" in text and "150,00 €" in text
    assert "MARTIN" in text and "75,00 €" in text
    assert "VIRTUEL" in text and "Candidat virtuel : gratuit" in text
    assert "BERNARD" in text and "EE (dispensé)" in text and "35,00 €" in text
    assert "ANNULÉ" not in text
    assert "Total HT 260,00 €" in text
    assert "Devis non-signé" in text


def test_closure_renders_the_access_codes_sheet(modular_session, django_capture_on_commit_callbacks):
    close_and_render(modular_session, django_capture_on_commit_callbacks)
    doc = Document.objects.get(session=modular_session, kind=DocumentKind.CODES_ACCES)
    assert doc.nom == f"codes_acces_{modular_session.numero}.pdf"
    text = pdf_text(doc)
    for insc in modular_session.inscriptions.filter(statut=InscriptionStatus.INSCRIT):
        assert insc.code_acces in text
        assert str(insc.numero) in text
    assert "4 candidats" in text


def test_a_non_modular_product_is_charged_its_single_price(centre_a, django_capture_on_commit_callbacks):
    produit = ProduitFactory(nom="TEF IRN", modulaire=False)
    prix_fda(produit, "110.00")
    with time_machine.travel(BEFORE, tick=False):
        session = SessionFactory(centre=centre_a, produit=produit, date=SESSION_DATE)
        enrol(session, "Petit", "Anne")
        enrol(session, "Roux", "Marc")
    close_and_render(session, django_capture_on_commit_callbacks)
    bon = BonDeCommande.objects.get(session=session)
    assert bon.montant_total == Decimal("220.00")
    assert "Total HT 220,00 €" in pdf_text(bon.document)


def test_a_missing_fda_price_is_flagged_not_invented(centre_a, django_capture_on_commit_callbacks):
    produit = ProduitFactory(modulaire=False)
    with time_machine.travel(BEFORE, tick=False):
        session = SessionFactory(centre=centre_a, produit=produit, date=SESSION_DATE)
        enrol(session, "Petit", "Anne")
    close_and_render(session, django_capture_on_commit_callbacks)
    text = pdf_text(BonDeCommande.objects.get(session=session).document)
    assert "prix à définir" in text and "Total HT 0,00 €" in text


def test_running_the_job_twice_changes_nothing_more(modular_session, django_capture_on_commit_callbacks):
    close_and_render(modular_session, django_capture_on_commit_callbacks)
    history = modular_session.historique.count()
    assert close_and_render(modular_session, django_capture_on_commit_callbacks) == []
    with django_capture_on_commit_callbacks(execute=True):
        documents.render_session_documents(modular_session.pk)  # a duplicated render task
    assert modular_session.historique.count() == history
    kinds = list(Document.objects.filter(session=modular_session).values_list("kind", flat=True))
    assert sorted(kinds) == [DocumentKind.BON_COMMANDE, DocumentKind.CODES_ACCES]
    assert BonDeCommande.objects.filter(session=modular_session).count() == 1


def test_the_celery_task_closes_due_sessions(modular_session, django_capture_on_commit_callbacks):
    with time_machine.travel(AFTER_CLOSURE, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert close_due_sessions_task.delay().get() == [modular_session.numero]
    assert Document.objects.filter(session=modular_session).count() == 2


def test_a_closed_session_without_documents_gets_them_at_the_next_run(
    modular_session, django_capture_on_commit_callbacks
):
    with time_machine.travel(AFTER_CLOSURE, tick=False):
        with django_capture_on_commit_callbacks(execute=False):  # the render task is lost
            documents.close_due_sessions()
    assert not Document.objects.filter(session=modular_session).exists()
    close_and_render(modular_session, django_capture_on_commit_callbacks)
    assert Document.objects.filter(session=modular_session).count() == 2


def test_signing_records_who_and_when_and_rerenders_the_pdf(
    modular_session, responsable, django_capture_on_commit_callbacks
):
    close_and_render(modular_session, django_capture_on_commit_callbacks)
    signed_at = dt.datetime(2026, 10, 5, 9, 30, tzinfo=PARIS)
    with time_machine.travel(signed_at, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            documents.sign_bon_de_commande(modular_session, by=responsable)
    bon = BonDeCommande.objects.get(session=modular_session)
    assert (bon.statut, bon.signed_by, bon.signed_at) == ("signe", responsable, signed_at)
    assert list(bon.historique.values_list("from_status", "to_status", "by", "at")) == [
        ("non_signe", "signe", responsable.pk, signed_at)
    ]
    text = pdf_text(bon.document)
    assert "Devis signé le 05/10/2026 à 09h30" in text
    assert responsable.get_full_name() in text
    assert Document.objects.filter(session=modular_session, kind=DocumentKind.BON_COMMANDE).count() == 1


def test_a_bon_de_commande_cannot_be_signed_twice(
    modular_session, responsable, django_capture_on_commit_callbacks
):
    close_and_render(modular_session, django_capture_on_commit_callbacks)
    documents.sign_bon_de_commande(modular_session, by=responsable)
    with pytest.raises(services.BusinessError, match="déjà signé"):
        documents.sign_bon_de_commande(modular_session, by=responsable)
    assert BonDeCommande.objects.get(session=modular_session).historique.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_give_one_closure_and_one_document_of_each_kind(centre_a, celery_join_state):
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI: ce test exige PostgreSQL")
        pytest.skip("PostgreSQL requis (SELECT … FOR UPDATE SKIP LOCKED)")
    produit = ProduitFactory(modulaire=False)
    prix_fda(produit, "110.00")
    with time_machine.travel(BEFORE, tick=False):
        sessions = [SessionFactory(centre=centre_a, produit=produit, date=SESSION_DATE) for _ in range(3)]
        for session in sessions:
            enrol(session, "Petit", "Anne")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(documents.close_due_sessions(now=AFTER_CLOSURE))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    closed = sorted(n for r in results for n in r)
    assert closed == sorted(s.numero for s in sessions)  # each session closed by exactly one run
    for session in sessions:
        session.refresh_from_db()
        assert session.statut == SessionStatus.CLOSE
        assert session.historique.filter(to_status=SessionStatus.CLOSE).count() == 1
        assert sorted(Document.objects.filter(session=session).values_list("kind", flat=True)) == [
            DocumentKind.BON_COMMANDE,
            DocumentKind.CODES_ACCES,
        ]
        assert BonDeCommande.objects.filter(session=session).count() == 1


def test_a_bon_de_commande_with_missing_fda_prices_cannot_be_signed(
    centre_a, responsable, django_capture_on_commit_callbacks
):
    produit = ProduitFactory(modulaire=False)
    with time_machine.travel(BEFORE, tick=False):
        session = SessionFactory(centre=centre_a, produit=produit, date=SESSION_DATE)
        enrol(session, "Petit", "Anne")
    close_and_render(session, django_capture_on_commit_callbacks)
    with pytest.raises(services.BusinessError, match="prix du Français des affaires manquent"):
        documents.sign_bon_de_commande(session, by=responsable)
    # FDA adds the price: the centre signs, and the signed PDF carries it.
    prix_fda(produit, "110.00")
    with django_capture_on_commit_callbacks(execute=True):
        documents.sign_bon_de_commande(session, by=responsable)
    bon = BonDeCommande.objects.get(session=session)
    assert bon.montant_total == Decimal("110.00")
    text = pdf_text(bon.document)
    assert "Total HT 110,00 €" in text and "Devis signé" in text


def test_a_reinscription_after_report_is_not_charged_twice(centre_a, django_capture_on_commit_callbacks):
    produit = ProduitFactory(modulaire=False)
    prix_fda(produit, "110.00")
    with time_machine.travel(BEFORE, tick=False):
        first = SessionFactory(centre=centre_a, produit=produit, date=dt.date(2026, 9, 20))
        original = enrol(first, "Report", "Ali")
    with time_machine.travel(dt.datetime(2026, 9, 18, 1, 0, tzinfo=PARIS), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            documents.close_due_sessions()  # the first session's bon de commande charged Ali
        original.statut = InscriptionStatus.REPORTE
        original.save()
        second = SessionFactory(centre=centre_a, produit=produit, date=SESSION_DATE)
        enrol(second, "Report", "Ali", reporte_depuis=original, candidat_override=original.candidat)
        enrol(second, "Neuf", "Eva")
    close_and_render(second, django_capture_on_commit_callbacks)
    bon = BonDeCommande.objects.get(session=second)
    assert bon.montant_total == Decimal("110.00")
    assert f"Réinscription après report (facturée sur la session {first.numero})" in pdf_text(bon.document)


def test_the_job_leaves_cancelled_and_not_yet_due_sessions_alone(
    centre_a, django_capture_on_commit_callbacks
):
    with time_machine.travel(BEFORE, tick=False):
        cancelled = SessionFactory(centre=centre_a, date=SESSION_DATE, statut=SessionStatus.ANNULEE)
        later = SessionFactory(centre=centre_a, date=SESSION_DATE + dt.timedelta(days=1))
    assert close_and_render(later, django_capture_on_commit_callbacks) == []
    cancelled.refresh_from_db()
    later.refresh_from_db()
    assert (cancelled.statut, later.statut) == (SessionStatus.ANNULEE, SessionStatus.OUVERTE)
    assert not Document.objects.exists()


def test_the_management_command_runs_the_job(modular_session, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with time_machine.travel(AFTER_CLOSURE, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("close_due_sessions", stdout=out)
    assert f"Sessions clôturées : {modular_session.numero}" in out.getvalue()
    assert Document.objects.filter(session=modular_session).count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_signatures_at_once_record_one_signer(centre_a, celery_join_state):
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI: ce test exige PostgreSQL")
        pytest.skip("PostgreSQL requis")
    from tests.factories import MembershipFactory

    produit = ProduitFactory(modulaire=False)
    prix_fda(produit, "110.00")
    with time_machine.travel(BEFORE, tick=False):
        session = SessionFactory(centre=centre_a, produit=produit, date=SESSION_DATE)
        enrol(session, "Petit", "Anne")
    documents.close_due_sessions(now=AFTER_CLOSURE)
    users = [MembershipFactory(centre=centre_a).user for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def sign(user):
        try:
            barrier.wait()
            documents.sign_bon_de_commande(session, by=user)
            outcomes.append("signed")
        except services.BusinessError as exc:
            outcomes.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["Ce bon de commande est déjà signé.", "signed"]
    bon = BonDeCommande.objects.get(session=session)
    assert bon.statut == "signe" and bon.signed_by in users
    assert Document.objects.filter(session=session, kind=DocumentKind.BON_COMMANDE).count() == 1
