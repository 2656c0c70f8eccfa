"""Issue 4's flows, clicked as a centre user would: enrol a candidate on site; import a file with a
mistake, read the report, fix it, import it; transfer a pre-registration made on the public site."""

import io
import re
from decimal import Decimal

from openpyxl import load_workbook

from candidats.excel_template import FIRST_ROW
from candidats.models import Inscription, PreInscription
from centres.models import Visibilite
from centres.roles import Role
from sessions_app.models import SessionTarif
from tests.cache import clear_own_cache
from tests.e2e.portal import log_in
from tests.factories import (
    CentreFactory,
    MembershipFactory,
    ProduitFactory,
    SessionFactory,
    epreuve,
)


def world(visibilite=Visibilite.MASQUE):
    centre = CentreFactory(nom="Alliance Française de Dakar", code="DAK01", visibilite=visibilite, pays="SN")
    MembershipFactory(centre=centre, role=Role.RESPONSABLE, user__email="resp@dakar.test")
    # The catalogue's TEF Canada and its rules (the four épreuves, or CO + EO), shipped by the migrations.
    produit = ProduitFactory(nom="TEF Canada", code="TEFCAN", modulaire=True)
    session = SessionFactory(centre=centre, produit=produit, nb_places=12, afficher_en_ligne=True)
    for code, amount in (("CE", "40.00"), ("CO", "45.00"), ("EE", "50.00"), ("EO", "55.00")):
        SessionTarif.objects.create(session=session, epreuve=epreuve(code), montant=Decimal(amount))
    return centre, session


def test_a_centre_enrols_a_candidate_on_site(page):
    _, session = world()
    log_in(page, "resp@dakar.test")
    page.goto(f"/candidats/session/{session.numero}/")
    page.get_by_role("link", name="Inscrire un candidat").click()
    page.get_by_role("heading", name="Inscrire un candidat").wait_for()
    page.locator("#id_nom").fill("Diallo")
    page.locator("#id_prenom").fill("Aïssatou")
    page.locator("#id_date_naissance").fill("1994-06-15")
    page.get_by_label("Femme").check()
    page.locator("#id_langue_maternelle").select_option("wol")
    page.locator("#id_email").fill("aissatou@exemple.test")
    page.locator("#id_nationalite").select_option("SN")
    page.locator("#id_motivation").select_option("C")
    page.locator("#id_numero_piece_identite").fill("SN123456")
    page.get_by_label(re.compile(r"CO — Compréhension orale \(45,00")).check()
    page.get_by_label(re.compile(r"EE — ")).check()
    page.get_by_role("button", name="Inscrire", exact=True).click()
    # TEF Canada allows the four épreuves or CO + EO: the rule is shown, nothing is written.
    page.get_by_text(
        "Pour le TEF Canada, les épreuves possibles sont : Les quatre épreuves CE, CO, EE et EO (immigration "
        "fédérale) ou CO et EO (citoyenneté canadienne)."
    ).wait_for()
    assert not Inscription.objects.exists()
    page.get_by_label(re.compile(r"EO — ")).check()
    page.get_by_label(re.compile(r"EE — ")).uncheck()
    page.get_by_role("button", name="Inscrire", exact=True).click()
    page.get_by_text(re.compile(r"Aïssatou DIALLO est inscrit\(e\) à la session")).wait_for()
    table = page.get_by_test_id("candidats")
    assert "DIALLO" in table.inner_text()
    assert page.get_by_test_id("places").inner_text().startswith("1 inscrit sur 12 places")
    page.get_by_role("link", name="2000001").click()  # the candidate page shows what was paid
    assert "100,00" in page.get_by_test_id("inscription").inner_text()
    inscription = Inscription.objects.get()
    assert inscription.numero == 2000001 and inscription.prix_total == Decimal("100.00")


def _fill(path, rows):
    wb = load_workbook(path)
    ws = wb["Candidats"]
    for offset, row in enumerate(rows):
        for col, value in enumerate(row, start=1):
            ws.cell(row=FIRST_ROW + offset, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_centre_imports_a_file_fixes_its_mistake_and_imports_it(page, tmp_path):
    _, session = world()
    log_in(page, "resp@dakar.test")
    page.goto(f"/candidats/session/{session.numero}/")
    page.get_by_role("link", name="Importer un fichier").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le modèle Excel de la session").click()
    template = tmp_path / "modele.xlsx"
    download_info.value.save_as(template)

    good = [
        "Ba",
        "Mamadou",
        "12/03/1990",
        "H",
        "WOL_wolof",
        "m@x.test",
        "SN_Sénégal",
        "I_Immigration Canada",
        "A1",
        "O",
        "O",
        "O",
        "O",
    ]
    wrong = [
        "Sow",
        "Fatou",
        "31/02/1992",
        "F",
        "FRA_français",
        "",
        "SN_Sénégal",
        "C_Accès à la citoyenneté",
        "A2",
        "N",
        "O",
        "N",
        "O",
    ]
    page.get_by_label("Fichier rempli (.xlsx ou .csv)").set_input_files(
        files=[
            {
                "name": "candidats.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": _fill(template, [good, wrong]),
            }
        ]
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    report = page.get_by_test_id("rapport")
    report.wait_for()
    assert "Date invalide « 31/02/1992 » : format attendu JJ/MM/AAAA." in report.inner_text()
    assert re.search(r"8\s+Date de naissance", report.inner_text())
    assert not Inscription.objects.exists()

    # The user's own file comes back with an « Erreurs » column and the faulty cell in red: fixed in it,
    # then uploaded again.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger votre fichier avec les erreurs").click()
    assert download_info.value.suggested_filename == "candidats_erreurs.xlsx"
    errors_file = tmp_path / "candidats_erreurs.xlsx"
    download_info.value.save_as(errors_file)
    wb = load_workbook(errors_file)
    ws = wb["Candidats"]
    header = [c.value for c in ws[FIRST_ROW - 1]]
    errors_column = header.index("Erreurs") + 1
    assert ws.cell(row=FIRST_ROW, column=errors_column).value is None
    assert "Date invalide « 31/02/1992 »" in ws.cell(row=FIRST_ROW + 1, column=errors_column).value
    faulty = ws.cell(row=FIRST_ROW + 1, column=3)
    assert faulty.fill.fgColor.rgb.endswith("FFC7CE") and "31/02/1992" in faulty.comment.text
    faulty.value = "28/02/1992"
    fixed = io.BytesIO()
    wb.save(fixed)

    page.get_by_role("link", name="Importer un fichier corrigé").click()
    page.get_by_label("Fichier rempli (.xlsx ou .csv)").set_input_files(
        files=[
            {
                "name": "candidats_erreurs.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": fixed.getvalue(),
            }
        ]
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.get_by_test_id("pret").wait_for()
    assert "2 candidats prêts à être inscrits" in page.get_by_test_id("pret").inner_text()
    assert "SOW" in page.get_by_test_id("apercu").inner_text()
    assert "« Erreurs »" in page.get_by_test_id("colonnes-ignorees").inner_text()
    page.get_by_role("button", name="Confirmer l'import").click()
    page.get_by_text(f"2 candidats inscrits à la session {session.numero}.").wait_for()
    assert "BA" in page.get_by_test_id("candidats").inner_text()
    assert Inscription.objects.filter(session=session).count() == 2


def test_a_pre_registration_made_on_the_public_site_is_transferred(page):
    clear_own_cache()  # the public site's per-IP throttle
    _, session = world(visibilite=Visibilite.AVEC_SESSIONS)
    page.goto("/preinscription/")
    page.get_by_role("link", name="Alliance Française de Dakar").click()
    assert "12" in page.get_by_test_id("sessions").inner_text()  # places left
    page.get_by_role("link", name="Se pré-inscrire", exact=True).click()
    page.locator("#id_nom").fill("Ndiaye")
    page.locator("#id_prenom").fill("Awa")
    page.locator("#id_date_naissance").fill("1995-02-03")
    page.get_by_label("Femme").check()
    page.locator("#id_langue_maternelle").select_option("wol")
    page.locator("#id_email").fill("awa@exemple.test")
    page.locator("#id_nationalite").select_option("SN")
    page.locator("#id_motivation").select_option("C")
    page.get_by_label("CO — Compréhension orale").check()
    page.get_by_label("EO — Expression orale").check()
    page.get_by_role("button", name="Envoyer ma pré-inscription").click()
    page.get_by_text("Votre pré-inscription a bien été envoyée").wait_for()
    assert PreInscription.objects.get().session == session

    log_in(page, "resp@dakar.test")
    page.get_by_role("link", name="Pré-inscriptions").click()
    page.get_by_text("Vous avez 1 pré-inscription à traiter.").wait_for()
    page.get_by_role("link", name="Transférer").click()
    page.get_by_role("heading", name="Transférer dans une session").wait_for()
    page.get_by_role("button", name="Transférer").click()
    page.get_by_text(re.compile(r"Awa NDIAYE est inscrit\(e\) à la session")).wait_for()
    assert "Transférée" in page.get_by_test_id("pre-inscriptions").inner_text()
    inscription = Inscription.objects.get()
    assert inscription.session == session and inscription.prix_total == Decimal("100.00")
    assert sorted(ie.epreuve.code for ie in inscription.epreuves.all()) == ["CO", "EO"]


def test_the_public_site_applies_the_products_rules_and_recognises_a_second_pre_registration(page):
    clear_own_cache()  # the public site's per-IP throttle
    _, session = world(visibilite=Visibilite.AVEC_SESSIONS)
    ProduitFactory(nom="TEF", code="TEF", codes_epreuves=["CE", "CO", "EE", "EO", "LS"])  # not offered online

    def fill(nom):
        page.goto(f"/preinscription/centre/DAK01/pre-inscription/?session={session.numero}")
        page.locator("#id_nom").fill(nom)
        page.locator("#id_prenom").fill("Awa")
        page.locator("#id_date_naissance").fill("1995-02-03")
        page.get_by_label("Femme").check()
        page.locator("#id_langue_maternelle").select_option("wol")
        page.locator("#id_email").fill("awa@exemple.test")
        page.locator("#id_nationalite").select_option("SN")
        page.locator("#id_motivation").select_option("I")

    fill("Ndiaye")
    assert page.get_by_label(re.compile("LS — ")).count() == 0  # only the TEF Canada's épreuves
    page.get_by_label("CO — Compréhension orale").check()
    page.get_by_role("button", name="Envoyer ma pré-inscription").click()
    # The catalogue's TEF Canada: the four épreuves or CO + EO, nothing else (tarifs/0003_reference_data).
    page.get_by_text(re.compile("les épreuves possibles sont : .* Aucune autre combinaison")).first.wait_for()
    for code in ("CE", "CO", "EE", "EO"):
        page.get_by_label(re.compile(f"{code} — ")).check()
    page.get_by_role("button", name="Envoyer ma pré-inscription").click()
    page.get_by_text("Votre pré-inscription a bien été envoyée").wait_for()

    fill("NDIAYE")  # the same person again, typed in capitals
    for code in ("CE", "CO", "EE", "EO"):
        page.get_by_label(re.compile(f"{code} — ")).check()
    page.get_by_role("button", name="Envoyer ma pré-inscription").click()
    page.get_by_text(re.compile(r"Vous êtes déjà pré-inscrit\(e\) à la session du")).first.wait_for()
    assert PreInscription.objects.count() == 1
