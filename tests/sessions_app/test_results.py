"""Issue 5: scores and levels (versioned scales), publication, Tableau de résultats, attestations."""

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from candidats import attestations, captures, results, session_day
from candidats.models import Resultat
from core.errors import BusinessError
from sessions_app.models import Document, DocumentKind, SessionStatus
from tarifs.models import Produit, Seuil, TableNiveaux
from tests.admin_auth import admin_force_login
from tests.factories import (
    InscriptionFactory,
    MembershipFactory,
    epreuve,
    image_upload,
    past_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tef_canada():
    """The catalogue's TEF Canada with the published scales and NCLC tables (migration
    tarifs/0003_reference_data); no CECRL table is published."""
    return Produit.objects.get(code="TEFCAN")


# --- Recording and publishing ------------------------------------------------------------------------


@pytest.fixture
def session(centre_a, tef_canada):
    session = past_session(
        centre_a, produit=tef_canada, statut=SessionStatus.CORRECTION, date=dt.date(2026, 11, 2)
    )
    return session


def rows(inscription, **scores):
    return [
        results.ScoreRow(inscription.numero, code, score, f"test {code}") for code, score in scores.items()
    ]


def test_scores_get_their_levels_from_the_scale_of_the_session_date(session):
    inscription = InscriptionFactory(session=session)
    assert results.record_scores(session, rows(inscription, CE=349, CO=352)) == 2
    levels = {r.epreuve.code: (r.score, r.niveau_cecrl, r.nclc, r.score_max) for r in Resultat.objects.all()}
    # Table C (IRCC): CE 349 is NCLC 4 (not 7), CO 352 is NCLC 5; no CECRL table is published.
    assert levels == {"CE": (349, "", 4, 699), "CO": (352, "", 5, 699)}


def test_an_old_session_is_scored_on_the_old_scale(centre_a, tef_canada):
    old = past_session(
        centre_a, produit=tef_canada, statut=SessionStatus.CORRECTION, date=dt.date(2019, 6, 1)
    )
    inscription = InscriptionFactory(session=old)
    results.record_scores(old, rows(inscription, CE=207))
    assert (Resultat.objects.get().nclc, Resultat.objects.get().score_max) == (7, 300)  # table A
    with pytest.raises(BusinessError, match="entre 0 et 300"):
        results.record_scores(old, rows(inscription, CE=301))


def test_wrong_rows_refuse_the_whole_batch(session):
    inscription = InscriptionFactory(session=session)
    absent = InscriptionFactory(session=session)
    session.statut = SessionStatus.CLOSE
    session.save()
    session_day.set_absence(absent, whole=True)
    session.statut = SessionStatus.CORRECTION
    session.save()
    bad = (
        rows(inscription, CE=400, CO=700)
        + rows(absent, CE=10)
        + [results.ScoreRow(9999999, "CE", 1, "Ligne 9")]
    )
    with pytest.raises(BusinessError) as error:
        results.record_scores(session, bad)
    assert "test CO : Le score 700 de l'épreuve CO doit être compris entre 0 et 699" in error.value.message
    assert f"l'inscription {absent.numero} n'a pas passé l'épreuve « CE »" in error.value.message
    assert "Ligne 9" in error.value.message
    assert not Resultat.objects.exists()


def test_scores_are_entered_only_in_correction(session):
    inscription = InscriptionFactory(session=session)
    session.statut = SessionStatus.CLOSE
    session.save()
    with pytest.raises(BusinessError, match="quand elle est En correction"):
        results.record_scores(session, rows(inscription, CE=100))


def test_import_from_excel(session):
    inscription = InscriptionFactory(session=session)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["N° inscription", "Épreuve", "Score"])
    sheet.append([inscription.numero, "ce", 271])
    sheet.append([None, None, None])
    sheet.append([inscription.numero, "EO", 500])
    out = io.BytesIO()
    workbook.save(out)
    assert results.record_scores(session, results.rows_from_xlsx(out.getvalue())) == 2
    assert Resultat.objects.get(epreuve__code="EO").nclc == 8  # table C, EO: 494 to 517


def test_import_refuses_a_file_that_is_not_xlsx_or_has_wrong_headers(session):
    with pytest.raises(BusinessError, match="pas un classeur Excel"):
        results.rows_from_xlsx(b"PK\x03\x04 not really")
    workbook = Workbook()
    workbook.active.append(["Numéro", "Score"])
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(BusinessError, match="N° inscription, Épreuve, Score"):
        results.rows_from_xlsx(out.getvalue())


def test_publication_guards(session, fda_agent):
    inscription = InscriptionFactory(session=session)
    results.record_scores(session, rows(inscription, CE=100, CO=100, EE=100))
    with pytest.raises(BusinessError, match="1 score manque"):
        results.publish(session, by=fda_agent)
    results.publish(session, by=fda_agent, allow_missing=True)
    session.refresh_from_db()
    assert session.statut == SessionStatus.RESULTATS
    assert "sur confirmation" in session.historique.last().comment
    with pytest.raises(BusinessError, match="seuls les résultats d'une session En correction"):
        results.publish(session, by=fda_agent)


# --- Attestations --------------------------------------------------------------------------------------


def published(session, django_capture_on_commit_callbacks, n=2):
    inscriptions = [InscriptionFactory(session=session) for _ in range(n)]
    captures.store_photo(inscriptions[0], image_upload(size=(300, 400)))
    for i in inscriptions:
        results.record_scores(session, rows(i, CE=349, CO=398, EE=271, EO=453))
    with django_capture_on_commit_callbacks(execute=True):
        results.publish(session)
    return inscriptions


def test_publication_renders_one_attestation_per_candidate(session, django_capture_on_commit_callbacks):
    first, second = published(session, django_capture_on_commit_callbacks)
    documents = Document.objects.filter(session=session, kind=DocumentKind.ATTESTATION)
    assert documents.count() == 2
    document = documents.get(inscription=first)
    with document.fichier.open("rb") as f:
        reader = PdfReader(f)
        text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
        images = [image for page in reader.pages for image in page.images]
    for expected in (
        "Attestation de résultats",
        f"{first.candidat.nom.upper()} {first.candidat.prenom}",
        "Né(e) le 17/05/1990",
        f"session {session.numero} du 02/11/2026",
        "TEF Canada",
        "349 / 699 — NCLC 4",
        "398 / 699 — NCLC 6",
        "271 / 699 — NCLC 4",
        "453 / 699 — NCLC 6",
        "NCLC global : NCLC 4",
        "valable jusqu'au 02/11/2028",
        document.code_verification,
    ):
        assert expected in text, expected
    assert len(images) == 1  # the photo
    assert len(document.code_verification) == 14
    assert "démonstration" not in text
    assert "Équivalence ancien score" not in text  # FDA has not entered the equivalence


def pdf_text(document) -> str:
    with document.fichier.open("rb") as f:
        return " ".join(" ".join(p.extract_text() for p in PdfReader(f).pages).split())


def test_an_attestation_with_a_demo_cecrl_table_says_so_and_shows_the_equivalence(
    session, tef_canada, django_capture_on_commit_callbacks
):
    for code in ("CE", "CO", "EE", "EO"):
        cecrl = TableNiveaux.objects.create(
            produit=tef_canada, epreuve=epreuve(code), nature="cecrl", source="démo", demo=True
        )
        Seuil.objects.bulk_create(
            [Seuil(table=cecrl, score_min=0, valeur="A1"), Seuil(table=cecrl, score_min=300, valeur="B2")]
        )
    equivalence = TableNiveaux.objects.create(
        produit=tef_canada, epreuve=epreuve("CE"), nature="equivalence", source="FDA (saisie)"
    )
    Seuil.objects.create(table=equivalence, score_min=300, valeur="212")
    [first] = published(session, django_capture_on_commit_callbacks, n=1)
    text = pdf_text(Document.objects.get(inscription=first))
    assert "Niveaux de démonstration" in text
    assert "Équivalence ancien score" in text
    assert "349 / 699 B2 NCLC 4 212" in text
    assert "398 / 699 B2 NCLC 6 —" in text


def test_a_dfp_attestation_has_no_end_of_validity(centre_a, django_capture_on_commit_callbacks):
    from tarifs.models import Bareme

    dfp = Produit.objects.get(code="DFPA1")
    for code in ("CTI", "IO"):
        Bareme.objects.create(produit=dfp, epreuve=epreuve(code), score_max=100, source="FDA (saisie)")
    session = past_session(centre_a, produit=dfp, statut=SessionStatus.CORRECTION, date=dt.date(2026, 11, 2))
    inscription = InscriptionFactory(session=session)
    results.record_scores(session, rows(inscription, CTI=80, IO=70))
    with django_capture_on_commit_callbacks(execute=True):
        results.publish(session)
    text = pdf_text(Document.objects.get(inscription=inscription))
    assert "80 / 100 —" in text
    assert "valable" not in text and "NCLC" not in text


def test_a_tef_irn_attestation_before_april_2025_shows_the_overall_level(
    centre_a, django_capture_on_commit_callbacks
):
    irn = Produit.objects.get(code="TEFIRN")
    session = past_session(centre_a, produit=irn, statut=SessionStatus.CORRECTION, date=dt.date(2025, 3, 31))
    inscription = InscriptionFactory(session=session)
    results.record_scores(session, rows(inscription, CE=168, CO=201, EE=201, EO=201))
    with django_capture_on_commit_callbacks(execute=True):
        results.publish(session)
    text = pdf_text(Document.objects.get(inscription=inscription))
    assert "168 / 349" in text
    assert "Niveau global : A2" in text
    assert "valable jusqu'au 31/03/2027" in text


def test_a_tef_irn_score_from_april_2025_is_refused_until_fda_enters_the_scale(centre_a):
    irn = Produit.objects.get(code="TEFIRN")
    session = past_session(centre_a, produit=irn, statut=SessionStatus.CORRECTION, date=dt.date(2025, 4, 1))
    inscription = InscriptionFactory(session=session)
    with pytest.raises(BusinessError, match="Aucun barème de l'épreuve CE du produit TEFIRN"):
        results.record_scores(session, rows(inscription, CE=100))


def test_rendering_twice_makes_no_duplicate(session, django_capture_on_commit_callbacks):
    published(session, django_capture_on_commit_callbacks)
    assert attestations.render_attestations(session.pk) == 0
    assert Document.objects.filter(kind=DocumentKind.ATTESTATION).count() == 2


def test_no_attestation_before_publication(session):
    InscriptionFactory(session=session)
    assert attestations.render_attestations(session.pk) == 0


def test_validity_is_the_product_setting_including_29_february(centre_a, tef_canada):
    session = past_session(centre_a, produit=tef_canada, date=dt.date(2024, 2, 29))
    assert results.valid_until(session) == dt.date(2026, 2, 28)
    session.date = dt.date(2026, 6, 30)
    assert results.valid_until(session) == dt.date(2028, 6, 30)
    session.produit = Produit.objects.get(code="DFPB1")
    assert results.valid_until(session) is None


# --- Views -------------------------------------------------------------------------------------------


def test_tableau_de_resultats_export_and_zip(
    client, session, responsable, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    first, _ = published(session, django_capture_on_commit_callbacks)
    client.force_login(responsable)
    # + 4 for the session's level tables (tarifs.scales.load_book), read once per page.
    with django_assert_max_num_queries(18):
        page = client.get(reverse("sessions:resultats", args=[session.numero])).content.decode()
    assert "349 / 699" in page and "Télécharger toutes les attestations (2)" in page
    assert "NCLC global" in page and "Valable jusqu'au" in page and "02/11/2028" in page

    export = client.get(reverse("sessions:resultats_export", args=[session.numero]))
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:5] == ("N° inscription", "Nom", "Prénom", "Épreuve", "Score")
    assert values[0] == (
        "N° inscription",
        "Nom",
        "Prénom",
        "Épreuve",
        "Score",
        "Sur",
        "Niveau CECRL",
        "NCLC",
        "NCLC global",
        "Statut",
        "Valable jusqu'au",
    )
    assert (first.numero, "CE", 349, 699, None, 4, 4) in [r[0:1] + r[3:9] for r in values[1:]]

    archive = zipfile.ZipFile(
        io.BytesIO(
            b"".join(
                client.get(reverse("sessions:attestations_zip", args=[session.numero])).streaming_content
            )
        )
    )
    assert sorted(archive.namelist()) == sorted(
        d.nom for d in Document.objects.filter(session=session, kind=DocumentKind.ATTESTATION)
    )

    detail = client.get(reverse("candidats:inscription", args=[first.numero])).content.decode()
    assert "Télécharger l'attestation" in detail


def test_query_count_of_the_results_table_does_not_grow(
    client, session, responsable, django_assert_max_num_queries
):
    session.statut = SessionStatus.RESULTATS
    session.save()
    client.force_login(responsable)
    url = reverse("sessions:resultats", args=[session.numero])
    for n in (1, 15):
        for _ in range(n):
            InscriptionFactory(session=session)
        # 16 + 1 for the attestations' progress (candidats.attestations.progress, one aggregate).
        with django_assert_max_num_queries(17):
            assert client.get(url).status_code == 200


def test_results_are_not_shown_before_publication(client, session, responsable):
    client.force_login(responsable)
    page = client.get(reverse("sessions:resultats", args=[session.numero])).content.decode()
    assert "pas encore publiés" in page
    response = client.get(reverse("sessions:resultats_export", args=[session.numero]), follow=True)
    assert "pas encore publiés" in response.content.decode()


def test_another_centre_gets_404(client, session, centre_b, django_capture_on_commit_callbacks):
    first, _ = published(session, django_capture_on_commit_callbacks)
    client.force_login(MembershipFactory(centre=centre_b).user)
    for name in ("sessions:resultats", "sessions:resultats_export", "sessions:attestations_zip"):
        assert client.get(reverse(name, args=[session.numero])).status_code == 404
    document = Document.objects.get(inscription=first)
    assert client.get(reverse("sessions:document", args=[session.numero, document.pk])).status_code == 404


def test_admin_results_page_enters_imports_and_publishes(
    client, session, fda_agent, django_capture_on_commit_callbacks
):
    inscription = InscriptionFactory(session=session)
    admin_force_login(client, fda_agent)
    url = reverse("admin:sessions_app_session_resultats", args=[session.pk])
    assert f"score-{inscription.numero}-CE" in client.get(url).content.decode()
    response = client.post(
        url, {f"score-{inscription.numero}-CE": "349", f"score-{inscription.numero}-CO": "abc"}, follow=True
    )
    assert "« abc » n&#x27;est pas un score entier" in response.content.decode()
    assert not Resultat.objects.exists()
    client.post(url, {f"score-{inscription.numero}-{c}": "300" for c in ("CE", "CO", "EE", "EO")})
    assert Resultat.objects.count() == 4
    template = client.get(reverse("admin:sessions_app_session_resultats_modele", args=[session.pk]))
    assert list(load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))[1][:2] == (
        inscription.numero,
        "CE",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"publier": "1"}, follow=True)
    assert "publiés" in response.content.decode()
    session.refresh_from_db()
    assert session.statut == SessionStatus.RESULTATS
    assert Document.objects.filter(inscription=inscription, kind=DocumentKind.ATTESTATION).exists()


def test_the_service_pedagogique_puts_an_eo_subject_online_from_a_date(
    client, centre_a, responsable, fda_agent
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    session = past_session(centre_a, statut=SessionStatus.CLOSE)
    admin_force_login(client, fda_agent)
    add = reverse("admin:sessions_app_document_add")
    bad = client.post(
        add,
        {
            "kind": "sujet_eo",
            "session": session.pk,
            "fichier": SimpleUploadedFile(
                "sujet.pdf", b"<html>not a pdf</html>", content_type="application/pdf"
            ),
        },
    )
    assert "ne correspond pas à son extension" in bad.content.decode()
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    client.post(
        add,
        {
            "kind": "sujet_eo",
            "session": session.pk,
            "visible_from_0": tomorrow,
            "visible_from_1": "08:00:00",
            "fichier": SimpleUploadedFile(
                "Sujet EO n°3.pdf", b"%PDF-1.4 sujet", content_type="application/pdf"
            ),
        },
    )
    document = Document.objects.get(kind=DocumentKind.SUJET_EO)
    assert (document.centre, document.session, document.nom, document.uploaded_by) == (
        centre_a,
        session,
        "Sujet_EO_n3.pdf",
        fda_agent,
    )
    from django.test import Client

    centre = Client()
    centre.force_login(responsable)
    assert (
        "Sujet_EO_n3.pdf"
        not in centre.get(reverse("sessions:documents", args=[session.numero])).content.decode()
    )
