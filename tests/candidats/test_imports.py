"""Import files made from the session's own template and filled in as a user would, and broken ones:
each gets a clear report (row, column, reason in French) and nothing is written unless every row is
right."""

import datetime as dt
import gc
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from candidats.excel_template import FIRST_ROW, build_template
from candidats.models import Candidat, ImportJob, Inscription, InscriptionSource
from tests.factories import CandidatFactory, InscriptionFactory, SessionFactory, epreuve

ROW = [
    "Dupont",
    "Marcel",
    "01/01/1965",
    "H",
    "ARA_arabe",
    "mdaupint@dd.fr",
    "DZ_Algérie",
    "C_Citoyenneté canadienne",
    "123456",
]


def filled_template(session, rows, *, defaults=None, test_type=None) -> bytes:
    """The session's template, downloaded and filled in with openpyxl as a user would."""
    _, _, content = build_template(session)
    wb = load_workbook(io.BytesIO(content))
    ws = wb["Candidats"]
    if test_type:
        ws["C4"] = test_type
    for col, value in (defaults or {}).items():
        ws[f"{col}5"] = value
    for offset, row in enumerate(rows):
        for col, value in enumerate(row, start=1):
            ws.cell(row=FIRST_ROW + offset, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, session, content, name="candidats.xlsx"):
    """The upload, and the validation task it queues (run as the worker would, once the request commits)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("candidats:import", args=[session.numero]), {"fichier": SimpleUploadedFile(name, content)}
        )
    return client.get(response.url) if response.status_code == 302 else response


def report(response) -> list[tuple]:
    job = response.context["job"]
    return [(e["ligne"], e["colonne"], e["message"]) for e in job.rapport.get("errors", [])]


def test_the_template_has_the_guides_layout_and_dropdowns(session_canada):
    _, mimetype, content = build_template(session_canada)
    wb = load_workbook(io.BytesIO(content))
    ws = wb["Candidats"]
    assert ws["A4"].value == "INDIQUEZ LE TYPE DE TEST" and ws["C4"].value == "TEF Canada"
    assert ws["E4"].value == "Indiquez une valeur par défaut"
    headers = [c.value for c in ws[6]]
    assert headers[:9] == [
        "Nom",
        "Prénom",
        "Date de naissance",
        "Genre F (femme) H (homme) N (non binaire)",
        "Langue maternelle",
        "email",
        "Nationalité",
        "Motivation",
        "numéro Pièce d'identité",
    ]
    assert headers[9] == "Compréhension écrite CE Inscription O (oui) N (non)"
    assert len(headers) == 13
    listes = wb["Listes"]
    assert listes.sheet_state == "hidden"
    values = {c.value for col in listes.iter_cols(min_row=2) for c in col}
    assert {"ARA_arabe", "DZ_Algérie", "C_Citoyenneté canadienne", "F", "H", "N", "O"} <= values
    formulas = sorted(dv.formula1 for dv in ws.data_validations.dataValidation)
    assert any(f.startswith("Listes!$B$2") or f.startswith("=Listes!$B$2") for f in formulas)


def test_a_file_filled_as_a_user_would_is_previewed_then_imported(logged, session_canada):
    rows = [
        ROW + ["O", "O", "O", "O"],
        [
            "Lefèvre",
            "Éloïse",
            dt.datetime(1990, 3, 12),
            "F",
            "",
            "e@x.fr",
            "",
            "I_Immigration Canada",
            "X1",
            "O",
            "O",
            "O",
            "O",
        ],
        [
            "Nguyễn",
            "Thảo",
            "5/7/2001",
            "N",
            "VIE_vietnamien",
            "",
            "VN_Viêt Nam",
            "A_Académique (études)",
            "",
            "N",
            "O",
            "N",
            "O",
        ],
    ]
    content = filled_template(session_canada, rows, defaults={"E": "FRA_français", "G": "FR_France"})
    response = upload(logged, session_canada, content)
    assert report(response) == []
    assert "3 candidats prêts à être inscrits" in response.content.decode()
    assert Inscription.objects.count() == 0  # preview only
    job = response.context["job"]
    response = logged.post(
        reverse("candidats:import_confirm", args=[session_canada.numero, job.pk]), follow=True
    )
    assert "3 candidats inscrits" in response.content.decode()
    eloise = Candidat.objects.get(prenom="Éloïse")
    assert (eloise.date_naissance, eloise.langue_maternelle, eloise.nationalite.code) == (
        dt.date(1990, 3, 12),
        "fra",
        "FR",  # the default values of row 5
    )
    thao = Candidat.objects.get(nom="Nguyễn")
    assert thao.date_naissance == dt.date(2001, 7, 5) and thao.langue_maternelle == "vie"
    assert sorted(ie.epreuve.code for ie in thao.inscriptions.get().epreuves.all()) == ["CO", "EO"]
    assert set(Inscription.objects.values_list("source", flat=True)) == {InscriptionSource.IMPORT}
    job.refresh_from_db()
    assert job.statut == ImportJob.Statut.TERMINE


def test_every_bad_row_is_reported_by_row_column_and_reason_and_nothing_is_written(logged, session_canada):
    rows = [
        ROW + ["O", "O", "O", "O"],
        ["", "Sans", "01/01/1980", "F", "ARA_arabe", "", "DZ_Algérie", "A_x", "", "O", "", "", ""],
        ["Futur", "Né", "01/01/2999", "F", "ARA_arabe", "", "DZ_Algérie", "A_x", "", "O", "", "", ""],
        [
            "Code",
            "Inconnu",
            "01/01/1980",
            "Z",
            "XXX_martien",
            "",
            "ZZ_Nulle part",
            "Q_x",
            "",
            "O",
            "",
            "",
            "",
        ],
        [
            '=HYPERLINK("http://x")',
            "Formule",
            "01/01/1980",
            "F",
            "ARA_arabe",
            "",
            "DZ_Algérie",
            "A_x",
            "",
            "O",
            "",
            "",
            "",
        ],
        [
            "Date",
            "Fausse",
            "31/02/1990",
            "F",
            "ARA_arabe",
            "",
            "DZ_Algérie",
            "A_x",
            "",
            "peut-être",
            "",
            "",
            "",
        ],
        [
            "Aucune",
            "Épreuve",
            "01/01/1980",
            "F",
            "ARA_arabe",
            "",
            "DZ_Algérie",
            "A_x",
            "",
            "N",
            "N",
            "N",
            "N",
        ],
        ["DUPONT", "marcel", "01/01/1965", "H", "ARA_arabe", "", "DZ_Algérie", "A_x", "", "O", "", "", ""],
    ]
    response = upload(logged, session_canada, filled_template(session_canada, rows))
    errors = report(response)
    assert (8, "Nom", "« Nom » est obligatoire.") in errors
    assert (9, "Date de naissance", "La date de naissance est dans le futur.") in errors
    assert (10, "Genre", "Code inconnu « Z » : F (femme), H (homme) ou N (non binaire).") in errors
    assert (
        10,
        "Langue maternelle",
        "Code inconnu « XXX_martien » : langue inconnue (choisissez dans la liste, ex. ARA_arabe).",
    ) in errors
    assert any(e[:2] == (10, "Nationalité") for e in errors)
    assert (
        11,
        "Nom",
        'Formule ou valeur interdite « =HYPERLINK("http://x") » : saisissez une valeur, pas une formule.',
    ) in errors
    assert (12, "Date de naissance", "Date invalide « 31/02/1990 » : format attendu JJ/MM/AAAA.") in errors
    assert (12, "CE", "Valeur « peut-être » invalide : O (oui) ou N (non).") in errors
    assert (13, "Épreuves", "Choisissez au moins une épreuve.") in errors
    assert (14, "Nom", "Candidat en double dans le fichier (même personne qu'à la ligne 7).") in errors
    page = response.content.decode()
    assert (
        "aucune inscription n&#x27;a été enregistrée" in page
        or "aucune inscription n'a été enregistrée" in page
    )
    assert "Confirmer l'import" not in page
    assert Inscription.objects.count() == 0 and Candidat.objects.count() == 0


def test_a_candidate_already_enrolled_and_an_epreuve_outside_the_product(logged, session_canada):
    candidat = CandidatFactory(
        centre=session_canada.centre, nom="DUPONT", prenom="Marcel", date_naissance=dt.date(1965, 1, 1)
    )
    InscriptionFactory(session=session_canada, candidat=candidat)
    content = filled_template(session_canada, [ROW + ["O", "O", "O", "O"]])
    errors = report(upload(logged, session_canada, content))
    assert errors[0][0] == 7 and "déjà inscrit(e) à cette session" in errors[0][2]
    csv = (
        "Nom;Prénom;Date de naissance;Genre;Langue maternelle;Nationalité;Motivation;CE Inscription;LS Inscription\n"
        "Petit;Anne;01/01/1980;F;ARA;DZ;A;O;O\n"
    )
    epreuve("LS")  # in FDA's catalogue (TEF), not in TEF Canada
    errors = report(upload(logged, session_canada, csv.encode(), name="c.csv"))
    assert errors == [(2, "LS", "L'épreuve LS n'appartient pas au produit TEF Canada.")]


def test_more_rows_than_places_is_refused_as_a_whole(logged, centre_a, tef_canada):
    session = SessionFactory(centre=centre_a, produit=tef_canada, nb_places=2)
    rows = [
        [f"Nom{i}", "Anne", "01/01/1980", "F", "ARA_arabe", "", "DZ_Algérie", "A_x", "", "O"]
        for i in range(3)
    ]
    errors = report(upload(logged, session, filled_template(session, rows)))
    assert errors == [(0, "", "Places insuffisantes : il reste 2 places dans la session pour 3 candidats.")]
    assert Inscription.objects.count() == 0


def test_a_csv_in_windows_1252_with_semicolons_and_one_in_utf8_bom_with_commas(logged, session_irn):
    header = "Nom;Prénom;Date de naissance;Genre;Langue maternelle;email;Nationalité;Motivation;numéro Pièce d'identité\r\n"
    line = "Bérénice;Gaëlle;03/04/1988;F;FRA_français;b@x.fr;FR_France;C_Citoyenneté canadienne;A1\r\n"
    response = upload(logged, session_irn, (header + line).encode("cp1252"), name="candidats.csv")
    assert report(response) == []
    assert response.context["job"].rapport["apercu"][0]["nom"] == "Bérénice"
    comma = (header + line).replace(";", ",").replace("Bérénice", "Zoé")
    response = upload(logged, session_irn, ("\ufeff" + comma).encode("utf-8"), name="candidats2.csv")
    assert report(response) == []
    assert response.context["job"].rapport["apercu"][0]["nom"] == "Zoé"


@pytest.mark.parametrize(
    "name, content, message",
    [
        (
            "candidats.xlsx",
            b"Ceci n'est pas un classeur",
            "Ce fichier n'est pas un classeur Excel (.xlsx) valide.",
        ),
        ("candidats.pdf", b"%PDF-1.4", "Format non reconnu"),
        ("candidats.csv", b"", "Le fichier soumis est vide."),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused_at_upload(
    logged, session_canada, name, content, message
):
    response = upload(logged, session_canada, content, name=name)
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not ImportJob.objects.exists()


def test_an_empty_template_and_missing_columns_get_a_clear_report(logged, session_canada):
    response = upload(logged, session_canada, filled_template(session_canada, []))
    assert response.context["job"].rapport["fichier"] == (
        "Le fichier ne contient aucun candidat (aucune ligne remplie sous l'en-tête)."
    )
    csv = "Nom;Prénom;Genre\nDupont;Marcel;H\n".encode()
    response = upload(logged, session_canada, csv, name="c.csv")
    assert response.context["job"].rapport["fichier"] == (
        "Colonnes manquantes : Date de naissance, Langue maternelle, Nationalité, Motivation, "
        "colonnes des épreuves (O/N)."
    )
    assert Inscription.objects.count() == 0


def test_a_file_for_another_test_type_is_reported(logged, session_canada):
    content = filled_template(session_canada, [ROW + ["O", "O", "O", "O"]], test_type="DFP Affaires A1")
    errors = report(upload(logged, session_canada, content))
    assert errors[0][1:] == (
        "Type de test",
        "Le type de test du fichier (« DFP Affaires A1 ») n'est pas celui de la session (TEF Canada).",
    )


def test_places_taken_between_preview_and_confirmation_write_nothing(logged, centre_a, tef_canada):
    session = SessionFactory(centre=centre_a, produit=tef_canada, nb_places=2)
    rows = [
        [f"Nom{i}", "Anne", "01/01/1980", "F", "ARA_arabe", "", "DZ_Algérie", "A_x", "", "O"]
        for i in range(2)
    ]
    job = upload(logged, session, filled_template(session, rows)).context["job"]
    InscriptionFactory(session=session)  # a colleague enrols someone meanwhile
    response = logged.post(reverse("candidats:import_confirm", args=[session.numero, job.pk]), follow=True)
    assert (
        "Places insuffisantes : il reste 1 place dans la session pour 2 candidats."
        in response.content.decode()
    )
    assert Inscription.objects.filter(session=session).count() == 1


def test_a_job_cannot_be_confirmed_twice(logged, session_canada):
    job = upload(
        logged, session_canada, filled_template(session_canada, [ROW + ["O", "O", "O", "O"]])
    ).context["job"]
    url = reverse("candidats:import_confirm", args=[session_canada.numero, job.pk])
    logged.post(url)
    response = logged.post(url, follow=True)
    assert "ne peut pas être confirmé" in response.content.decode()
    assert Inscription.objects.count() == 1
    # Each status change once in the job's history (progress updates are not status changes).
    J = ImportJob.Statut
    assert list(job.historique.values_list("from_status", "to_status")) == [
        ("", J.EN_ATTENTE),
        (J.EN_ATTENTE, J.EN_COURS),
        (J.EN_COURS, J.A_CONFIRMER),
        (J.A_CONFIRMER, J.EN_COURS),
        (J.EN_COURS, J.TERMINE),
    ]


def test_5000_rows_run_in_the_background_task_and_all_are_enrolled(
    logged, centre_a, irn, django_capture_on_commit_callbacks
):
    session = SessionFactory(centre=centre_a, produit=irn, nb_places=5000)
    rows = [
        [f"Nom{i}", "Anne", "01/01/1980", "F", "ARA_arabe", "", "DZ_Algérie", "C_x", ""] for i in range(5000)
    ]
    content = filled_template(session, rows)
    with django_capture_on_commit_callbacks(execute=True):
        response = logged.post(
            reverse("candidats:import", args=[session.numero]),
            {"fichier": SimpleUploadedFile("gros.xlsx", content)},
        )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("candidats:import_job", args=[session.numero, job.pk])
    job.refresh_from_db()
    assert job.statut == ImportJob.Statut.A_CONFIRMER and job.lignes_traitees == 5000
    with django_capture_on_commit_callbacks(execute=True):
        logged.post(reverse("candidats:import_confirm", args=[session.numero, job.pk]))
    job.refresh_from_db()
    assert job.statut == ImportJob.Statut.TERMINE
    assert Inscription.objects.filter(session=session).count() == 5000
    assert gc.isenabled()  # paused for the batch only (core.bulk.collector_paused)


def test_5001_rows_are_refused_with_the_limit_named(
    logged, centre_a, irn, django_capture_on_commit_callbacks
):
    session = SessionFactory(centre=centre_a, produit=irn, nb_places=6000)
    header = "Nom;Prénom;Date de naissance;Genre;Langue maternelle;email;Nationalité;Motivation\n"
    body = "".join(f"Nom{i};Anne;01/01/1980;F;ARA;;DZ;C\n" for i in range(5001))
    with django_capture_on_commit_callbacks(execute=True):
        upload(logged, session, (header + body).encode(), name="trop.csv")
    assert ImportJob.objects.get().rapport["fichier"] == (
        "Le fichier contient plus de 5\u202f000 lignes de candidats : découpez-le en plusieurs fichiers."
    )
    assert Inscription.objects.count() == 0


def test_another_centres_import_job_is_not_found(client, responsable_b, session_canada, responsable):
    client.force_login(responsable)
    job = upload(
        client, session_canada, filled_template(session_canada, [ROW + ["O", "O", "O", "O"]])
    ).context["job"]
    client.force_login(responsable_b)
    assert (
        client.get(reverse("candidats:import_job", args=[session_canada.numero, job.pk])).status_code == 404
    )


def test_a_file_for_a_closed_session_is_refused(logged, centre_a, tef_canada):
    from sessions_app.models import SessionStatus

    session = SessionFactory(centre=centre_a, produit=tef_canada)
    content = filled_template(session, [ROW + ["O", "O", "O", "O"]])
    session.statut = SessionStatus.CLOSE
    session.save()
    errors = report(upload(logged, session, content))
    assert errors[-1][0] == 0 and "n'accepte plus d'inscription" in errors[-1][2]
    assert Inscription.objects.count() == 0


def test_the_page_of_a_running_import_shows_its_progress_and_refreshes(logged, session_canada):
    job = ImportJob.objects.create(
        centre=session_canada.centre,
        session=session_canada,
        fichier="imports/x.xlsx",
        nom_fichier="gros.xlsx",
        statut=ImportJob.Statut.EN_COURS,
        lignes_total=1000,
        lignes_traitees=250,
        rapport={"phase": "validation"},
    )
    page = logged.get(reverse("candidats:import_job", args=[session_canada.numero, job.pk])).content.decode()
    assert "Vérification du fichier en cours… 250 lignes sur 1000 (25 %)." in page
    assert 'data-refresh="2"' in page and "js/refresh.js" in page


def test_a_file_over_the_size_limit_is_refused(logged, session_canada, settings):
    settings.MAX_UPLOAD_SIZE = 1024
    response = upload(logged, session_canada, b"Nom;Prenom\n" + b"x" * 2048, name="gros.csv")
    assert "Le fichier dépasse la taille maximale de 1,0\xa0Kio." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_zip_that_is_not_a_workbook_gets_a_clear_report(logged, session_canada):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    response = upload(logged, session_canada, buffer.getvalue(), name="lettre.xlsx")
    assert (
        response.context["job"].rapport["fichier"]
        == "Ce fichier n'est pas un classeur Excel (.xlsx) lisible."
    )
    assert Inscription.objects.count() == 0


def test_an_unexpected_error_leaves_a_failed_job_and_nothing_written(logged, session_canada, monkeypatch):
    from candidats import services

    job = upload(
        logged, session_canada, filled_template(session_canada, [ROW + ["O", "O", "O", "O"]])
    ).context["job"]

    def boom(**kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(services, "enrol_many", boom)
    response = logged.post(
        reverse("candidats:import_confirm", args=[session_canada.numero, job.pk]), follow=True
    )
    assert "L&#x27;import a échoué sur une erreur inattendue" in response.content.decode()
    job.refresh_from_db()
    assert job.statut == ImportJob.Statut.ECHEC
    assert Inscription.objects.count() == 0
    assert gc.isenabled()  # the worker's collector is back on after a failed batch
