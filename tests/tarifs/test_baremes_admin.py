"""FDA edits the scales and level tables in the back office; every change is in the audit trail, and the
lookup reads the new value at once."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from tarifs.models import Bareme, TableNiveaux
from tarifs.scales import levels
from tests.admin_auth import admin_force_login

pytestmark = pytest.mark.django_db


def test_fda_edits_a_scale_with_history(client, fda_agent):
    admin_force_login(client, fda_agent)
    bareme = Bareme.objects.get(produit__code="TEFIRN", epreuve__code="CE")
    url = reverse("admin:tarifs_bareme_change", args=[bareme.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "produit": bareme.produit_id,
            "epreuve": bareme.epreuve_id,
            "date_effet": "",
            "date_fin": "2025-03-31",
            "score_max": "349",
            "source": "FDA, page des résultats du TEF IRN (vérifiée)",
        },
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(bareme).latest("timestamp")
    assert entry.actor == fda_agent
    assert entry.changes_dict["source"][1] == "FDA, page des résultats du TEF IRN (vérifiée)"


def test_fda_changes_a_cut_off_of_a_table_and_the_lookup_follows(client, fda_agent):
    admin_force_login(client, fda_agent)
    table = TableNiveaux.objects.get(
        produit__code="TEFCAN", epreuve__code="CE", nature="nclc", nom="Table C (IRCC)"
    )
    url = reverse("admin:tarifs_tableniveaux_change", args=[table.pk])
    page = client.get(url).content.decode()
    assert "Seuils NCLC" in page and 'value="434"' in page
    seuils = list(table.seuils.order_by("score_min"))
    form = {
        "nature": "nclc",
        "produit": table.produit_id,
        "epreuve": table.epreuve_id,
        "nom": table.nom,
        "date_effet": "2023-12-11",
        "date_fin": "",
        "source": table.source,
        "seuils-TOTAL_FORMS": str(len(seuils)),
        "seuils-INITIAL_FORMS": str(len(seuils)),
        "seuils-MIN_NUM_FORMS": "0",
        "seuils-MAX_NUM_FORMS": "1000",
        "paliers-TOTAL_FORMS": "0",
        "paliers-INITIAL_FORMS": "0",
        "paliers-MIN_NUM_FORMS": "0",
        "paliers-MAX_NUM_FORMS": "1000",
    }
    for i, seuil in enumerate(seuils):
        form |= {
            f"seuils-{i}-id": str(seuil.pk),
            f"seuils-{i}-table": str(table.pk),
            f"seuils-{i}-score_min": str(435 if seuil.score_min == 434 else seuil.score_min),
            f"seuils-{i}-valeur": seuil.valeur,
        }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert levels("TEFCAN", "CE", dt.date(2024, 6, 1), 434).nclc == 6
    changed = table.seuils.get(valeur="7")
    assert LogEntry.objects.get_for_object(changed).latest("timestamp").changes_dict["score_min"] == [
        "434",
        "435",
    ]
