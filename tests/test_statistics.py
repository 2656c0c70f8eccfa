"""Statistiques (Mon centre → Statistiques) and the network's statistics (back office): the figures of a
seeded centre against direct SQL counts, tenancy, roles, downloads, query counts, the summary table."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from candidats.models import Inscription, InscriptionEpreuve, PreInscription, Resultat
from centres.roles import Role
from core.models import next_number
from demandes.models import Demande
from portail import statistics
from portail.models import StatistiqueMensuelle
from portail.statistics import Periode, add_months
from sessions_app.models import BonDeCommande, SessionStatus
from tests.admin_auth import admin_force_login
from tests.factories import (
    CentreFactory,
    InscriptionFactory,
    MembershipFactory,
    ProduitFactory,
    SessionFactory,
    StaffFactory,
)

TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = add_months(THIS_MONTH, -1)


def seed(centre, produit, n=3):
    """Two sessions of `centre` (last month, published; this month, open), enrolments of every kind."""
    published = SessionFactory(
        centre=centre, produit=produit, date=LAST_MONTH + dt.timedelta(days=9), statut=SessionStatus.RESULTATS
    )
    open_ = SessionFactory(
        centre=centre, produit=produit, date=THIS_MONTH + dt.timedelta(days=4), nb_places=10
    )
    enrolled = [InscriptionFactory(session=published, prix_total=Decimal("120.00")) for _ in range(n)]
    InscriptionFactory(session=open_, prix_total=Decimal("80.00"))
    InscriptionFactory(session=open_, virtuel=True)  # takes no place
    InscriptionFactory(session=open_, statut="annule", prix_total=Decimal("80.00"))  # neither
    InscriptionEpreuve.objects.filter(inscription=enrolled[0], epreuve__code="CE").update(absent=True)
    BonDeCommande.objects.create(session=published, montant_total=Decimal("300.00"))
    for i, inscription in enumerate(enrolled):
        for ie in inscription.epreuves.all():
            Resultat.objects.create(
                inscription=inscription, epreuve=ie.epreuve, score=300, niveau_cecrl=["B1", "B2", "B2"][i % 3],
                nclc=7 if ie.epreuve.code == "CO" else None,
            )  # fmt: skip
    Demande.objects.create(
        numero=next_number("demande"), kind="report", centre=centre, inscription=enrolled[0], description="x"
    )
    Demande.objects.create(
        numero=next_number("demande"), kind="report", centre=centre, inscription=enrolled[1], description="y",
        statut="validee",
    )  # fmt: skip
    PreInscription.objects.create(
        centre=centre, session=open_, nom="A", prenom="B", email="a@x.test", statut="transferee"
    )
    PreInscription.objects.create(
        centre=centre, session=open_, nom="C", prenom="D", email="c@x.test", statut="declinee"
    )
    PreInscription.objects.create(
        centre=centre, session=open_, nom="E", prenom="F", email="e@x.test", statut="declinee"
    )
    return published, open_


def sql(query, params):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()[0]


def by_slug(tableaux):
    return {t.slug: t for t in tableaux}


@pytest.fixture
def seeded(centre_a, centre_b):
    produit = ProduitFactory()
    seed(centre_b, produit, n=5)  # another centre's activity, never counted for centre A
    return (produit, *seed(centre_a, produit))


def test_the_figures_of_a_seeded_centre_match_direct_sql_counts(centre_a, seeded):
    produit, published, open_ = seeded
    periode = Periode(LAST_MONTH, THIS_MONTH)
    t = by_slug(statistics.centre_statistics(centre_a, periode, produit))

    enrolled = sql(
        "SELECT COUNT(*) FROM candidats_inscription i JOIN sessions_app_session s ON s.id = i.session_id "
        "WHERE s.centre_id = %s AND i.statut = 'inscrit' AND NOT i.virtuel",
        [centre_a.pk],
    )
    assert enrolled == 4
    assert sum(r[2] for r in t["inscriptions"].lignes) == enrolled
    assert [r[1:] for r in t["inscriptions"].lignes] == [[1, 3], [1, 1]]

    assert [r[0] for r in t["remplissage"].lignes] == [published.numero, open_.numero]
    assert t["remplissage"].lignes[1][3:] == [10, 1, 10.0]

    paid = sql(
        "SELECT SUM(i.prix_total) FROM candidats_inscription i JOIN sessions_app_session s "
        "ON s.id = i.session_id WHERE s.centre_id = %s AND i.statut = 'inscrit' AND NOT i.virtuel",
        [centre_a.pk],
    )
    ca = t["chiffre-affaires"].lignes
    assert sum(r[1] for r in ca) == paid == Decimal("440.00")
    assert ca[0][2] == Decimal("300.00") and ca[1][2] == Decimal("0.00")

    absences = {r[0]: r[2] for r in t["absences"].lignes}
    assert absences["Compréhension écrite"] == 1 and sum(absences.values()) == 1

    cecrl = t["niveaux-cecrl"]
    assert cecrl.colonnes == ["Épreuve", "B1", "B2", "Total"]
    assert all(r[1:] == [1, 2, 3] for r in cecrl.lignes)
    assert t["niveaux-nclc"].lignes == [["Compréhension orale", 3, 3]]

    reports = next(r for r in t["demandes"].lignes if r[0] == "Demande de report")
    assert reports[1:] == [1, 1, 0, 2]
    assert dict(t["pre-inscriptions"].lignes) == {"À traiter": 0, "Transférée": 1, "Déclinée": 2}


def test_the_period_and_the_product_filter_the_figures(centre_a, seeded):
    produit, *_ = seeded
    this_month_only = by_slug(statistics.centre_statistics(centre_a, Periode(THIS_MONTH, THIS_MONTH)))
    assert [r[2] for r in this_month_only["inscriptions"].lignes] == [1]
    assert this_month_only["niveaux-cecrl"].lignes == []
    other_product = by_slug(
        statistics.centre_statistics(centre_a, Periode(LAST_MONTH, THIS_MONTH), ProduitFactory())
    )
    assert sum(r[2] for r in other_product["inscriptions"].lignes) == 0
    assert sum(r[-1] for r in other_product["demandes"].lignes) == 0


def test_the_page_shows_charts_and_tables_of_the_current_centre_only(
    client, responsable, seeded, django_assert_max_num_queries
):
    client.force_login(responsable)
    params = {"debut": LAST_MONTH.strftime("%Y-%m"), "fin": THIS_MONTH.strftime("%Y-%m")}
    with django_assert_max_num_queries(20):
        response = client.get(reverse("statistiques"), params)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg role="img" aria-label=') >= 7
    main = html.split("<main")[1].split("</main>")[0]
    assert "<script" not in main and "<style" not in main and "style=" not in main  # CSP: nothing inline
    table = next(t for t in response.context["tableaux"] if t.slug == "inscriptions")
    assert sum(r[2] for r in table.lignes) == 4  # centre B's 5 enrolments are not there


def test_the_query_count_does_not_grow_with_the_data(
    client, responsable, centre_a, django_assert_max_num_queries
):
    produit = ProduitFactory()
    for _ in range(2):
        seed(centre_a, produit, n=4)
    client.force_login(responsable)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("statistiques")).status_code == 200


def test_a_bad_period_gets_a_french_message(client, responsable):
    client.force_login(responsable)
    response = client.get(reverse("statistiques"), {"debut": "2026-06", "fin": "2026-01"})
    assert "Le mois de début doit précéder le mois de fin." in response.content.decode()
    response = client.get(reverse("statistiques"), {"debut": "juin"})
    assert "Indiquez un mois au format AAAA-MM" in response.content.decode()


def test_each_table_downloads_as_csv_and_excel(client, responsable, seeded):
    client.force_login(responsable)
    params = {"debut": LAST_MONTH.strftime("%Y-%m"), "fin": THIS_MONTH.strftime("%Y-%m")}
    response = client.get(reverse("statistiques"), {**params, "export": "inscriptions", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Mois", "Sessions", "Inscriptions"] and [r[2] for r in rows[1:]] == ["3", "1"]
    response = client.get(reverse("statistiques"), {**params, "export": "chiffre-affaires", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][1:] == [360.0, 300.0]
    assert client.get(reverse("statistiques"), {"export": "inconnu"}).status_code == 404


@pytest.mark.parametrize("role", [Role.RESPONSABLE, Role.ADMINISTRATIF])
def test_each_portal_role_sees_the_statistics(client, centre_a, role):
    client.force_login(MembershipFactory(centre=centre_a, role=role).user)
    assert client.get(reverse("statistiques")).status_code == 200


def test_evaluateur_and_anonymous_do_not(client, evaluateur):
    response = client.get(reverse("statistiques"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(evaluateur)
    assert client.get(reverse("statistiques")).status_code == 403


# --- The network (back office) ------------------------------------------------------------------------


def test_the_summary_table_matches_the_live_figures(centre_a, centre_b, seeded):
    produit, published, open_ = seeded
    rows, _seconds = statistics.refresh_network_statistics()
    assert rows == 4  # 2 centres × 2 months
    row = StatistiqueMensuelle.objects.get(centre=centre_a, mois=LAST_MONTH)
    assert (row.sessions, row.places, row.inscriptions, row.absences) == (1, 20, 3, 1)
    assert (row.chiffre_affaires, row.montant_commandes) == (Decimal("360.00"), Decimal("300.00"))
    b = StatistiqueMensuelle.objects.get(centre=centre_b, mois=LAST_MONTH)
    assert (
        b.inscriptions
        == Inscription.objects.filter(session__centre=centre_b, session__date__lt=THIS_MONTH).count()
    )
    # A second run replaces, never adds.
    call_command("calculer_statistiques", stdout=io.StringIO())
    assert StatistiqueMensuelle.objects.count() == 4


def test_the_refresh_is_a_beat_task():
    from django.conf import settings

    from portail.tasks import refresh_statistics

    assert settings.CELERY_BEAT_SCHEDULE["refresh-statistics"]["task"] == refresh_statistics.name


def test_the_admin_page_ranks_centres_and_says_when_it_was_computed(client, centre_a, centre_b, seeded):
    statistics.refresh_network_statistics()
    admin_force_login(client, StaffFactory())
    response = client.get(reverse("admin:portail_statistiquemensuelle_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chiffres calculés le" in html
    ranked = next(t for t in response.context["tableaux"] if t.slug == "reseau-centres")
    assert [r[2] for r in ranked.lignes] == ["Centre B", "Centre A"]  # 5 + 1 enrolments, then 3 + 1
    assert ranked.lignes[0][5] == 6
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:portail_statistiquemensuelle_changelist") in index
    export = client.get(
        reverse("admin:portail_statistiquemensuelle_changelist"),
        {"export": "reseau-centres", "format": "csv"},
    )
    assert "Centre B" in export.content.decode("utf-8-sig")


def test_the_admin_page_is_for_staff_only(client, responsable):
    client.force_login(responsable)
    response = client.get(reverse("admin:portail_statistiquemensuelle_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_page_runs_the_same_queries_at_10_rows_and_at_many(client, db):
    staff = StaffFactory()
    admin_force_login(client, staff)
    url = reverse("admin:portail_statistiquemensuelle_changelist")
    produits = [ProduitFactory() for _ in range(3)]

    def fill(n_centres):
        StatistiqueMensuelle.objects.all().delete()
        now = timezone.now()
        StatistiqueMensuelle.objects.bulk_create(
            StatistiqueMensuelle(
                centre=c,
                produit=p,
                mois=add_months(THIS_MONTH, -m),
                inscriptions=m + 1,
                places=20,
                calcule_le=now,
            )
            for c in CentreFactory.create_batch(n_centres)
            for p in produits
            for m in range(6)
        )

    fill(1)
    client.get(url)  # warm the session and the content types
    fill(1)  # a new computation: its figures are not cached yet
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    fill(40)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200 and len(response.context["tableaux"][2].lignes) == 40
    assert len(large) == len(small)
    # Until the next computation, the tables come from the cache: fewer queries still.
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    assert len(cached) < len(large)
