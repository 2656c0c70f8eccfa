"""Exports past a small size are written by a worker (core.exports): the user lands on the export's page, sees
its progress, then downloads the file; nobody else (another centre, a colleague, another FDA agent) sees it.
Small lists still answer the file at once. Files are read back with openpyxl."""

import datetime as dt
import io
import pickle
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from candidats.exports import INSCRIPTIONS
from candidats.models import Inscription
from core import exports
from core.models import Export
from core.spreadsheets import Column
from tests.admin_auth import admin_force_login
from tests.factories import ExportFactory, InscriptionFactory, SessionFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows_of(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def file_rows(export: Export) -> list[tuple]:
    with export.fichier.open("rb") as f:
        return rows_of(f.read())


@pytest.fixture
def enrolments(centre_a, centre_b):
    """Five enrolments in centre A and two in centre B (which must never show in A's export)."""
    session = SessionFactory(centre=centre_a)
    mine = [InscriptionFactory(session=session) for _ in range(5)]
    other = SessionFactory(centre=centre_b)
    theirs = [InscriptionFactory(session=other) for _ in range(2)]
    return mine, theirs


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): …`: what runs after commit (the hand-off to the worker) runs at the block's end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def small_inline(settings):
    settings.EXPORT_INLINE_MAX_ROWS = 3  # the fixture's five enrolments go to a worker


# --- Service --------------------------------------------------------------------------------------------


def test_a_small_list_is_answered_at_once(enrolments, centre_a, responsable):
    result = exports.export_or_start(
        INSCRIPTIONS, Inscription.objects.for_centre(centre_a), by=responsable, centre=centre_a
    )
    assert not isinstance(result, Export) and result[1] == XLSX
    assert len(rows_of(result[2])) == 1 + 5
    assert not Export.objects.exists()


def test_a_larger_list_is_written_by_the_worker_with_the_centres_rows_only(
    enrolments, centre_a, responsable, small_inline, committed
):
    mine, theirs = enrolments
    with committed():
        export = exports.export_or_start(
            INSCRIPTIONS, Inscription.objects.for_centre(centre_a), by=responsable, centre=centre_a
        )
        assert isinstance(export, Export) and export.statut == Export.Statut.EN_ATTENTE
    export.refresh_from_db()  # eager tasks in tests: the worker's run happened at the commit
    assert export.statut == Export.Statut.PRET
    assert (export.lignes_total, export.lignes_faites, export.percent) == (5, 5, 100)
    rows = file_rows(export)
    assert rows[0][0] == "N° inscription"
    assert sorted(r[0] for r in rows[1:]) == sorted(i.numero for i in mine)
    assert not {i.numero for i in theirs} & {r[0] for r in rows}
    assert list(export.historique.values_list("to_status", flat=True)) == ["en_attente", "en_cours", "pret"]


def test_the_rows_are_read_in_chunks_and_all_come_out_once(enrolments, centre_a, responsable, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    chunks = list(exports.in_chunks(Inscription.objects.for_centre(centre_a), "numero"))
    assert [len(c) for c in chunks] == [2, 2, 1]
    assert len({row[0] for c in chunks for row in c}) == 5


def test_the_worker_reports_progress_while_it_writes(centre_a, responsable, monkeypatch, committed):
    """What the export's page reads while the worker writes: the stored count grows every PROGRESS_EVERY rows."""
    seen = []
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 250)

    def table(queryset):
        def rows():
            for n in range(1200):
                if n in (600, 900, 1199):
                    seen.append(Export.objects.get(kind="compteur").lignes_faites)
                yield [n]

        return [Column("N", "integer")], rows()

    kind = exports.ExportKind(
        name="compteur", title="Compteur", sheet="N", filename=lambda q: "n.xlsx", table=table
    )
    monkeypatch.setitem(exports.KINDS, "compteur", kind)
    with committed():
        export = exports.start_export(
            kind, Inscription.objects.all(), by=responsable, centre=centre_a, total=1200
        )
    export.refresh_from_db()
    assert seen == [500, 750, 1000]  # the first 500 rows are read ahead to size the columns
    assert (export.statut, export.lignes_faites, len(file_rows(export))) == ("pret", 1200, 1201)


def test_an_export_given_again_after_its_worker_died_starts_over_and_finishes(
    enrolments, centre_a, responsable
):
    export = ExportFactory(
        centre=centre_a,
        requested_by=responsable,
        requete=pickle.dumps(Inscription.objects.for_centre(centre_a).query),
        lignes_total=5,
        lignes_faites=3,
    )
    exports.run_export(export.pk)
    export.refresh_from_db()
    assert export.statut == Export.Statut.PRET and len(file_rows(export)) == 6
    name = export.fichier.name
    exports.run_export(export.pk)  # a duplicate delivery of a finished export changes nothing
    export.refresh_from_db()
    assert export.fichier.name == name


def test_a_failing_export_says_so_and_keeps_the_reason_for_fda(
    enrolments, centre_a, responsable, monkeypatch, committed
):
    def broken(queryset):
        raise RuntimeError("disque plein")

    kind = exports.ExportKind(
        name="cassé", title="Cassé", sheet="x", filename=lambda q: "x.xlsx", table=broken
    )
    monkeypatch.setitem(exports.KINDS, "cassé", kind)
    with committed():
        export = exports.start_export(kind, Inscription.objects.all(), by=responsable, centre=centre_a)
    export.refresh_from_db()
    assert export.statut == Export.Statut.ECHEC and "disque plein" in export.erreur
    assert not export.fichier and not exports.may_download(export, responsable)


def test_exports_older_than_the_keeping_time_are_deleted_with_their_file(
    enrolments, centre_a, responsable, small_inline, settings, committed
):
    with committed():
        export = exports.export_or_start(
            INSCRIPTIONS, Inscription.objects.for_centre(centre_a), by=responsable, centre=centre_a
        )
    export.refresh_from_db()
    storage, name = export.fichier.storage, export.fichier.name
    assert storage.exists(name)
    assert exports.purge_expired(timezone.now() + dt.timedelta(days=settings.EXPORT_KEEP_DAYS - 1)) == 0
    assert exports.purge_expired(timezone.now() + dt.timedelta(days=settings.EXPORT_KEEP_DAYS + 1)) == 1
    assert not Export.objects.exists() and not storage.exists(name)


@pytest.mark.django_db(transaction=True)
def test_without_a_worker_the_demo_writes_the_export_after_the_response(centre_a, settings):
    """BACKGROUND_THREADS (eager tasks, no broker: the demo): the request returns with the export waiting;
    a thread writes it just after."""
    from tests.factories import MembershipFactory

    settings.BACKGROUND_THREADS = True
    settings.EXPORT_INLINE_MAX_ROWS = 1
    user = MembershipFactory(centre=centre_a).user
    session = SessionFactory(centre=centre_a)
    for _ in range(3):
        InscriptionFactory(session=session)
    export = exports.export_or_start(
        INSCRIPTIONS, Inscription.objects.for_centre(centre_a), by=user, centre=centre_a
    )
    assert export.statut == Export.Statut.EN_ATTENTE
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and Export.objects.get(pk=export.pk).running:
        time.sleep(0.1)
    export.refresh_from_db()
    assert export.statut == Export.Statut.PRET and len(file_rows(export)) == 4


# --- Centre pages ---------------------------------------------------------------------------------------


def test_toutes_les_inscriptions_export_goes_to_its_page_then_downloads(
    logged, enrolments, small_inline, django_assert_max_num_queries, committed
):
    liste = reverse("candidats:inscriptions") + "?statut=inscrit"
    with committed():
        response = logged.get(
            reverse("candidats:inscriptions_export") + "?statut=inscrit",
            HTTP_REFERER=f"http://testserver{liste}",
        )
    export = Export.objects.get()
    assert response.url == reverse("export", args=[export.pk])
    page = logged.get(response.url).content.decode()
    assert "export de 5 lignes est préparé en arrière-plan" in page
    assert f'href="{liste}"' in page and "Retour à la liste" in page
    assert "Le fichier est prêt : 5 lignes" in page and "data-refresh" not in page
    with django_assert_max_num_queries(12):
        logged.get(reverse("export", args=[export.pk]))
    download = logged.get(reverse("export_file", args=[export.pk]))
    assert download["Content-Type"] == XLSX
    assert "attachment" in download["Content-Disposition"]
    assert len(rows_of(b"".join(download.streaming_content))) == 6


@pytest.mark.parametrize("referer", ["https://ailleurs.test/x", "http://testserver//ailleurs.test/x"])
def test_an_export_asked_from_another_site_has_no_way_back_to_it(
    logged, enrolments, small_inline, committed, referer
):
    with committed():
        response = logged.get(reverse("candidats:inscriptions_export"), HTTP_REFERER=referer)
    assert Export.objects.filter(page_liste="").count() == 1
    assert "Retour à la liste" not in logged.get(response.url).content.decode()


def test_a_running_export_shows_its_progress_and_refreshes(logged, responsable, centre_a):
    export = ExportFactory(centre=centre_a, requested_by=responsable, lignes_faites=12_000)
    page = logged.get(reverse("export", args=[export.pk])).content.decode()
    assert "Export en cours… 12000 lignes sur 50000 (24 %)" in page
    assert 'data-refresh="2"' in page and 'aria-live="polite"' in page
    early = logged.get(reverse("export_file", args=[export.pk]), follow=True)
    assert "pas encore prêt" in early.content.decode()


def test_nobody_else_sees_an_export(
    client, login, enrolments, responsable, responsable_b, administratif, small_inline
):
    login(responsable).get(reverse("candidats:inscriptions_export"))
    export = Export.objects.get()
    for other in (responsable_b, administratif):  # another centre; a colleague of the same centre
        login(other)
        assert client.get(reverse("export", args=[export.pk])).status_code == 404
        assert client.get(reverse("export_file", args=[export.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("export_file", args=[export.pk])).status_code == 302  # to the login page


def test_the_results_export_of_a_session_uses_the_same_path(logged, centre_a, settings, committed):
    from candidats.models import Resultat
    from sessions_app.models import SessionStatus
    from tests.factories import epreuve, past_session

    session = past_session(centre_a, statut=SessionStatus.RESULTATS)
    for _ in range(3):
        Resultat.objects.create(
            inscription=InscriptionFactory(session=session), epreuve=epreuve("CE"), score=300
        )
    settings.EXPORT_INLINE_MAX_ROWS = 2
    with committed():
        response = logged.get(reverse("sessions:resultats_export", args=[session.numero]))
    export = Export.objects.get(kind="resultats")
    assert export.nom_fichier == f"resultats_{session.numero}.xlsx" and export.statut == "pret"
    assert "Le fichier est prêt" in logged.get(response.url).content.decode()
    rows = file_rows(export)
    assert rows[0][:4] == ("N° inscription", "Nom", "Prénom", "Épreuve") and len(rows) >= 4


# --- Back office ----------------------------------------------------------------------------------------


def test_the_back_office_exports_the_whole_filtered_list_through_a_worker(
    client, enrolments, small_inline, committed
):
    agent = StaffFactory()
    admin_force_login(client, agent)
    url = reverse("admin:candidats_inscription_changelist")
    with committed():
        response = client.post(
            url, {"action": "exporter_excel", "select_across": "1", "index": "0", "_selected_action": ["0"]}
        )
    export = Export.objects.get()
    assert export.centre is None and export.lignes_total == 7  # every centre
    assert response.url == reverse("admin:core_export_change", args=[export.pk])
    assert "Le fichier est prêt : 7 lignes" in client.get(response.url).content.decode()
    odd = reverse("admin:core_export_change", args=[f"{export.pk}/change/widgets.css"])
    assert client.get(odd).status_code == 404  # never a server error for an odd path
    download = client.get(reverse("admin:core_export_fichier", args=[export.pk]))
    assert len(rows_of(b"".join(download.streaming_content))) == 8
    # Another agent sees neither the page nor the file; a centre user has no back office.
    admin_force_login(client, StaffFactory())
    assert client.get(reverse("admin:core_export_change", args=[export.pk])).status_code == 404
    assert client.get(reverse("admin:core_export_fichier", args=[export.pk])).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("admin:core_export_fichier", args=[export.pk])).status_code == 302
