"""core.bulk: the import's writer (COPY on PostgreSQL, bulk_create elsewhere) and its pause of the
garbage collector."""

import datetime as dt
import gc
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from candidats import codes as access_codes
from candidats.codes import ACCESS_CODE_ALPHABET, ACCESS_CODE_REGEX, generate_access_codes
from candidats.models import Candidat, Inscription, InscriptionEpreuve, InscriptionSource, InscriptionStatus
from core.bulk import collector_paused, insert_rows
from tests.factories import CentreFactory, InscriptionFactory, SessionFactory, epreuve

pytestmark = pytest.mark.django_db


def test_rows_are_written_with_the_model_defaults_and_their_ids_in_order():
    centre = CentreFactory()
    before = timezone.now()
    ids = insert_rows(
        Candidat,
        [
            {"centre_id": centre.pk, "nom": "Zola", "prenom": "Émile", "date_naissance": dt.date(1990, 4, 2)},
            {"centre_id": centre.pk, "nom": "Sand", "prenom": "George", "date_naissance": None},
        ],
        returning_ids=True,
    )
    zola, sand = (Candidat.objects.get(pk=pk) for pk in ids)
    assert (zola.nom, zola.prenom, zola.date_naissance) == ("Zola", "Émile", dt.date(1990, 4, 2))
    assert (sand.nom, sand.date_naissance) == ("Sand", None)
    # Fields the rows leave out: the model's defaults, the creation instants now.
    assert sand.email == "" and sand.virtuel is False and sand.anonymised_at is None
    assert zola.created_at >= before and zola.updated_at >= before
    # The folded copies the searches compare (core.fields.FoldedCharField) are computed from the row.
    assert (zola.nom_recherche, zola.prenom_recherche) == ("zola", "emile")
    # The sequence moved past the ids drawn: the next ordinary insert does not collide.
    assert Candidat.objects.create(centre=centre, nom="Hugo", prenom="Victor").pk > max(ids)


def test_an_enrolment_and_its_epreuves_with_a_callable_default_and_decimals():
    session = SessionFactory()
    candidat = Candidat.objects.create(centre=session.centre, nom="Curie", prenom="Marie")
    [inscription_id] = insert_rows(
        Inscription,
        [
            {
                "numero": 2999999,
                "session_id": session.pk,
                "candidat_id": candidat.pk,
                "code_acces": "ABC-DEF-GHJ",
                "source": InscriptionSource.IMPORT,
                "prix_total": Decimal("190.50"),
            }
        ],
        returning_ids=True,
    )
    insert_rows(
        InscriptionEpreuve,
        [{"inscription_id": inscription_id, "epreuve_id": epreuve("CE").pk, "prix": Decimal("40.25")}],
    )
    inscription = Inscription.objects.get(pk=inscription_id)
    assert inscription.statut == InscriptionStatus.INSCRIT and inscription.prix_total == Decimal("190.50")
    assert inscription.created_at is not None and inscription.photo.name == ""
    assert [(e.epreuve.code, e.prix, e.absent) for e in inscription.epreuves.all()] == [
        ("CE", Decimal("40.25"), False)
    ]


def test_a_row_breaking_a_constraint_writes_nothing():
    centre = CentreFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(
            Candidat,
            [
                {"centre_id": centre.pk, "nom": "A", "prenom": "B"},
                {"centre_id": centre.pk, "nom": None, "prenom": "D"},
            ],
        )
    assert not Candidat.objects.filter(nom__in=["A", "C"]).exists()


def test_no_row_writes_nothing():
    assert insert_rows(Candidat, [], returning_ids=True) == []


def test_access_codes_drawn_in_a_batch_have_the_guides_form_and_every_character_equally():
    codes = generate_access_codes(50_000)
    assert len(set(codes)) == 50_000
    assert all(re.match(ACCESS_CODE_REGEX, code) for code in codes[:1000])
    counts = Counter("".join(codes).replace("-", ""))
    assert set(counts) == set(ACCESS_CODE_ALPHABET)
    # 450,000 characters over 31: 14,516 each, give or take 119 (one standard deviation). A byte taken
    # modulo 31 without dropping 248-255 would favour 8 characters by 1/8 (about 16,300 each).
    assert all(13_900 < n < 15_100 for n in counts.values())


def test_the_garbage_collector_is_paused_for_a_batch_and_back_on_after_it_even_when_it_fails():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("disque plein")
    assert gc.isenabled()
    # Switched off by someone else: a batch does not switch it back on behind their back.
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_code_already_given_to_an_enrolment_is_drawn_again(monkeypatch):
    taken = InscriptionFactory().code_acces
    draws = iter([[taken, "AAA-AAA-AAA"], ["BBB-BBB-BBB"]])
    monkeypatch.setattr(
        access_codes, "generate_access_codes", lambda count: next(draws)[:count] if count else []
    )
    assert sorted(access_codes.new_unique_access_codes(2)) == ["AAA-AAA-AAA", "BBB-BBB-BBB"]


def test_drawing_only_codes_already_given_stops_with_an_error(monkeypatch):
    taken = InscriptionFactory().code_acces
    monkeypatch.setattr(access_codes, "generate_access_codes", lambda count: [taken] * count)
    with pytest.raises(RuntimeError, match="code d'accès unique"):
        access_codes.new_unique_access_code()
