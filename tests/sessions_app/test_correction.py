"""Issue 5: absences, virtual candidates, mise en correction (readiness, feuille d'anomalies, FDA processing)."""

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from candidats import captures, session_day
from candidats.models import InscriptionEpreuve
from core.errors import BusinessError
from demandes import correction
from demandes.models import Anomalie
from sessions_app.models import BonDeCommande, Document, DocumentKind, SessionStatus
from tests.admin_auth import admin_force_login
from tests.factories import InscriptionFactory, MembershipFactory, SessionFactory, image_upload, past_session

pytestmark = pytest.mark.django_db


def ready_session(centre, n=2):
    """A session the day after its test: candidates with photo and signature, bon signed, absences declared."""
    session = past_session(centre)
    inscriptions = [InscriptionFactory(session=session) for _ in range(n)]
    for i in inscriptions:
        captures.store_photo(i, image_upload())
        captures.store_signature(i, image_upload())
    BonDeCommande.objects.create(session=session, statut=BonDeCommande.Statut.SIGNE)
    session_day.declare_absences(session, {})
    return session, inscriptions


def pdf_text(document) -> str:
    """The PDF's text with line breaks and repeated spaces folded (table cells wrap)."""
    with document.fichier.open("rb") as f:
        return " ".join(" ".join(page.extract_text() for page in PdfReader(f).pages).split())


# --- Absences and virtual candidates -----------------------------------------------------------------


def test_absence_per_epreuve_for_a_modular_product(centre_a):
    session = past_session(centre_a)
    inscription = InscriptionFactory(session=session)
    co = inscription.epreuves.get(epreuve__code="CO")
    session_day.set_absence(inscription, epreuve_ids=[co.epreuve_id])
    states = dict(inscription.epreuves.values_list("epreuve__code", "absent"))
    assert states == {"CE": False, "CO": True, "EE": False, "EO": False}


def test_absence_for_a_non_modular_product_is_the_whole_session(centre_a):
    session = past_session(centre_a, produit__modulaire=False)
    inscription = InscriptionFactory(session=session)
    session_day.set_absence(inscription, whole=True)
    assert set(inscription.epreuves.values_list("absent", flat=True)) == {True}


def test_absences_before_the_test_day_or_after_correction_are_refused(centre_a):
    future = InscriptionFactory(session=SessionFactory(centre=centre_a, statut=SessionStatus.CLOSE))
    with pytest.raises(BusinessError, match="à partir du jour de la session"):
        session_day.set_absence(future, whole=True)
    done = InscriptionFactory(session=past_session(centre_a, statut=SessionStatus.CORRECTION))
    with pytest.raises(BusinessError, match="ne peuvent plus être modifiées"):
        session_day.set_absence(done, whole=True)
    assert not InscriptionEpreuve.objects.filter(absent=True).exists()


def test_declaring_absences_stamps_the_session_even_with_nobody_absent(centre_a, responsable):
    session = past_session(centre_a)
    InscriptionFactory(session=session)
    session_day.declare_absences(session, {}, by=responsable)
    session.refresh_from_db()
    assert session.absences_declarees_le is not None and session.absences_declarees_par == responsable


def test_virtual_candidates_are_numbered_free_and_take_no_place(centre_a):
    session = SessionFactory(centre=centre_a, nb_places=1)
    InscriptionFactory(session=session)
    first = session_day.add_virtual_candidates(session, 2)
    more = session_day.add_virtual_candidates(session, 1)
    names = [str(i.candidat) for i in first + more]
    assert names == ["Candidat 1 VIRTUEL", "Candidat 2 VIRTUEL", "Candidat 3 VIRTUEL"]
    assert all(i.virtuel and i.prix_total == 0 and i.epreuves.count() == 4 for i in first + more)


def test_virtual_candidates_are_refused_once_in_correction(centre_a):
    with pytest.raises(BusinessError, match="tant que la session n'est pas mise en correction"):
        session_day.add_virtual_candidates(past_session(centre_a, statut=SessionStatus.CORRECTION), 1)


# --- Readiness and the guards ------------------------------------------------------------------------


def test_a_ready_session_without_anomalies_goes_straight_to_correction(centre_a, responsable):
    session, _ = ready_session(centre_a)
    assert correction.readiness(session).ready
    assert correction.put_in_correction(session, by=responsable) == SessionStatus.CORRECTION
    session.refresh_from_db()
    assert session.statut == SessionStatus.CORRECTION
    assert session.historique.last().by == responsable


def test_correction_before_the_session_date_is_refused(centre_a):
    session = SessionFactory(centre=centre_a, statut=SessionStatus.CLOSE, date=timezone.localdate())
    with pytest.raises(BusinessError, match="une fois la date de la session passée"):
        correction.put_in_correction(session)
    session.refresh_from_db()
    assert session.statut == SessionStatus.CLOSE


def test_correction_twice_is_refused(centre_a):
    session, _ = ready_session(centre_a)
    correction.put_in_correction(session)
    with pytest.raises(BusinessError, match="« En correction »"):
        correction.put_in_correction(session)
    assert session.historique.filter(to_status=SessionStatus.CORRECTION).count() == 1


def test_without_the_readiness_check_a_reason_is_required(centre_a):
    session = past_session(centre_a)
    InscriptionFactory(session=session)  # no photo, no signature, bon not signed, absences not declared
    with pytest.raises(BusinessError) as error:
        correction.put_in_correction(session)
    for missing in (
        "absences n'ont pas été déclarées",
        "bon de commande n'est pas signé",
        "sans photo",
        "sans signature",
    ):
        assert missing in error.value.message
    session.refresh_from_db()
    assert session.statut == SessionStatus.CLOSE
    correction.put_in_correction(session, reason="Panne de la webcam, photos envoyées par e-mail.")
    session.refresh_from_db()
    assert session.statut == SessionStatus.CORRECTION
    assert "Panne de la webcam" in session.historique.last().comment


def test_an_absent_candidate_needs_no_photo(centre_a):
    session, inscriptions = ready_session(centre_a)
    absent = InscriptionFactory(session=session)
    session_day.set_absence(absent, epreuve_ids=list(absent.epreuves.values_list("epreuve_id", flat=True)))
    assert correction.readiness(session).ready


def test_a_used_virtual_candidate_must_be_on_the_anomaly_sheet_whatever_the_reason(centre_a):
    session, _ = ready_session(centre_a)
    virtual = session_day.add_virtual_candidates(session, 1)[0]
    with pytest.raises(BusinessError, match="Chaque candidat virtuel utilisé doit être justifié"):
        correction.put_in_correction(session, reason="Aucune")
    line = correction.AnomalyLine(
        kind=Anomalie.Kind.CANDIDAT_VIRTUEL,
        description="Photo impossible, candidat réel passé en virtuel.",
        inscription=virtual,
    )
    assert correction.put_in_correction(session, lines=[line]) == SessionStatus.ANOMALIES


def test_an_anomaly_line_needs_a_kind_and_a_description(centre_a):
    session, _ = ready_session(centre_a)
    with pytest.raises(BusinessError, match="Anomalie 1 : la description est obligatoire"):
        correction.put_in_correction(
            session, lines=[correction.AnomalyLine(kind=Anomalie.Kind.TECHNIQUE, description=" ")]
        )
    assert not Anomalie.objects.exists()


def test_anomalies_wait_for_fda_then_the_session_goes_to_correction(
    centre_a, fda_agent, django_capture_on_commit_callbacks
):
    session, (first, second) = ready_session(centre_a)
    ee = first.epreuves.get(epreuve__code="EE").epreuve
    lines = [
        correction.AnomalyLine(
            kind=Anomalie.Kind.TECHNIQUE, description="Coupure réseau 10 min", inscription=first, epreuve=ee
        ),
        correction.AnomalyLine(
            kind=Anomalie.Kind.AUTRE, description="Retard de 15 minutes", inscription=second
        ),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert correction.put_in_correction(session, lines=lines) == SessionStatus.ANOMALIES
    sheet = Document.objects.get(session=session, kind=DocumentKind.ANOMALIES)
    text = pdf_text(sheet)
    assert f"Feuille d'anomalies — session {session.numero}" in text
    assert (
        "Coupure réseau 10 min" in text
        and f"{first.numero} — {first.candidat}" in text
        and "Problème technique" in text
    )

    a1, a2 = Anomalie.objects.filter(session=session).order_by("pk")
    assert correction.process_anomalie(a1, by=fda_agent, comment="Temps rendu") is False
    session.refresh_from_db()
    assert session.statut == SessionStatus.ANOMALIES
    with pytest.raises(BusinessError, match="déjà traitée"):
        correction.process_anomalie(a1, by=fda_agent, comment="Temps rendu")
    assert list(a1.historique.values_list("from_status", "to_status", "by", "comment")) == [
        ("", Anomalie.Statut.EN_COURS, None, "Déclarée par le centre sur la feuille d'anomalies."),
        (Anomalie.Statut.EN_COURS, Anomalie.Statut.TRAITEE, fda_agent.pk, "Temps rendu"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert correction.process_anomalie(a2, by=fda_agent, comment="Copie retrouvée") is True
    session.refresh_from_db()
    assert session.statut == SessionStatus.CORRECTION
    assert "Traitée" in pdf_text(Document.objects.get(session=session, kind=DocumentKind.ANOMALIES))


# --- Views -------------------------------------------------------------------------------------------


def test_the_correction_page_lists_what_is_missing_and_files_the_sheet(client, centre_a, administratif):
    session, (first, _) = ready_session(centre_a)
    client.force_login(administratif)
    url = reverse("sessions:correction", args=[session.numero])
    page = client.get(url).content.decode()
    assert "la session est prête" in page
    data = {
        "anomalies-TOTAL_FORMS": "3",
        "anomalies-INITIAL_FORMS": "0",
        "anomalies-0-inscription": str(first.pk),
        "anomalies-0-kind": "technique",
        "anomalies-0-description": "Écran figé",
        "anomalies-0-epreuve": "",
    }
    response = client.post(url, data, follow=True)
    assert "transmise à votre chargé(e) de clientèle" in response.content.decode()
    session.refresh_from_db()
    assert session.statut == SessionStatus.ANOMALIES
    assert Anomalie.objects.get(session=session).description == "Écran figé"


def test_the_correction_page_before_the_date_sends_back_with_a_message(client, centre_a, responsable):
    session = SessionFactory(centre=centre_a, statut=SessionStatus.CLOSE)
    client.force_login(responsable)
    response = client.get(reverse("sessions:correction", args=[session.numero]), follow=True)
    assert "une fois la date de la session passée" in response.content.decode()


def test_another_centre_gets_404(client, centre_a, centre_b):
    session, _ = ready_session(centre_a)
    client.force_login(MembershipFactory(centre=centre_b).user)
    assert client.get(reverse("sessions:correction", args=[session.numero])).status_code == 404
    assert client.post(reverse("candidats:absents", args=[session.numero])).status_code == 404


def test_absents_page_declares_for_the_session(client, centre_a, responsable, django_assert_max_num_queries):
    session = past_session(centre_a)
    inscriptions = [InscriptionFactory(session=session) for _ in range(3)]
    client.force_login(responsable)
    url = reverse("candidats:absents", args=[session.numero])
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    co = inscriptions[0].epreuves.get(epreuve__code="CO").epreuve_id
    response = client.post(url, {"absent": [f"{inscriptions[0].pk}:{co}"]}, follow=True)
    assert "1 candidat absent" in response.content.decode()
    assert InscriptionEpreuve.objects.filter(absent=True).count() == 1
    session.refresh_from_db()
    assert session.absences_declarees_par == responsable


def test_candidate_list_query_count_does_not_grow(
    client, centre_a, responsable, django_assert_max_num_queries
):
    session = past_session(centre_a)
    url = reverse("candidats:session_candidats", args=[session.numero])
    client.force_login(responsable)
    for count in (1, 20):
        for _ in range(count):
            InscriptionFactory(session=session)
        with django_assert_max_num_queries(14):
            page = client.get(url)
        assert page.status_code == 200


def test_anomaly_admin_action_processes_with_a_comment(client, centre_a, fda_agent):
    session, (first, _) = ready_session(centre_a)
    correction.put_in_correction(
        session, lines=[correction.AnomalyLine(kind="technique", description="Panne", inscription=first)]
    )
    anomalie = Anomalie.objects.get()
    admin_force_login(client, fda_agent)
    url = reverse("admin:demandes_anomalie_changelist")
    confirm = client.post(url, {"action": "marquer_traitee", "_selected_action": [anomalie.pk]})
    assert "Commentaire envoyé au centre" in confirm.content.decode()
    blank = {
        "action": "marquer_traitee",
        "_selected_action": [anomalie.pk],
        "appliquer": "1",
        "commentaire": " ",
    }
    refused = client.post(url, blank)
    assert "Écrivez le commentaire envoyé au centre" in refused.content.decode()
    anomalie.refresh_from_db()
    assert anomalie.statut == Anomalie.Statut.EN_COURS
    done = client.post(
        url,
        {
            "action": "marquer_traitee",
            "_selected_action": [anomalie.pk],
            "appliquer": "1",
            "commentaire": "Vu avec le centre",
        },
        follow=True,
    )
    assert "la session est en correction" in done.content.decode()
    anomalie.refresh_from_db()
    assert (anomalie.statut, anomalie.processed_by, anomalie.processing_comment) == (
        Anomalie.Statut.TRAITEE,
        fda_agent,
        "Vu avec le centre",
    )
