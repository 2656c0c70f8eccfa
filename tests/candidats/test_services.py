"""The enrolment service: every rule, with the French message the user reads."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from candidats import services
from candidats.codes import ACCESS_CODE_REGEX
from candidats.models import Candidat, DemandeContact, Inscription, InscriptionSource, PreInscription
from candidats.services import ConfirmationRequired, EnrolRow, RowsInvalid, enrol, enrol_many
from core.errors import BusinessError
from sessions_app.closure import PARIS
from sessions_app.models import SessionStatus
from tarifs.models import Produit
from tests.candidats.conftest import data, eps
from tests.factories import InscriptionFactory, SessionFactory, epreuve


def test_it_enrols_with_a_number_an_access_code_and_the_session_prices(session_canada, responsable):
    result = enrol(
        session=session_canada, candidat_data=data(), epreuves=eps("CE", "CO", "EE", "EO"), by=responsable
    )
    inscription = result.inscription
    assert inscription.numero == 2000001
    assert re.match(ACCESS_CODE_REGEX, inscription.code_acces)
    assert inscription.prix_total == Decimal("190.00")
    assert {ie.epreuve.code: ie.prix for ie in inscription.epreuves.all()} == {
        "CE": Decimal("40.00"),
        "CO": Decimal("45.00"),
        "EE": Decimal("50.00"),
        "EO": Decimal("55.00"),
    }
    assert inscription.source == InscriptionSource.SUR_PLACE and inscription.created_by == responsable
    assert result.warnings == []
    second = enrol(
        session=session_canada, candidat_data=data(nom="Martin"), epreuves=eps("CE", "CO", "EE", "EO")
    )
    assert second.inscription.numero == 2000002


def test_a_non_modular_product_takes_every_epreuve_at_its_single_price(session_irn):
    inscription = enrol(session=session_irn, candidat_data=data(motivation="C"), epreuves=[]).inscription
    assert sorted(ie.epreuve.code for ie in inscription.epreuves.all()) == ["CE", "CO", "EE", "EO"]
    assert inscription.prix_total == Decimal("150.00")


def test_a_modular_product_needs_at_least_one_epreuve(session_canada):
    with pytest.raises(BusinessError, match="Choisissez au moins une épreuve."):
        enrol(session=session_canada, candidat_data=data(motivation="A"), epreuves=[])


def test_the_required_epreuves_of_the_motivation_are_enforced(session_canada):
    with pytest.raises(BusinessError) as exc:
        enrol(session=session_canada, candidat_data=data(motivation="I"), epreuves=eps("CO", "EO"))
    assert exc.value.message == (
        "Pour le TEF Canada (Immigration Canada), les épreuves CE, CO, EE, EO sont obligatoires."
    )
    # Citizenship: CO + EO are enough, and the price follows the épreuves chosen.
    inscription = enrol(
        session=session_canada, candidat_data=data(motivation="C"), epreuves=eps("CO", "EO")
    ).inscription
    assert inscription.prix_total == Decimal("100.00")


def test_a_rule_without_motivation_applies_to_every_candidate(session_canada, tef_canada):
    from tarifs.models import RegleEpreuves

    regle = RegleEpreuves.objects.create(produit=tef_canada, motivation="")
    regle.epreuves.set(eps("CO"))
    with pytest.raises(BusinessError, match="les épreuves CO sont obligatoires"):
        enrol(session=session_canada, candidat_data=data(motivation="A"), epreuves=eps("CE"))


def test_an_epreuve_outside_the_product_is_refused(session_canada):
    with pytest.raises(BusinessError, match="Épreuve hors du produit TEF Canada : LS."):
        enrol(session=session_canada, candidat_data=data(motivation="A"), epreuves=eps("CE", "LS"))


def test_it_refuses_enrolment_after_d2(centre_a, tef_canada):
    session = SessionFactory(centre=centre_a, produit=tef_canada, date=dt.date(2026, 12, 15))  # a Tuesday
    with time_machine.travel(dt.datetime(2026, 12, 13, 0, 0, 1, tzinfo=PARIS), tick=False):
        with pytest.raises(BusinessError) as exc:
            enrol(session=session, candidat_data=data(motivation="A"), epreuves=eps("CE"))
    assert "sont closes depuis le 13/12/2026" in exc.value.message
    with time_machine.travel(dt.datetime(2026, 12, 12, 23, 59, tzinfo=PARIS), tick=False):
        assert enrol(session=session, candidat_data=data(motivation="A"), epreuves=eps("CE")).inscription


def test_a_cancelled_session_accepts_no_enrolment(centre_a, tef_canada):
    session = SessionFactory(centre=centre_a, produit=tef_canada, statut=SessionStatus.ANNULEE)
    with pytest.raises(BusinessError, match="n'accepte plus d'inscription"):
        enrol(session=session, candidat_data=data(motivation="A"), epreuves=eps("CE"))


def test_a_full_session_says_so(centre_a, tef_canada):
    session = SessionFactory(centre=centre_a, produit=tef_canada, nb_places=1)
    enrol(session=session, candidat_data=data(motivation="A"), epreuves=eps("CE"))
    with pytest.raises(BusinessError) as exc:
        enrol(session=session, candidat_data=data(nom="Autre", motivation="A"), epreuves=eps("CE"))
    assert exc.value.message == "La session est complète."


def test_a_cancelled_enrolment_frees_its_place(centre_a, tef_canada):
    session = SessionFactory(centre=centre_a, produit=tef_canada, nb_places=1)
    first = enrol(session=session, candidat_data=data(motivation="A"), epreuves=eps("CE")).inscription
    first.statut = "annule"
    first.save()
    assert enrol(
        session=session, candidat_data=data(nom="Autre", motivation="A"), epreuves=eps("CE")
    ).inscription


def test_the_same_person_twice_in_a_session_is_refused_whatever_the_case_and_accents(session_canada):
    enrol(
        session=session_canada,
        candidat_data=data(nom="Lefèvre", prenom="Élodie", motivation="A"),
        epreuves=eps("CE"),
    )
    with pytest.raises(BusinessError, match="est déjà inscrit\\(e\\) à cette session"):
        enrol(
            session=session_canada,
            candidat_data=data(nom="LEFEVRE ", prenom="elodie", motivation="A"),
            epreuves=eps("CO"),
        )


def test_the_waiting_period_refuses_when_the_product_says_refuser(centre_a, tef_canada, session_canada):
    tef_canada.regle_delai = Produit.RegleDelai.REFUSER
    tef_canada.save()
    earlier = SessionFactory(
        centre=centre_a, produit=tef_canada, date=session_canada.date - dt.timedelta(days=10)
    )
    enrol(session=earlier, candidat_data=data(motivation="A"), epreuves=eps("CE"))
    with pytest.raises(BusinessError) as exc:
        enrol(session=session_canada, candidat_data=data(motivation="A"), epreuves=eps("CE"))
    assert "le délai de 30 jours entre deux passages n'est pas respecté" in exc.value.message


def test_the_waiting_period_warns_and_needs_a_confirmation_when_the_product_says_avertir(
    centre_a, tef_canada, session_canada
):
    later = SessionFactory(
        centre=centre_a, produit=tef_canada, date=session_canada.date + dt.timedelta(days=29)
    )
    enrol(session=later, candidat_data=data(motivation="A"), epreuves=eps("CE"))
    with pytest.raises(ConfirmationRequired) as exc:
        enrol(session=session_canada, candidat_data=data(motivation="A"), epreuves=eps("CE"))
    assert "délai de 30 jours" in exc.value.warnings[0]
    assert Inscription.objects.filter(session=session_canada).count() == 0
    result = enrol(
        session=session_canada, candidat_data=data(motivation="A"), epreuves=eps("CE"), confirm_warnings=True
    )
    assert result.warnings and result.inscription.pk
    # Outside the waiting period: no warning.
    far = SessionFactory(
        centre=centre_a, produit=tef_canada, date=session_canada.date + dt.timedelta(days=61)
    )
    assert enrol(session=far, candidat_data=data(motivation="A"), epreuves=eps("CE")).warnings == []


def test_a_known_candidate_of_the_centre_is_reused_and_updated(session_canada, centre_a, tef_canada):
    other = SessionFactory(
        centre=centre_a, produit=tef_canada, date=session_canada.date + dt.timedelta(days=90)
    )
    first = enrol(session=session_canada, candidat_data=data(motivation="A"), epreuves=eps("CE")).inscription
    second = enrol(
        session=other, candidat_data=data(motivation="A", email="nouveau@d.fr"), epreuves=eps("CE")
    ).inscription
    assert first.candidat_id == second.candidat_id
    assert Candidat.objects.get(pk=first.candidat_id).email == "nouveau@d.fr"


def test_missing_and_impossible_candidate_data_are_refused(session_canada):
    with pytest.raises(BusinessError, match="« Nom » est obligatoire."):
        enrol(session=session_canada, candidat_data=data(nom=" "), epreuves=eps("CE"))
    with pytest.raises(BusinessError, match="La date de naissance est dans le futur."):
        enrol(session=session_canada, candidat_data=data(naissance=dt.date(2999, 1, 1)), epreuves=eps("CE"))


# --- enrol_many -------------------------------------------------------------------------------------


def rows(n, start=1, **extra):
    return [
        EnrolRow(ligne=7 + i, data=data(nom=f"Nom{i}", motivation="A", **extra), epreuves=eps("CE"))
        for i in range(start, start + n)
    ]


def test_enrol_many_writes_every_row(session_canada, responsable):
    numbers = enrol_many(session=session_canada, rows=rows(3), by=responsable)
    assert numbers == [2000001, 2000002, 2000003]
    assert sorted(Inscription.objects.filter(session=session_canada).values_list("numero", flat=True)) == [
        2000001,
        2000002,
        2000003,
    ]
    assert set(Inscription.objects.values_list("source", flat=True)) == {InscriptionSource.IMPORT}
    assert all(i.prix_total == Decimal("40.00") for i in Inscription.objects.all())


def test_enrol_many_writes_nothing_when_one_row_is_wrong(session_canada):
    batch = rows(3)
    batch[1].epreuves = []
    batch[2].data.date_naissance = dt.date(2999, 1, 1)
    with pytest.raises(RowsInvalid) as exc:
        enrol_many(session=session_canada, rows=batch)
    assert [(e.ligne, e.colonne) for e in exc.value.errors] == [(9, "Épreuves"), (10, "Date de naissance")]
    assert Inscription.objects.count() == 0 and Candidat.objects.count() == 0


def test_enrol_many_checks_the_places_for_the_whole_file(session_canada):
    enrol_many(session=session_canada, rows=rows(8))
    with pytest.raises(RowsInvalid) as exc:
        enrol_many(session=session_canada, rows=rows(3, start=20))
    assert (
        exc.value.errors[-1].message
        == "Places insuffisantes : il reste 2 places dans la session pour 3 candidats."
    )
    assert Inscription.objects.count() == 8


def test_enrol_many_finds_duplicates_in_the_file_and_in_the_session(session_canada):
    enrol(session=session_canada, candidat_data=data(nom="Déjà", motivation="A"), epreuves=eps("CE"))
    batch = rows(2) + [EnrolRow(ligne=20, data=data(nom="Nom1", motivation="A"), epreuves=eps("CE"))]
    batch.append(EnrolRow(ligne=21, data=data(nom="deja", motivation="A"), epreuves=eps("CE")))
    with pytest.raises(RowsInvalid) as exc:
        enrol_many(session=session_canada, rows=batch)
    messages = {e.ligne: e.message for e in exc.value.errors}
    assert messages[20] == "Candidat en double dans le fichier (même personne qu'à la ligne 8)."
    assert "déjà inscrit(e) à cette session" in messages[21]


# --- Update -----------------------------------------------------------------------------------------


def test_modifier_les_informations_changes_data_and_epreuves_while_open(session_canada):
    inscription = enrol(
        session=session_canada, candidat_data=data(motivation="A"), epreuves=eps("CE")
    ).inscription
    services.update_inscription(
        inscription, data=data(nom="Durand", motivation="A"), epreuves=eps("CE", "EO")
    )
    inscription.refresh_from_db()
    assert inscription.candidat.nom == "Durand"
    assert inscription.prix_total == Decimal("95.00")


def test_epreuves_cannot_change_after_closure(centre_a, tef_canada):
    session = SessionFactory(centre=centre_a, produit=tef_canada)
    inscription = InscriptionFactory(session=session)
    session.statut = SessionStatus.CLOSE
    session.save()
    with pytest.raises(BusinessError, match="n'accepte plus d'inscription"):
        services.update_inscription(inscription, data=data(motivation="A"), epreuves=eps("CE"))
    services.update_inscription(inscription, data=data(nom="Renommé", motivation="A"))
    assert Candidat.objects.get(pk=inscription.candidat_id).nom == "Renommé"


# --- Pre-registrations and contact requests ----------------------------------------------------------


def test_a_pre_registration_is_acknowledged_then_transferred_through_enrol(
    session_canada, centre_a, responsable, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pre = services.create_pre_inscription(
            centre=centre_a, session=session_canada, data=data(motivation="A")
        )
    assert mail.outbox[-1].to == ["m@d.fr"] and "pré-inscription" in mail.outbox[-1].subject
    result = services.transfer_pre_inscription(
        pre, session=session_canada, epreuves=eps("CE"), by=responsable
    )
    pre.refresh_from_db()
    assert pre.statut == PreInscription.Statut.TRANSFEREE and pre.inscription == result.inscription
    assert result.inscription.source == InscriptionSource.PRE_INSCRIPTION
    with pytest.raises(BusinessError, match="déjà « Transférée »"):
        services.transfer_pre_inscription(pre, session=session_canada, epreuves=eps("CE"), by=responsable)
    assert list(pre.historique.values_list("from_status", "to_status", "by")) == [
        ("", PreInscription.Statut.A_TRAITER, None),
        (PreInscription.Statut.A_TRAITER, PreInscription.Statut.TRANSFEREE, responsable.pk),
    ]


def test_a_transfer_into_a_full_session_leaves_the_pre_registration_to_handle(
    centre_a, tef_canada, responsable
):
    session = SessionFactory(centre=centre_a, produit=tef_canada, nb_places=0)
    pre = services.create_pre_inscription(centre=centre_a, session=None, data=data(motivation="A"))
    with pytest.raises(BusinessError, match="La session est complète."):
        services.transfer_pre_inscription(pre, session=session, epreuves=eps("CE"), by=responsable)
    pre.refresh_from_db()
    assert pre.statut == PreInscription.Statut.A_TRAITER
    assert pre.historique.count() == 1  # its creation only


def test_declining_a_pre_registration_needs_a_reason_and_mails_it(
    centre_a, responsable, django_capture_on_commit_callbacks
):
    pre = services.create_pre_inscription(centre=centre_a, session=None, data=data())
    with pytest.raises(BusinessError, match="motif"):
        services.decline_pre_inscription(pre, motif=" ", by=responsable)
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_pre_inscription(pre, motif="Session complète, réessayez en mars.", by=responsable)
    assert "Motif : Session complète, réessayez en mars." in mail.outbox[-1].body


def test_a_contact_request_is_answered_by_email_once(
    centre_a, responsable, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        demande = services.create_demande_contact(
            centre=centre_a,
            nom="Ndiaye",
            prenom="Awa",
            email="awa@exemple.test",
            message="Quand est la prochaine session ?",
        )
    assert mail.outbox[-1].to == ["awa@exemple.test"]
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_demande_contact(demande, reponse="Le 12 mars.", by=responsable)
    assert "Le 12 mars." in mail.outbox[-1].body
    demande.refresh_from_db()
    assert demande.statut == DemandeContact.Statut.TRAITEE and demande.traitee_par == responsable
    with pytest.raises(BusinessError, match="déjà traitée"):
        services.close_demande_contact(demande, by=responsable)
    assert list(demande.historique.values_list("from_status", "to_status", "by")) == [
        ("", DemandeContact.Statut.A_TRAITER, None),
        (DemandeContact.Statut.A_TRAITER, DemandeContact.Statut.TRAITEE, responsable.pk),
    ]


def test_every_enrolment_path_locks_the_session_first(session_canada, django_assert_max_num_queries):
    assert services._LOCK_SESSION is True
    # Bounded work for one candidate: lock, rules, duplicates, number, code, rows.
    with django_assert_max_num_queries(30):
        enrol(session=session_canada, candidat_data=data(motivation="A"), epreuves=eps("CE"))
    assert epreuve("CE")
