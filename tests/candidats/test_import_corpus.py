"""A corpus of import files made the way centres make them (openpyxl and csv here, as Excel, LibreOffice and
copy-paste from web pages produce them), each with its expected outcome: accepted with exactly the right rows
and values (the stored values are asserted), or refused with its French message and NOTHING written.

Every file goes through the real page: upload, the validation task (run as the worker would), the report."""

import codecs
import csv
import datetime as dt
import io
import time
import zipfile
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill

from candidats import imports
from candidats.models import Candidat, ImportJob, Inscription
from tests.factories import CandidatFactory, InscriptionFactory, SessionFactory

from .test_imports import upload

HEAD = [
    "Nom",
    "Prénom",
    "Date de naissance",
    "Genre",
    "Langue maternelle",
    "email",
    "Nationalité",
    "Motivation",
    "numéro Pièce d'identité",
    "CE",
    "CO",
    "EE",
    "EO",
]
# Motivation C (citoyenneté) requires CO and EO: 45 + 55 = 100 €; all four épreuves: 190 €.
PERSON = ["Dupont", "Marcel", "01/01/1965", "H", "ARA_arabe", "m@d.fr", "DZ_Algérie", "C", "123456"]
CO_EO = ["N", "O", "N", "O"]


@pytest.fixture
def staff(client, responsable):
    client.force_login(responsable)
    return client


def xlsx(rows, *, first_row=1, merge=(), hidden=(), numeric=None, empty_formatted=0) -> bytes:
    """A workbook as a centre makes one: `rows` from `first_row`; `merge` ranges; `hidden` row numbers;
    `numeric` {(row, col): number} typed as numbers; `empty_formatted` formatted empty rows below."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Feuil1"
    for offset, row in enumerate(rows):
        for col, value in enumerate(row, start=1):
            ws.cell(row=first_row + offset, column=col, value=value)
    for (row, col), number in (numeric or {}).items():
        ws.cell(row=row, column=col, value=number)
    for ref in merge:
        ws.merge_cells(ref)
    for number in hidden:
        ws.row_dimensions[number].hidden = True
    fill = PatternFill("solid", fgColor="DDEBF7")
    last = first_row + len(rows)
    for row in range(last, last + empty_formatted):
        for col in range(1, len(HEAD) + 1):
            ws.cell(row=row, column=col).fill = fill
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows, *, encoding="utf-8", delimiter=";", bom=b"") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return bom + out.getvalue().encode(encoding)


def job_of(response) -> ImportJob:
    return response.context["job"]


def errors_of(response) -> list[tuple]:
    return [(e["ligne"], e["colonne"], e["message"]) for e in job_of(response).rapport.get("errors", [])]


def confirm(staff, session, job, *, warnings=False):
    data = {"confirmer": "on"} if warnings else {}
    return staff.post(reverse("candidats:import_confirm", args=[session.numero, job.pk]), data, follow=True)


def imported(staff, session, content, name="candidats.xlsx", *, warnings=False):
    """Upload, expect "à confirmer", confirm: the enrolments written, in row order."""
    response = upload(staff, session, content, name)
    job = job_of(response)
    assert job.statut == ImportJob.Statut.A_CONFIRMER, job.rapport
    assert bool(job.rapport["warnings"]) == warnings, job.rapport["warnings"]
    confirm(staff, session, job, warnings=warnings)
    job.refresh_from_db()
    assert job.statut == ImportJob.Statut.TERMINE, job.rapport
    return list(Inscription.objects.filter(session=session).select_related("candidat").order_by("numero"))


def refused(staff, session, content, name="candidats.xlsx") -> ImportJob:
    job = job_of(upload(staff, session, content, name))
    assert job.statut == ImportJob.Statut.ERREURS, job.rapport
    assert not Candidat.objects.exists() and not Inscription.objects.exists()
    return job


def codes(inscription) -> set[str]:
    return {e.epreuve.code for e in inscription.epreuves.select_related("epreuve")}


# --- 1. Headers ---------------------------------------------------------------------------------------------


def test_extra_columns_a_centre_adds_are_ignored_and_listed_never_read_as_real_fields(staff, session_canada):
    """Each extra column once silently replaced a real field (the right-most loose match won): the CE
    épreuve (« ce » candidat), the mother tongue, the ID number, the first name."""
    head = HEAD[:2] + ["Prénom d'usage"] + HEAD[2:5] + ["Langue de l'examen"] + HEAD[5:9] + ["Type de pièce"]
    head += HEAD[9:] + ["Remarque sur ce candidat"]
    row = PERSON[:2] + ["Mimi"] + PERSON[2:5] + ["FRA_français"] + PERSON[5:9] + ["Passeport"] + CO_EO + ["O"]
    response = upload(staff, session_canada, xlsx([head, row]))
    job = job_of(response)
    assert job.rapport["ignorees"] == [
        "C « Prénom d'usage »",
        "G « Langue de l'examen »",
        "L « Type de pièce »",
        "Q « Remarque sur ce candidat »",
    ]
    assert "Colonnes non reconnues, ignorées" in response.content.decode()
    confirm(staff, session_canada, job)
    (inscription,) = Inscription.objects.filter(session=session_canada).select_related("candidat")
    c = inscription.candidat
    assert (c.prenom, c.langue_maternelle, c.numero_piece_identite) == ("Marcel", "ara", "123456")
    assert codes(inscription) == {"CO", "EO"} and inscription.prix_total == Decimal("100.00")


@pytest.mark.parametrize("header", ["Mail", "Courriel", "E-mail", "ADRESSE E-MAIL", " e‑mail "])
def test_email_synonyms_are_read(staff, session_canada, header):
    head = [h if h != "email" else header for h in HEAD]
    (inscription,) = imported(staff, session_canada, xlsx([head, PERSON + CO_EO]))
    assert inscription.candidat.email == "m@d.fr"


def test_headers_match_whatever_their_case_accents_spaces_and_punctuation(staff, session_canada):
    head = [
        "NOM :",
        "prenom",
        "  Date  DE naissance ",
        "GENRE",
        "langue-maternelle",
        "Courriel",
        "NATIONALITE",
    ]
    head += ["Motivation.", "N° pièce d'identité", "ce", "Compréhension orale", "EE Inscription", "eo"]
    (inscription,) = imported(staff, session_canada, xlsx([head, PERSON + CO_EO]))
    c = inscription.candidat
    assert (c.nom, c.prenom, c.date_naissance, c.email, c.numero_piece_identite) == (
        "Dupont",
        "Marcel",
        dt.date(1965, 1, 1),
        "m@d.fr",
        "123456",
    )
    assert codes(inscription) == {"CO", "EO"}


def test_two_columns_for_one_field_refuse_the_file_naming_both_letters(staff, session_canada):
    head = HEAD + ["Courriel"]
    job = refused(staff, session_canada, xlsx([head, PERSON + CO_EO + ["autre@d.fr"]]))
    assert job.rapport["fichier"] == (
        "Colonnes en double : les colonnes F et N sont toutes deux la colonne « E-mail » (« email », « Courriel »)."
        " Supprimez ou renommez l'une d'elles, puis importez de nouveau le fichier."
    )


def test_the_header_may_sit_on_row_3_under_a_title(staff, session_canada):
    content = xlsx([["Inscriptions de mars"], [], HEAD, PERSON + CO_EO])
    response = upload(staff, session_canada, content)
    assert job_of(response).rapport["apercu"][0]["ligne"] == 4
    confirm(staff, session_canada, job_of(response))
    assert Inscription.objects.filter(session=session_canada, candidat__nom="Dupont").count() == 1


def test_a_header_below_the_first_ten_rows_is_not_found(staff, session_canada):
    job = refused(staff, session_canada, xlsx([HEAD, PERSON + CO_EO], first_row=11))
    assert job.rapport["fichier"].startswith("Colonnes introuvables : la ligne d'en-tête")


# --- 2. Invisible characters and the duplicate check ---------------------------------------------------------


def test_invisible_characters_pasted_into_names_are_removed_before_storing(staff, session_canada):
    rows = [
        HEAD,
        [
            "Du\u200bpont",
            "Mar\u00adcel",
            "01/01/1965",
            "H",
            "ARA_arabe",
            "m@d.fr\u200b",
            "DZ",
            "C",
            "12\u00a03456",
        ]
        + CO_EO,
        ["\ufeffLefèvre", "Anai\u0308s", "02/02/1990", "F", "ARA", "", "DZ", "C", "X\u2060"] + CO_EO,
        ["\u202eGarcía\u202c", "José   Luis", "03/03/1991", "H", "ARA", "", "DZ", "C", ""] + CO_EO,
    ]
    stored = [
        (i.candidat.nom, i.candidat.prenom, i.candidat.email, i.candidat.numero_piece_identite)
        for i in imported(staff, session_canada, xlsx(rows))
    ]
    assert stored == [
        ("Dupont", "Marcel", "m@d.fr", "12 3456"),
        ("Lefèvre", "Anaïs", "", "X"),
        ("García", "José Luis", "", ""),
    ]


def test_the_same_person_twice_in_one_file_is_caught_through_invisible_characters_case_and_accents(
    staff, session_canada
):
    rows = [HEAD, PERSON + CO_EO]
    for nom in ("DU\u200bPONT", "Dupont\u00ad", "\ufeffdupônt"):
        rows.append([nom, "MARCEL"] + PERSON[2:] + CO_EO)
    job = refused(staff, session_canada, xlsx(rows))
    doubles = [(e["ligne"], e["message"]) for e in job.rapport["errors"]]
    assert doubles == [
        (n, "Candidat en double dans le fichier (même personne qu'à la ligne 2).") for n in (3, 4, 5)
    ]


def test_a_person_already_enrolled_is_caught_through_a_soft_hyphen(staff, session_canada):
    candidat = CandidatFactory(
        centre=session_canada.centre, nom="Dupont", prenom="Marcel", date_naissance=dt.date(1965, 1, 1)
    )
    InscriptionFactory(session=session_canada, candidat=candidat)
    job = job_of(
        upload(staff, session_canada, xlsx([HEAD, ["Du\u00adpont", "Marcel\u200b"] + PERSON[2:] + CO_EO]))
    )
    assert job.statut == ImportJob.Statut.ERREURS
    assert "est déjà inscrit(e) à cette session" in job.rapport["errors"][0]["message"]
    assert Inscription.objects.filter(session=session_canada).count() == 1


# --- 3. Dates and ages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content",
    [
        ("texte.csv", csv_bytes([HEAD, PERSON[:2] + ["1965"] + PERSON[3:] + CO_EO])),
        ("texte.xlsx", xlsx([HEAD, PERSON[:2] + ["1965"] + PERSON[3:] + CO_EO])),
        ("nombre.xlsx", xlsx([HEAD, PERSON[:2] + [None] + PERSON[3:] + CO_EO], numeric={(2, 3): 1965})),
    ],
)
def test_a_year_alone_is_refused_with_the_row_and_the_expected_format(staff, session_canada, name, content):
    job = refused(staff, session_canada, content, name)
    assert [(e["ligne"], e["colonne"], e["message"]) for e in job.rapport["errors"]] == [
        (
            2,
            "Date de naissance",
            "Année seule « 1965 » : saisissez la date de naissance complète au format JJ/MM/AAAA (ex. 05/03/1965).",
        )
    ]


def test_a_serial_number_is_a_date_only_in_a_numeric_cell_of_an_xlsx(staff, session_canada):
    # 23743 is 01/01/1965 as Excel stores it in a numeric cell.
    numeric = xlsx([HEAD, PERSON[:2] + [None] + PERSON[3:] + CO_EO], numeric={(2, 3): 23743})
    text_cell = xlsx([HEAD, PERSON[:2] + ["23743"] + PERSON[3:] + CO_EO])
    in_csv = csv_bytes([HEAD, PERSON[:2] + ["23743"] + PERSON[3:] + CO_EO])
    expected = [(2, "Date de naissance", "Date invalide « 23743 » : format attendu JJ/MM/AAAA.")]
    assert errors_of(upload(staff, session_canada, in_csv, "c.csv")) == expected
    assert errors_of(upload(staff, session_canada, text_cell)) == expected
    assert not Candidat.objects.exists()
    (inscription,) = imported(staff, session_canada, numeric)
    assert inscription.candidat.date_naissance == dt.date(1965, 1, 1)


def born(session, years: int, days: int = 0) -> str:
    return (session.date.replace(year=session.date.year - years) - dt.timedelta(days=days)).strftime(
        "%d/%m/%Y"
    )


def test_a_child_under_ten_at_the_session_date_is_refused(staff, session_canada):
    job = refused(
        staff, session_canada, xlsx([HEAD, PERSON[:2] + [born(session_canada, 6)] + PERSON[3:] + CO_EO])
    )
    ((ligne, colonne, message),) = [(e["ligne"], e["colonne"], e["message"]) for e in job.rapport["errors"]]
    assert (ligne, colonne) == (2, "Date de naissance")
    assert message.endswith(
        "aurait 6 ans le jour de la session : vérifiez la date de naissance (âge minimal 10 ans)."
    )


def test_under_the_products_minimum_age_or_over_100_is_a_warning_to_confirm(staff, session_canada):
    assert session_canada.produit.age_minimum == 16
    rows = [
        HEAD,
        PERSON[:2] + [born(session_canada, 14)] + PERSON[3:] + CO_EO,
        ["Vieux", "Jean", born(session_canada, 104)] + PERSON[3:] + CO_EO,
        ["Juste", "Seize", born(session_canada, 16)] + PERSON[3:] + CO_EO,
    ]
    response = upload(staff, session_canada, xlsx(rows))
    job = job_of(response)
    warnings = [(w["ligne"], w["message"]) for w in job.rapport["warnings"]]
    assert [w[0] for w in warnings] == [2, 3]
    assert (
        "aura 14 ans le jour de la session, moins que l'âge minimal du TEF Canada (16 ans)" in warnings[0][1]
    )
    assert "aura 104 ans le jour de la session : vérifiez la date de naissance" in warnings[1][1]
    assert "Inscrire malgré l'avertissement" in response.content.decode()
    # Not without the confirmation…
    confirm(staff, session_canada, job)
    assert not Inscription.objects.exists()
    # …and with it.
    confirm(staff, session_canada, job, warnings=True)
    assert Inscription.objects.filter(session=session_canada).count() == 3


def test_a_product_without_minimum_age_gives_no_warning(staff, session_canada):
    session_canada.produit.age_minimum = 0
    session_canada.produit.save()
    (inscription,) = imported(
        staff, session_canada, xlsx([HEAD, PERSON[:2] + [born(session_canada, 12)] + PERSON[3:] + CO_EO])
    )
    assert inscription.candidat.prenom == "Marcel"


# --- 4. Merged cells, hidden rows, formatted empty rows ----------------------------------------------------


def test_merged_cells_in_the_data_area_refuse_the_file_naming_the_range(staff, session_canada):
    rows = [["Inscriptions"], [], HEAD, PERSON + CO_EO, ["Martin", None] + PERSON[2:] + CO_EO]
    job = refused(staff, session_canada, xlsx(rows, merge=["B4:B5"]))
    assert job.rapport["fichier"] == (
        "Cellule fusionnée dans la zone des candidats : « B4:B5 ». Annulez la fusion et remplissez chaque cellule, "
        "puis importez de nouveau le fichier."
    )


def test_a_merged_title_above_the_header_is_fine(staff, session_canada):
    (inscription,) = imported(
        staff, session_canada, xlsx([["Inscriptions de mars"], HEAD, PERSON + CO_EO], merge=["A1:F1"])
    )
    assert inscription.candidat.nom == "Dupont"


def test_a_hidden_row_is_a_warning_in_the_preview(staff, session_canada):
    rows = [HEAD, PERSON + CO_EO, ["Martin", "Anne"] + PERSON[2:] + CO_EO]
    inscriptions = imported(staff, session_canada, xlsx(rows, hidden=[3]), warnings=True)
    assert [i.candidat.nom for i in inscriptions] == ["Dupont", "Martin"]
    job = ImportJob.objects.get()
    assert [(w["ligne"], w["message"]) for w in job.rapport["warnings"]] == [
        (
            3,
            "Ligne masquée dans le fichier : elle sera importée comme les autres, vérifiez qu'elle doit l'être.",
        )
    ]


def test_3_rows_followed_by_8000_formatted_empty_rows_are_accepted(staff, centre_a, tef_canada):
    session = SessionFactory(centre=centre_a, produit=tef_canada, nb_places=10)
    rows = [HEAD] + [[f"Nom{i}", "Anne"] + PERSON[2:] + CO_EO for i in range(3)]
    content = xlsx(rows, empty_formatted=8_000)
    assert b'<row r="8004"' in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    inscriptions = imported(staff, session, content)
    assert [i.candidat.nom for i in inscriptions] == ["Nom0", "Nom1", "Nom2"]


# --- 5. Encodings --------------------------------------------------------------------------------------------

ASCII_HEAD = ["Nom", "Prenom", "Date de naissance", "Genre", "Langue maternelle", "Nationalite", "Motivation"]
ASCII_HEAD += ["CE", "CO", "EE", "EO"]


def test_a_windows_1252_csv_whose_bytes_are_valid_utf8_keeps_jose(staff, session_canada):
    # "JOSÉ" + a non-breaking space in Windows-1252 is C9 A0: valid UTF-8 for "ɠ".
    content = csv_bytes(
        [ASCII_HEAD, ["JOSÉ\u00a0", "Marcel", "01/01/1965", "H", "ARA", "DZ", "C"] + CO_EO], encoding="cp1252"
    )
    assert content.decode("utf-8").count("JOSɠ") == 1
    (inscription,) = imported(staff, session_canada, content, "c.csv")
    assert inscription.candidat.nom == "JOSÉ"


def test_a_windows_1252_csv_with_accents_everywhere(staff, session_canada):
    rows = [
        HEAD[:9],
        [
            "Lefèvre",
            "Anaïs",
            "01/01/1965",
            "F",
            "ARA_arabe",
            "",
            "DZ_Algérie",
            "C_Accès à la citoyenneté",
            "Ñ1",
        ],
    ]
    rows[0] += ["CO", "EO"]
    rows[1] += ["O", "O"]
    (inscription,) = imported(staff, session_canada, csv_bytes(rows, encoding="cp1252"), "c.csv")
    assert (
        inscription.candidat.nom,
        inscription.candidat.prenom,
        inscription.candidat.numero_piece_identite,
    ) == (
        "Lefèvre",
        "Anaïs",
        "Ñ1",
    )


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_utf8_with_or_without_bom_keeps_every_letter(staff, session_canada, bom):
    rows = [
        HEAD,
        ["Nguyễn", "Thảo", "01/01/1990", "F", "VIE_vietnamien", "", "VN", "C", ""] + CO_EO,
        ["Trương", "Phương", "02/02/1990", "F", "VIE", "", "VN", "C", ""] + CO_EO,
        ["Ștefănescu", "Ioana", "03/03/1990", "F", "RON", "", "RO", "C", ""] + CO_EO,
        ["Gʻulomov", "Oʻktam", "04/04/1990", "H", "UZB", "", "UZ", "C", ""] + CO_EO,
    ]
    inscriptions = imported(staff, session_canada, csv_bytes(rows, delimiter=",", bom=bom), "c.csv")
    assert [(i.candidat.nom, i.candidat.prenom) for i in inscriptions] == [
        ("Nguyễn", "Thảo"),
        ("Trương", "Phương"),
        ("Ștefănescu", "Ioana"),
        ("Gʻulomov", "Oʻktam"),
    ]


def test_excels_unicode_text_utf16_tab_separated_is_read(staff, session_canada):
    content = codecs.BOM_UTF16_LE + csv_bytes(
        [HEAD, ["Lefèvre", "Éloïse"] + PERSON[2:] + CO_EO], delimiter="\t", encoding="utf-16-le"
    )
    (inscription,) = imported(staff, session_canada, content, "texte_unicode.csv")
    assert (inscription.candidat.nom, inscription.candidat.prenom) == ("Lefèvre", "Éloïse")


def test_nul_bytes_without_a_utf16_mark_are_refused_saying_how_to_save(staff, session_canada):
    response = upload(staff, session_canada, b"Nom;Pr\x00nom\n\x00\x00\x01", "c.csv")
    assert (
        "enregistrez-le depuis Excel avec « Enregistrer sous » &gt; « CSV UTF-8" in response.content.decode()
    )
    assert not ImportJob.objects.exists()


# --- 6. One exhaustive report, and the user's file back ------------------------------------------------------


def test_every_row_every_column_every_reason_in_one_pass(staff, session_canada):
    future = (dt.date.today() + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    rows = [
        HEAD,
        ["", "Marcel", future, "Z", "ARA", "pas-un-mail", "DZ", "C", ""] + ["N", "O", "N", "peut-être"],
        ["Martin", "Anne", "31/02/1990", "F", "XXX", "", "DZ", "C", ""] + CO_EO,
    ]
    job = refused(staff, session_canada, xlsx(rows))
    assert [(e["ligne"], e["colonne"], e["message"]) for e in job.rapport["errors"]] == [
        (2, "EO", "Valeur « peut-être » invalide : O (oui) ou N (non)."),
        (2, "Genre", "Code inconnu « Z » : F (femme), H (homme) ou N (non binaire)."),
        (2, "E-mail", "Adresse e-mail invalide « pas-un-mail »."),
        (2, "Nom", "« Nom » est obligatoire."),
        (2, "Date de naissance", "La date de naissance est dans le futur."),
        (3, "Date de naissance", "Date invalide « 31/02/1990 » : format attendu JJ/MM/AAAA."),
        (
            3,
            "Langue maternelle",
            "Code inconnu « XXX » : langue inconnue (choisissez dans la liste, ex. ARA_arabe).",
        ),
    ]


def _error_file(staff, session, job):
    response = staff.get(reverse("candidats:import_errors_file", args=[session.numero, job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_users_file_comes_back_with_an_errors_column_and_the_faulty_cells_highlighted(
    staff, session_canada
):
    rows = [
        ["Inscriptions de mars"],
        HEAD,
        PERSON + CO_EO,
        ["Martin", "Anne", "1990", "Z"] + PERSON[4:] + CO_EO,
    ]
    content = xlsx(rows)
    response = upload(staff, session_canada, content, "mars.xlsx")
    job = job_of(response)
    assert "Télécharger votre fichier avec les erreurs" in response.content.decode()
    wb = _error_file(staff, session_canada, job)
    ws = wb["Feuil1"]
    assert ws["A1"].value == "Inscriptions de mars" and ws["N2"].value == "Erreurs"
    assert ws["N3"].value is None
    assert ws["N4"].value.startswith("Date de naissance : Année seule « 1990 »")
    assert "Genre : Code inconnu « Z »" in ws["N4"].value
    for ref in ("C4", "D4"):
        assert ws[ref].fill.fgColor.rgb.endswith("FFC7CE") and ws[ref].comment is not None
    assert ws["A4"].fill.fgColor.rgb != "00FFC7CE" and ws["C4"].comment.text.startswith("Année seule")
    # Fixed in Excel and uploaded again: accepted, the « Erreurs » column ignored.
    ws["C4"], ws["D4"] = "05/03/1990", "F"
    out = io.BytesIO()
    wb.save(out)
    response = upload(staff, session_canada, out.getvalue(), "mars_erreurs.xlsx")
    job = job_of(response)
    assert job.statut == ImportJob.Statut.A_CONFIRMER and job.rapport["ignorees"] == ["N « Erreurs »"]
    confirm(staff, session_canada, job)
    martin = Candidat.objects.get(nom="Martin")
    assert (martin.date_naissance, martin.genre) == (dt.date(1990, 3, 5), "F")


def test_an_error_file_uploaded_again_unfixed_keeps_one_errors_column(staff, session_canada):
    rows = [HEAD, PERSON + CO_EO, ["Martin", "Anne", "1990"] + PERSON[3:] + CO_EO]
    job = refused(staff, session_canada, xlsx(rows))
    first = _error_file(staff, session_canada, job)
    first.active["C2"] = "1964"  # a new mistake on the row that was right
    out = io.BytesIO()
    first.save(out)
    job = refused(staff, session_canada, out.getvalue(), "candidats_erreurs.xlsx")
    ws = _error_file(staff, session_canada, job).active
    assert [c.value for c in ws[1]].count("Erreurs") == 1 and ws["N1"].value == "Erreurs"
    assert ws["N2"].value.startswith("Date de naissance : Année seule « 1964 »")
    assert ws["N3"].value.startswith("Date de naissance : Année seule « 1990 »")


def test_a_csv_comes_back_as_a_workbook_with_its_errors(staff, session_canada):
    rows = [HEAD, PERSON[:3] + ["=1+1"] + PERSON[4:] + CO_EO]
    job = refused(staff, session_canada, csv_bytes(rows), "liste.csv")
    ws = _error_file(staff, session_canada, job).active
    assert [c.value for c in ws[1]][:2] == ["Nom", "Prénom"] and ws["N1"].value == "Erreurs"
    assert ws["D2"].value == "'=1+1" and ws["D2"].comment.text.startswith("Formule ou valeur interdite")


def test_the_error_file_of_another_centre_or_of_a_clean_file_is_not_found(
    staff, client, session_canada, responsable_b
):
    bad = refused(staff, session_canada, xlsx([HEAD, ["", "Anne"] + PERSON[2:] + CO_EO]))
    good = job_of(upload(staff, session_canada, xlsx([HEAD, PERSON + CO_EO])))
    url = reverse("candidats:import_errors_file", args=[session_canada.numero, good.pk])
    assert staff.get(url).status_code == 404
    client.force_login(responsable_b)
    assert (
        client.get(reverse("candidats:import_errors_file", args=[session_canada.numero, bad.pk])).status_code
        == 404
    )


# --- 8. Hostile files -----------------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_at_upload_before_any_parser_opens_it(staff, session_canada, monkeypatch):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row/>" * (12 * 1024 * 1024))  # 72 MB of sheet XML
    bomb = buffer.getvalue()
    assert len(bomb) < 200 * 1024

    def no_parser(*args, **kwargs):
        raise AssertionError("openpyxl opened the upload")

    monkeypatch.setattr(imports, "load_workbook", no_parser)
    start = time.monotonic()
    job = refused(staff, session_canada, bomb)
    assert time.monotonic() - start < 5
    assert (
        job.rapport["fichier"]
        == "Ce classeur est anormalement volumineux une fois décompressé : il est refusé."
    )


def test_the_parse_runs_in_the_worker_never_in_the_web_request(staff, session_canada):
    response = staff.post(
        reverse("candidats:import", args=[session_canada.numero]),
        {"fichier": SimpleUploadedFile("c.xlsx", xlsx([HEAD, PERSON + CO_EO]))},
    )
    # Without the task (nothing ran on commit here), the request only stored the file.
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.statut == ImportJob.Statut.EN_ATTENTE and not job.rapport


def test_a_confirmation_that_must_read_the_file_again_goes_to_the_worker(staff, session_canada):
    job = job_of(upload(staff, session_canada, xlsx([HEAD, PERSON + CO_EO])))
    cache.delete(imports.parsed_key(job))  # the validated rows expired (an hour) before the click
    url = reverse("candidats:import_confirm", args=[session_canada.numero, job.pk])
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        staff.post(url)
    job.refresh_from_db()
    assert job.statut == ImportJob.Statut.EN_COURS and len(queued) == 1 and not Inscription.objects.exists()
    queued[0]()  # the worker
    job.refresh_from_db()
    assert job.statut == ImportJob.Statut.TERMINE
    assert Inscription.objects.get(session=session_canada).candidat.nom == "Dupont"
