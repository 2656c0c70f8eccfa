"""Mon centre → Tarifs: the catalogue, the product page and "Définir les tarifs"."""

from decimal import Decimal

import pytest
from django.urls import reverse

from centres.roles import Role
from core.errors import BusinessError
from tarifs.models import Produit, Tarif, TarifHistorique
from tarifs.services import set_tarifs
from tests.factories import MembershipFactory, ProduitFactory, TarifFactory, epreuve


@pytest.fixture
def modular(db):
    return ProduitFactory(numero=29, nom="TEF Canada", code="TEFCAN", modulaire=True)


@pytest.fixture
def single(db):
    return ProduitFactory(
        numero=30, nom="TEF Intégration Résidence Nationalité", code="TEFIRN", modulaire=False
    )


def by_code(produit, **amounts):
    return {produit.epreuves.get(code=c).pk: Decimal(v) for c, v in amounts.items()}


# --- Service ----------------------------------------------------------------------------------------


def test_a_modular_product_gets_one_tarif_per_epreuve_with_history(centre_a, responsable, modular):
    set_tarifs(
        centre=centre_a,
        produit=modular,
        montants=by_code(modular, CE="40", CO="40", EE="45", EO="45"),
        by=responsable,
    )
    assert sorted(Tarif.objects.filter(centre=centre_a).values_list("epreuve__code", "montant")) == [
        ("CE", Decimal("40.00")),
        ("CO", Decimal("40.00")),
        ("EE", Decimal("45.00")),
        ("EO", Decimal("45.00")),
    ]
    set_tarifs(
        centre=centre_a,
        produit=modular,
        montants=by_code(modular, CE="40", CO="40", EE="45", EO="50"),
        by=responsable,
    )
    eo = TarifHistorique.objects.filter(tarif__epreuve__code="EO").order_by("le", "pk")
    assert [(h.ancien_montant, h.nouveau_montant) for h in eo] == [
        (None, Decimal("45.00")),
        (Decimal("45.00"), Decimal("50.00")),
    ]
    assert TarifHistorique.objects.filter(tarif__epreuve__code="CE").count() == 1  # unchanged: no new row


def test_a_non_modular_product_gets_a_single_price(centre_a, single):
    set_tarifs(centre=centre_a, produit=single, montants={None: Decimal("150.00")})
    assert list(Tarif.objects.values_list("epreuve", "montant")) == [(None, Decimal("150.00"))]


def test_tarifs_are_per_centre(centre_a, centre_b, single):
    set_tarifs(centre=centre_a, produit=single, montants={None: Decimal("150.00")})
    set_tarifs(centre=centre_b, produit=single, montants={None: Decimal("90.00")})
    assert Tarif.objects.get(centre=centre_a).montant == Decimal("150.00")


@pytest.mark.parametrize(
    ("montants", "message"),
    [
        ({}, "manquant"),
        ({None: Decimal("0")}, "supérieur à zéro"),
        ({None: Decimal("1.234")}, "deux décimales"),
    ],
)
def test_wrong_amounts_are_refused_in_french(centre_a, single, montants, message):
    with pytest.raises(BusinessError, match=message):
        set_tarifs(centre=centre_a, produit=single, montants=montants)


def test_an_inactive_product_cannot_be_priced(centre_a, single):
    single.statut = Produit.Statut.INACTIF
    single.save()
    with pytest.raises(BusinessError, match="inactif"):
        set_tarifs(centre=centre_a, produit=single, montants={None: Decimal("10")})


# --- Pages ------------------------------------------------------------------------------------------


def test_the_list_shows_the_guide_columns_and_the_centres_tarif(logged, centre_a, centre_b, modular, single):
    TarifFactory(centre=centre_a, produit=single, montant=Decimal("150.00"))
    TarifFactory(centre=centre_b, produit=modular, epreuve=epreuve("CE"), montant=Decimal("77.00"))
    content = logged.get(reverse("tarifs:produits")).content.decode()
    for col in ("N°", "Gamme", "Épreuves", "Nom du produit", "Produit modulaire", "Statut", "Type"):
        assert f"<th>{col}</th>" in content
    assert "CE, CO, EE, EO" in content and "TEF Canada" in content
    assert "150,00" in content and "77,00" not in content


def test_the_list_filters_by_produit_gamme_modulaire_statut(logged, modular, single):
    # The guide's six products ship with the migrations (TEF is inactive since 20/10/2023).
    def names(**params):
        return sorted(p.nom for p in logged.get(reverse("tarifs:produits"), params).context["page"])

    assert names(gamme="DFP") == ["DFP Affaires A1", "DFP Affaires niveau B1"]
    assert names(modulaire="1") == ["TEF", "TEF Canada", "TEF Québec"]
    assert names(modulaire="0", statut="actif") == [
        "DFP Affaires A1",
        "DFP Affaires niveau B1",
        "TEF Intégration Résidence Nationalité",
    ]
    assert names(statut="inactif") == ["TEF"]
    assert names(produit=modular.pk) == [modular.nom]


@pytest.mark.parametrize("rows", [5, 200])
def test_the_list_runs_a_bounded_number_of_queries(logged, centre_a, rows, django_assert_max_num_queries):
    for _ in range(rows):
        produit = ProduitFactory(modulaire=False)
        TarifFactory(centre=centre_a, produit=produit)
    with django_assert_max_num_queries(12):
        assert logged.get(reverse("tarifs:produits")).status_code == 200


def test_the_product_page_shows_its_identity(logged, modular):
    modular.description = "Test d'évaluation de français modulaire 4 épreuves"
    modular.save()
    content = logged.get(reverse("tarifs:produit", args=[29])).content.decode()
    for text in (
        "Identité du produit",
        "Nom du produit",
        "Description du produit",
        "Code du produit",
        "Gamme du produit",
        "Produit modulaire",
        "Document",
        "TEFCAN",
        "Définir les tarifs",
    ):
        assert text in content


@pytest.mark.parametrize("role", [Role.RESPONSABLE, Role.ADMINISTRATIF])
def test_responsable_and_administratif_define_tarifs(client, centre_a, modular, role):
    user = MembershipFactory(centre=centre_a, role=role).user
    client.force_login(user)
    form = client.get(reverse("tarifs:definir", args=[29])).context["form"]
    assert list(form.fields) == ["montant_CE", "montant_CO", "montant_EE", "montant_EO"]
    response = client.post(
        reverse("tarifs:definir", args=[29]),
        {"montant_CE": "40,50", "montant_CO": "40", "montant_EE": "45", "montant_EO": "45"},
        follow=True,
    )
    assert "Les tarifs du produit « TEF Canada » ont été enregistrés." in response.content.decode()
    assert Tarif.objects.get(centre=centre_a, epreuve__code="CE").montant == Decimal("40.50")
    assert TarifHistorique.objects.filter(par=user).count() == 4


def test_definir_shows_french_errors(logged, single):
    response = logged.post(reverse("tarifs:definir", args=[30]), {"montant_unique": "12,345"})
    assert "Le prix doit avoir au plus deux décimales." in response.content.decode()
    response = logged.post(reverse("tarifs:definir", args=[30]), {"montant_unique": "abc"})
    assert "Saisissez un montant en euros" in response.content.decode()
    assert not Tarif.objects.exists()
