"""Reference data present on every install (not demo data): FDA's catalogue of the guide's six products and
their épreuves, the registration rules, the published score scales and level tables
(/work/shared/reference/tef-scales.md). Idempotent: everything is looked up by its natural key (Epreuve.code,
Produit.code, a table's product + épreuve + nature + date d'effet), so an install where the demo already
created the catalogue keeps its rows.

Before this migration the scales and thresholds of TEF, TEF Canada, TEFAQ and TEF IRN came from the demo
(values matching no published table): they are replaced. What is not published ships empty, for FDA to
enter in the back office: CECRL cut-offs on 0–699, the old-score equivalence, TEF IRN from 1 April 2025,
the DFP scales."""

import datetime as dt

from django.db import migrations

EPREUVES = [
    ("CE", "Compréhension écrite"),
    ("CO", "Compréhension orale"),
    ("EE", "Expression écrite"),
    ("EO", "Expression orale"),
    ("LS", "Lexique et structure"),
    ("CTI", "Compréhension et traitement de l'information"),
    ("IO", "Interaction orale"),
]
QUATRE = ["CE", "CO", "EE", "EO"]

# The guide's product list (PRODUCT.md §3).
PRODUITS = [
    dict(numero=28, code="TEF", gamme="TEF", nom="TEF", epreuves=QUATRE + ["LS"], modulaire=True,
         statut="inactif", date_debut=dt.date(2022, 12, 14), date_fin=dt.date(2023, 10, 20),
         description="Test d'évaluation de français."),
    dict(numero=29, code="TEFCAN", gamme="TEF", nom="TEF Canada", epreuves=QUATRE, modulaire=True,
         statut="actif", date_debut=dt.date(2022, 12, 14), date_fin=None,
         description="Test d'évaluation de français modulaire 4 épreuves pour l'immigration au Canada, "
         "l'accès à la citoyenneté canadienne, les forces canadiennes"),
    dict(numero=32, code="TEFAQ", gamme="TEF", nom="TEF Québec", epreuves=QUATRE, modulaire=True,
         statut="actif", date_debut=dt.date(2022, 12, 14), date_fin=None,
         description="Test d'évaluation de français adapté au Québec, pour l'immigration au Québec."),
    dict(numero=30, code="TEFIRN", gamme="TEF", nom="TEF Intégration Résidence Nationalité", epreuves=QUATRE,
         modulaire=False, statut="actif", date_debut=dt.date(2022, 12, 14), date_fin=None,
         description="Test pour l'intégration, la carte de résident et la nationalité française."),
    dict(numero=31, code="DFPA1", gamme="DFP", nom="DFP Affaires A1", epreuves=["CTI", "IO"], modulaire=False,
         statut="actif", date_debut=dt.date(2022, 12, 15), date_fin=None,
         description="Diplôme de français professionnel Affaires, niveau A1."),
    dict(numero=34, code="DFPB1", gamme="DFP", nom="DFP Affaires niveau B1", epreuves=["CTI", "IO"],
         modulaire=False, statut="actif", date_debut=dt.date(2023, 1, 23), date_fin=None,
         description="Diplôme de français professionnel Affaires, niveau B1."),
]

SOURCE_INSCRIPTION = "FDA, conditions d'inscription au TEF Canada"
COMBINAISONS_TEFCAN = [
    (QUATRE, "Les quatre épreuves CE, CO, EE et EO (immigration fédérale)"),
    (["CO", "EO"], "CO et EO (citoyenneté canadienne)"),
]

FIN_ANCIENNE = dt.date(2019, 9, 30)
DEBUT_699 = dt.date(2019, 10, 1)
FIN_B = dt.date(2023, 12, 10)
DEBUT_C = dt.date(2023, 12, 11)
FIN_IRN_349 = dt.date(2025, 3, 31)

# (produit, épreuves, date d'effet, jusqu'au, {épreuve: maximum}, source)
BAREMES = [
    ("TEF", QUATRE + ["LS"], None, None, dict.fromkeys(QUATRE + ["LS"], 699),
     "lefrancaisdesaffaires.fr, page du TEF"),
    ("TEFCAN", QUATRE, None, FIN_ANCIENNE, {"CE": 300, "CO": 360, "EE": 450, "EO": 450},
     "FDA, page des résultats ; canada.ca, « Test equivalency charts »"),
    ("TEFCAN", QUATRE, DEBUT_699, None, dict.fromkeys(QUATRE, 699),
     "FDA, page des résultats ; canada.ca, « Test equivalency charts » (échelle 0–699 depuis le 1er octobre 2019)"),
    ("TEFAQ", QUATRE, None, None, dict.fromkeys(QUATRE, 699), "FDA, page de présentation du TEFAQ"),
    ("TEFIRN", QUATRE, None, FIN_IRN_349, dict.fromkeys(QUATRE, 349),
     "FDA, page des résultats du TEF IRN ; « Le TEF IRN évolue au 1er avril 2025 » (0–349 jusqu'au 31 mars 2025)"),
]

NCLC_LEVELS = [10, 9, 8, 7, 6, 5, 4]
# TEF Canada → NCLC (IRCC), per skill: minimum score of each level, NCLC 10 down to 4.
NCLC_TABLES = [
    ("Table A (IRCC, ancienne échelle)", None, FIN_ANCIENNE,
     "canada.ca, « Test equivalency charts » (officiel) — tests jusqu'au 30 septembre 2019",
     {"CE": [263, 248, 233, 207, 181, 151, 121], "CO": [316, 298, 280, 249, 217, 181, 145],
      "EE": [393, 371, 349, 310, 271, 226, 181], "EO": [393, 371, 349, 310, 271, 226, 181]}),
    ("Table B (IRCC)", DEBUT_699, FIN_B,
     "IRCC, page PGWP (source secondaire : une transcription) — tests du 1er octobre 2019 au 10 décembre 2023",
     dict.fromkeys(QUATRE, [566, 533, 500, 450, 400, 350, 300])),
    ("Table C (IRCC)", DEBUT_C, None,
     "IRCC, page PGWP (deux transcriptions concordantes) — tests à partir du 11 décembre 2023",
     {"CE": [546, 503, 462, 434, 393, 352, 306], "CO": [546, 503, 462, 434, 393, 352, 306],
      "EE": [558, 512, 472, 428, 379, 330, 268], "EO": [556, 518, 494, 456, 422, 387, 328]}),
]

# TEF IRN before 1 April 2025 (secondary): A1 when every épreuve ≥ 100; A2 when every épreuve > 167 and at
# least three > 200; B1 when every épreuve > 267 and at least three > 300 (scores are whole: > 167 is ≥ 168).
IRN_PALIERS = [("A1", 100, 0, None), ("A2", 168, 3, 201), ("B1", 268, 3, 301)]
IRN_SOURCE = "FDA, page des résultats du TEF IRN (source secondaire) — tests jusqu'au 31 mars 2025"


def forwards(apps, schema_editor):
    Epreuve = apps.get_model("tarifs", "Epreuve")
    Produit = apps.get_model("tarifs", "Produit")
    RegleEpreuves = apps.get_model("tarifs", "RegleEpreuves")
    Bareme = apps.get_model("tarifs", "Bareme")
    TableNiveaux = apps.get_model("tarifs", "TableNiveaux")
    Seuil = apps.get_model("tarifs", "Seuil")
    PalierGlobal = apps.get_model("tarifs", "PalierGlobal")

    epreuves = {}
    for ordre, (code, libelle) in enumerate(EPREUVES, start=1):
        epreuves[code], _ = Epreuve.objects.get_or_create(code=code, defaults={"libelle": libelle, "ordre": ordre})
    produits = {}
    for spec in PRODUITS:
        spec = dict(spec)
        codes, code = spec.pop("epreuves"), spec.pop("code")
        spec["validite_annees"] = 2 if spec["gamme"] == "TEF" else None
        produit, created = Produit.objects.get_or_create(code=code, defaults=spec)
        if not created and produit.gamme == "TEF" and produit.validite_annees is None:
            produit.validite_annees = 2
            produit.save(update_fields=["validite_annees"])
        produit.epreuves.add(*[epreuves[c] for c in codes])
        produits[code] = produit

    # Registration rules. TEF Canada: exactly the four épreuves or CO + EO. TEFAQ: 1 to 4 independent épreuves
    # (the rule "CO + EO obligatoires" of the demo goes). Citizenship rules of TEF IRN become naturalisation.
    RegleEpreuves.objects.filter(produit__code__in=["TEFCAN", "TEFAQ"], type="obligatoires").delete()
    RegleEpreuves.objects.filter(produit__code="TEFIRN", motivation="C").update(motivation="N")
    for codes, libelle in COMBINAISONS_TEFCAN:
        regle, _ = RegleEpreuves.objects.get_or_create(
            produit=produits["TEFCAN"], type="combinaison", motivation="", libelle=libelle,
            defaults={"source": SOURCE_INSCRIPTION},
        )
        regle.epreuves.set([epreuves[c] for c in codes])

    shipped = ["TEF", "TEFCAN", "TEFAQ", "TEFIRN"]
    Bareme.objects.filter(produit__code__in=shipped).exclude(source__gt="").delete()
    for code, codes, start, end, maxima, source in BAREMES:
        for c in codes:
            Bareme.objects.update_or_create(
                produit=produits[code], epreuve=epreuves[c], date_effet=start,
                defaults={"date_fin": end, "score_max": maxima[c], "source": source},
            )
    for nom, start, end, source, by_epreuve in NCLC_TABLES:
        for c, minima in by_epreuve.items():
            table, _ = TableNiveaux.objects.update_or_create(
                produit=produits["TEFCAN"], epreuve=epreuves[c], nature="nclc", date_effet=start,
                defaults={"nom": nom, "date_fin": end, "source": source, "demo": False},
            )
            table.seuils.all().delete()
            Seuil.objects.bulk_create(
                Seuil(table=table, score_min=m, valeur=str(level)) for m, level in zip(minima, NCLC_LEVELS, strict=True)
            )
    table, _ = TableNiveaux.objects.update_or_create(
        produit=produits["TEFIRN"], epreuve=None, nature="global", date_effet=None,
        defaults={"nom": "Niveau global (avant le 1er avril 2025)", "date_fin": FIN_IRN_349,
                  "source": IRN_SOURCE, "demo": False},
    )
    table.paliers.all().delete()
    PalierGlobal.objects.bulk_create(
        PalierGlobal(table=table, niveau=n, minimum_toutes=t, nombre=k, minimum_plusieurs=p)
        for n, t, k, p in IRN_PALIERS
    )


class Migration(migrations.Migration):
    dependencies = [("tarifs", "0002_levels_model")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
