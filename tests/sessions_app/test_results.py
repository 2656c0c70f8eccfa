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
from tarifs.models import Bareme, SeuilNiveau
from tarifs.scales import level_for
from tests.admin_auth import admin_force_login
from tests.factories import (
    InscriptionFactory,
    MembershipFactory,
    ProduitFactory,
    epreuve,
    image_upload,
    past_session,
)

pytestmark = pytest.mark.django_db

CECRL = [(0, "< A1"), (100, "A1"), (181, "A2"), (271, "B1"), (349, "B2"), (398, "C1"), (453, "C2")]
NCLC = [
    (40, 1),
    (100, 2),
    (181, 3),
    (226, 4),
    (271, 5),
    (310, 6),
    (349, 7),
    (371, 8),
    (398, 9),
    (426, 10),
    (453, 11),
    (500, 12),
]
OLD_CE = [(0, "< A1"), (43, "A1"), (78, "A2"), (116, "B1"), (150, "B2"), (171, "C1"), (194, "C2")]
CHANGE = dt.date(2023, 12, 1)


def scale(produit, code, date_effet, score_max, cecrl, nclc=()):
    bareme = Bareme.objects.create(
        produit=produit, epreuve=epreuve(code), date_effet=date_effet, score_max=score_max
    )
    points = sorted({s for s, _ in cecrl} | {s for s, _ in nclc})
    for point in points:
        SeuilNiveau.objects.create(
            bareme=bareme,
            score_min=point,
            niveau_cecrl=next(n for s, n in reversed(cecrl) if s <= point),
            nclc=next((n for s, n in reversed(nclc) if s <= point), None),
        )
    return bareme


@pytest.fixture
def tef_canada():
    produit = ProduitFactory(nom="TEF Canada", codes_epreuves=["CE", "CO", "EE", "EO"])
    for code in ("CE", "CO", "EE", "EO"):
        scale(produit, code, dt.date(2000, 1, 1), 300 if code == "CE" else 450, OLD_CE)
        scale(produit, code, CHANGE, 699, CECRL, NCLC)
    return produit


def boundaries(thresholds):
    """(score, expected level) at every threshold and one point below it."""
    cases = []
    for index, (score, level) in enumerate(thresholds):
        cases.append((score, level))
        if index:
            cases.append((score - 1, thresholds[index - 1][1]))
    return cases


@pytest.mark.parametrize("score, level", boundaries(CECRL))
def test_cecrl_levels_at_every_boundary(tef_canada, score, level):
    assert level_for(tef_canada, epreuve("CO"), dt.date(2026, 3, 1), score)[0] == level


@pytest.mark.parametrize("score, nclc", boundaries(NCLC) + [(39, None), (699, 12)])
def test_nclc_levels_at_every_boundary(tef_canada, score, nclc):
    assert level_for(tef_canada, epreuve("CE"), dt.date(2026, 3, 1), score)[1] == nclc


@pytest.mark.parametrize("score, level", boundaries(OLD_CE))
def test_a_session_before_the_scale_change_uses_the_old_scale(tef_canada, score, level):
    cecrl, nclc, score_max = level_for(tef_canada, epreuve("CE"), CHANGE - dt.timedelta(days=1), score)
    assert (cecrl, nclc, score_max) == (level, None, 300)


def test_the_day_of_the_change_uses_the_new_scale(tef_canada):
    assert level_for(tef_canada, epreuve("CE"), CHANGE, 194) == ("A2", 3, 699)


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
    assert results.record_scores(session, rows(inscription, CE=349, CO=348)) == 2
    levels = {r.epreuve.code: (r.score, r.niveau_cecrl, r.nclc, r.score_max) for r in Resultat.objects.all()}
    assert levels == {"CE": (349, "B2", 7, 699), "CO": (348, "B1", 6, 699)}


def test_an_old_session_is_scored_on_the_old_scale(centre_a, tef_canada):
    old = past_session(
        centre_a, produit=tef_canada, statut=SessionStatus.CORRECTION, date=dt.date(2023, 11, 30)
    )
    inscription = InscriptionFactory(session=old)
    results.record_scores(old, rows(inscription, CE=194))
    assert Resultat.objects.get().niveau_cecrl == "C2"
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
    assert "test CO : le score 700 doit être compris entre 0 et 699" in error.value.message
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
    assert Resultat.objects.get(epreuve__code="EO").nclc == 12


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
        "349 / 699 B2 NCLC 7",
        "453 / 699 C2 NCLC 11",
        "valable jusqu'au 02/11/2028",
        document.code_verification,
    ):
        assert expected in text, expected
    assert len(images) == 1  # the photo
    assert len(document.code_verification) == 14


def test_rendering_twice_makes_no_duplicate(session, django_capture_on_commit_callbacks):
    published(session, django_capture_on_commit_callbacks)
    assert attestations.render_attestations(session.pk) == 0
    assert Document.objects.filter(kind=DocumentKind.ATTESTATION).count() == 2


def test_no_attestation_before_publication(session):
    InscriptionFactory(session=session)
    assert attestations.render_attestations(session.pk) == 0


def test_validity_is_two_years_including_29_february():
    assert attestations.valid_until(dt.date(2024, 2, 29)) == dt.date(2026, 2, 28)
    assert attestations.valid_until(dt.date(2026, 6, 30)) == dt.date(2028, 6, 30)


# --- Views -------------------------------------------------------------------------------------------


def test_tableau_de_resultats_export_and_zip(
    client, session, responsable, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    first, _ = published(session, django_capture_on_commit_callbacks)
    client.force_login(responsable)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("sessions:resultats", args=[session.numero])).content.decode()
    assert "349 / 699" in page and "Télécharger toutes les attestations (2)" in page

    export = client.get(reverse("sessions:resultats_export", args=[session.numero]))
    sheet = load_workbook(io.BytesIO(export.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:5] == ("N° inscription", "Nom", "Prénom", "Épreuve", "Score")
    assert (first.numero, "CE", 349, 699, "B2", 7) in [
        (r[0], r[3], r[4], r[5], r[6], r[7]) for r in values[1:]
    ]

    archive = zipfile.ZipFile(
        io.BytesIO(client.get(reverse("sessions:attestations_zip", args=[session.numero])).content)
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
        with django_assert_max_num_queries(12):
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
