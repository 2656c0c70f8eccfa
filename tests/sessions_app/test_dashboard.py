"""Tableau de bord: LISTE DES 5 PROCHAINES SESSIONS (number, label "7000183 - TEF Canada - 05/10/2026", status)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from sessions_app.closure import PARIS
from sessions_app.models import SessionStatus
from tests.factories import ProduitFactory, SessionFactory


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 9, 1, 10, 0, tzinfo=PARIS), tick=False):
        yield


def test_it_lists_the_five_next_sessions_of_the_centre(client, responsable, centre_a, centre_b):
    produit = ProduitFactory(nom="TEF Canada")
    past = SessionFactory(centre=centre_a, produit=produit, date=dt.date(2026, 8, 30))
    cancelled = SessionFactory(
        centre=centre_a, produit=produit, date=dt.date(2026, 9, 10), statut=SessionStatus.ANNULEE
    )
    other = SessionFactory(centre=centre_b, produit=produit, date=dt.date(2026, 9, 11))
    upcoming = [
        SessionFactory(centre=centre_a, produit=produit, date=dt.date(2026, 9, 12) + dt.timedelta(days=7 * i))
        for i in range(6)
    ]
    client.force_login(responsable)
    page = client.get(reverse("dashboard"))
    shown = [s.numero for s in page.context["prochaines_sessions"]]
    assert shown == [s.numero for s in upcoming[:5]]
    content = page.content.decode()
    assert f"{upcoming[0].numero} - TEF Canada - 12/09/2026" in content
    assert reverse("sessions:detail", args=[upcoming[0].numero]) in content
    assert "Inscriptions ouvertes" in content
    for hidden in (past, cancelled, other, upcoming[5]):
        assert hidden.label not in content
