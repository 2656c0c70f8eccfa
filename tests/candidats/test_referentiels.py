"""One module for the reference lists: form choices and the import file's codes agree."""

from candidats import referentiels as r


def test_languages_are_named_in_french_and_coded_in_iso_639_2():
    choices = dict(r.langue_choices())
    assert choices["ara"] == "arabe" and choices["fra"] == "français" and choices["wol"] == "wolof"
    assert "ARA_arabe" in r.langue_codes() and "FRA_français" in r.langue_codes()
    assert len(choices) > 150


def test_import_codes_are_read_by_their_code_part():
    assert r.parse_langue("ARA_arabe") == "ara"
    assert r.parse_langue("ar") == "ara"  # a 2-letter code is mapped to the 3-letter one
    assert r.parse_langue("xxx_martien") is None
    assert r.parse_nationalite("DZ_Algérie") == "DZ" and r.parse_nationalite("dz") == "DZ"
    assert r.parse_nationalite("ZZ_Nulle part") is None
    assert r.parse_motivation("C_Acces a la citoyennnet") == "C"  # the guide's own typo
    assert r.parse_genre("f") == "F" and r.parse_genre("Z") is None


def test_codes_round_trip():
    for code, _ in r.langue_choices():
        assert r.parse_langue(r.langue_code(code)) == code
    for code, _ in r.nationalite_choices():
        assert r.parse_nationalite(r.nationalite_code(code)) == code
    assert r.nationalite_code("DZ") == "DZ_Algérie"
    assert r.motivation_code("C") == "C_Citoyenneté canadienne"
    assert r.motivation_code("N") == "N_Naturalisation française"
    assert r.motivation_code("S") == "S_Carte de séjour pluriannuelle"
