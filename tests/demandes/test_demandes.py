"""Issue 6: requests filed by a centre at the right moment, decided by FDA, applied, notified; réinscription."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from candidats.models import Inscription, InscriptionStatus
from core.errors import BusinessError
from demandes import services
from demandes.models import Demande, DemandeKind, DemandeStatus, Notification
from sessions_app.models import SessionStatus
from tests.admin_auth import admin_force_login
from tests.factories import (
    InscriptionFactory,
    MembershipFactory,
    SessionFactory,
    add_session_tarifs,
    past_session,
    uploaded_pdf,
)

pytestmark = pytest.mark.django_db
K = DemandeKind

# A status in which each kind may be filed, and one in which it may not.
RIGHT_AND_WRONG = {
    K.AMENAGEMENT: (
        SessionStatus.OUVERTE,
        SessionStatus.CLOSE,
        "tant que les inscriptions de la session sont ouvertes",
    ),
    K.DISPENSE: (
        SessionStatus.OUVERTE,
        SessionStatus.CORRECTION,
        "tant que les inscriptions de la session sont ouvertes",
    ),
    K.REPORT: (SessionStatus.CORRECTION, SessionStatus.RESULTATS, "avant la publication des résultats"),
    K.FRAUDE: (SessionStatus.CLOSE, SessionStatus.OUVERTE, "à partir du jour de la session"),
    K.RECOURS: (SessionStatus.RESULTATS, SessionStatus.CORRECTION, "une fois les résultats publiés"),
}


def enrolment(centre, statut, **kwargs):
    session = (
        past_session(centre, statut=statut, **kwargs)
        if statut != SessionStatus.OUVERTE
        else SessionFactory(centre=centre, statut=statut, **kwargs)
    )
    return InscriptionFactory(session=session)


def file(inscription, kind, **kwargs):
    defaults = {"description": "Certificat médical joint.", "justificatifs": [uploaded_pdf("certificat.pdf")]}
    if kind == K.AMENAGEMENT:
        defaults["sous_type"] = Demande.Amenagement.TIERS_TEMPS
    if kind == K.FRAUDE:
        defaults["sous_type"] = Demande.Incident.FRAUDE
    if kind == K.DISPENSE:
        defaults["epreuve"] = inscription.epreuves.get(epreuve__code="EO").epreuve
    defaults.update(kwargs)
    return services.file_demande(inscription, kind, by=inscription.created_by, **defaults)


@pytest.mark.parametrize("kind", list(RIGHT_AND_WRONG))
def test_each_kind_is_filed_only_at_its_moment(centre_a, kind):
    right, wrong, why = RIGHT_AND_WRONG[kind]
    demande = file(enrolment(centre_a, right), kind)
    assert demande.statut == DemandeStatus.EN_COURS and demande.numero >= 1
    assert demande.historique.get().to_status == DemandeStatus.EN_COURS
    with pytest.raises(BusinessError, match=why):
        file(enrolment(centre_a, wrong), kind)
    assert Demande.objects.filter(kind=kind).count() == 1


def test_fraude_before_the_session_day_is_refused(centre_a):
    inscription = InscriptionFactory(session=SessionFactory(centre=centre_a, statut=SessionStatus.CLOSE))
    with pytest.raises(BusinessError, match="à partir du jour de la session"):
        file(inscription, K.FRAUDE)


def test_amenagement_after_d2_is_refused_even_before_the_closure_job_ran(centre_a):
    # Still « Inscriptions ouvertes » in the database, but the session is tomorrow: past D-2.
    session = SessionFactory(
        centre=centre_a, statut=SessionStatus.OUVERTE, date=timezone.localdate() + dt.timedelta(days=1)
    )
    with pytest.raises(BusinessError, match="tant que les inscriptions de la session sont ouvertes"):
        file(InscriptionFactory(session=session), K.AMENAGEMENT)
    assert not Demande.objects.exists()


def test_one_open_request_of_a_kind_per_enrolment(centre_a):
    inscription = enrolment(centre_a, SessionStatus.OUVERTE)
    file(inscription, K.REPORT)
    with pytest.raises(BusinessError, match="déjà en cours de traitement"):
        file(inscription, K.REPORT)


def test_bad_requests_change_nothing(centre_a):
    inscription = enrolment(centre_a, SessionStatus.OUVERTE)
    with pytest.raises(BusinessError, match="description de la demande est obligatoire"):
        file(inscription, K.REPORT, description="  ")
    with pytest.raises(BusinessError, match="Joignez un justificatif"):
        file(inscription, K.AMENAGEMENT, justificatifs=[])
    with pytest.raises(BusinessError, match="Choisissez la nature"):
        file(inscription, K.AMENAGEMENT, sous_type="")
    with pytest.raises(BusinessError, match="ne correspond pas à son extension"):
        file(
            inscription,
            K.REPORT,
            justificatifs=[SimpleUploadedFile("x.pdf", b"<script>", content_type="application/pdf")],
        )
    assert not Demande.objects.exists()


# --- Decisions ---------------------------------------------------------------------------------------


def test_a_validated_tiers_temps_is_recorded_on_the_enrolment(centre_a, fda_agent):
    demande = file(enrolment(centre_a, SessionStatus.OUVERTE), K.AMENAGEMENT)
    services.decide(demande, accept=True, by=fda_agent, comment="Certificat valable")
    assert Inscription.objects.get(pk=demande.inscription_id).tiers_temps is True
    assert list(demande.historique.values_list("to_status", flat=True)) == [
        DemandeStatus.EN_COURS,
        DemandeStatus.VALIDEE,
    ]


def test_a_validated_fraude_is_recorded_and_a_refused_one_is_not(centre_a, fda_agent):
    validated = file(enrolment(centre_a, SessionStatus.CLOSE), K.FRAUDE)
    refused = file(enrolment(centre_a, SessionStatus.CLOSE), K.FRAUDE)
    services.decide(validated, accept=True, by=fda_agent)
    services.decide(refused, accept=False, by=fda_agent)
    assert Inscription.objects.get(pk=validated.inscription_id).fraude is True
    assert Inscription.objects.get(pk=refused.inscription_id).fraude is False


def test_a_validated_dispense_is_no_longer_charged(centre_a, fda_agent):
    from candidats.billing import commande_for
    from tests.factories import prix_fda

    inscription = enrolment(centre_a, SessionStatus.OUVERTE)
    for code in ("CE", "CO", "EE", "EO"):
        prix_fda(inscription.session.produit, "40.00", code)
    before = commande_for(inscription.session).total
    services.decide(file(inscription, K.DISPENSE), accept=True, by=fda_agent)
    assert inscription.epreuves.get(epreuve__code="EO").dispense is True
    assert before - commande_for(inscription.session).total == 40


def test_a_decision_taken_twice_is_refused(centre_a, fda_agent):
    demande = file(enrolment(centre_a, SessionStatus.OUVERTE), K.REPORT)
    services.decide(demande, accept=False, by=fda_agent)
    with pytest.raises(BusinessError, match="déjà « Refusée »"):
        services.decide(demande, accept=True, by=fda_agent)
    demande.refresh_from_db()
    assert demande.statut == DemandeStatus.REFUSEE
    assert Notification.objects.count() == 1
    assert list(demande.historique.values_list("from_status", "to_status", "by")) == [
        ("", DemandeStatus.EN_COURS, None),
        (DemandeStatus.EN_COURS, DemandeStatus.REFUSEE, fda_agent.pk),
    ]


@pytest.mark.parametrize("accept", [True, False])
@pytest.mark.parametrize(
    "kind, noun",
    [
        (K.REPORT, "Votre demande de report"),
        (K.AMENAGEMENT, "Votre demande d'aménagement"),
        (K.DISPENSE, "Votre dispense"),
        (K.FRAUDE, "Votre fraude"),
        (K.RECOURS, "Votre recours"),
    ],
)
def test_every_decision_notifies_the_centre_in_the_guides_words(
    centre_a, fda_agent, responsable, kind, noun, accept, django_capture_on_commit_callbacks, smtp
):
    inscription = enrolment(centre_a, RIGHT_AND_WRONG[kind][0])
    inscription.created_by = responsable
    inscription.save()
    demande = file(inscription, kind)
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(demande, accept=accept, by=fda_agent)
    session, candidat = inscription.session, inscription.candidat
    verb = ("validé" if accept else "refusé") + ("" if kind == K.RECOURS else "e")
    expected = (
        f"{noun} concernant la session {session.numero} - {session.produit.nom} - {session.date:%d/%m/%Y} "
        f"et le candidat {candidat.prenom} {candidat.nom.upper()} a été {verb}."
    )
    notification = Notification.objects.filter(demande=demande).first()  # newest first
    assert notification.message.startswith(expected)
    assert notification.url == reverse("candidats:inscription", args=[inscription.numero])
    [message] = smtp.messages
    assert message.envelope_to == [responsable.email]
    assert message.subject.startswith(f"{demande.get_kind_display()} n°{demande.numero} : ")
    assert expected in message.text and expected.replace("'", "&#x27;") in message.html
    link = "http://127.0.0.1:8000" + reverse("candidats:inscription", args=[inscription.numero])
    assert link in message.text and f'href="{link}"' in message.html


def test_a_declared_fraude_shows_at_once_as_being_studied_by_fda(centre_a, fda_agent):
    inscription = enrolment(centre_a, SessionStatus.CLOSE)
    demande = file(inscription, K.FRAUDE)
    session, candidat = inscription.session, inscription.candidat
    assert [n.message for n in Notification.objects.for_centre(centre_a)] == [
        f"Votre fraude concernant la session {session.label} et le candidat {candidat.prenom} "
        f"{candidat.nom.upper()} est en cours d'étude par le FDA."
    ]
    services.decide(demande, accept=False, by=fda_agent, comment="Preuves insuffisantes.")
    newest = Notification.objects.for_centre(centre_a).first()
    assert newest.message.endswith("a été refusée. Commentaire du FDA : Preuves insuffisantes.")
    # Other kinds notify only when decided.
    file(enrolment(centre_a, SessionStatus.CLOSE), K.REPORT)
    assert Notification.objects.for_centre(centre_a).count() == 2


# --- Réinscription after a report ---------------------------------------------------------------------


def test_a_validated_report_moves_the_candidate_without_paying_twice(centre_a, fda_agent, responsable):
    inscription = enrolment(centre_a, SessionStatus.CLOSE)
    inscription.prix_total = 200
    inscription.save()
    target = SessionFactory(centre=centre_a, produit=inscription.session.produit)
    add_session_tarifs(target)
    demande = file(inscription, K.REPORT)
    with pytest.raises(BusinessError, match="Seule une demande de report validée"):
        services.reinscrire(demande, target, by=responsable)
    services.decide(demande, accept=True, by=fda_agent)
    new = services.reinscrire(demande, target, by=responsable)
    inscription.refresh_from_db()
    assert inscription.statut == InscriptionStatus.REPORTE
    assert (new.session, new.reporte_depuis, new.prix_total, new.source) == (target, inscription, 0, "report")
    assert sorted(new.epreuves.values_list("epreuve__code", flat=True)) == ["CE", "CO", "EE", "EO"]
    with pytest.raises(BusinessError, match="déjà été réinscrit"):
        services.reinscrire(demande, target, by=responsable)


def test_reinscription_checks_the_target_session(centre_a, fda_agent, responsable):
    inscription = enrolment(centre_a, SessionStatus.CLOSE)
    demande = file(inscription, K.REPORT)
    services.decide(demande, accept=True, by=fda_agent)
    other_product = SessionFactory(centre=centre_a)
    with pytest.raises(BusinessError, match="même produit"):
        services.reinscrire(demande, other_product, by=responsable)
    full = SessionFactory(centre=centre_a, produit=inscription.session.produit, nb_places=1)
    InscriptionFactory(session=full)
    with pytest.raises(BusinessError, match="complète"):
        services.reinscrire(demande, full, by=responsable)
    inscription.refresh_from_db()
    assert inscription.statut == InscriptionStatus.INSCRIT  # nothing changed


# --- Views and admin -----------------------------------------------------------------------------------


def test_filing_from_the_candidate_page(client, centre_a, administratif):
    inscription = enrolment(centre_a, SessionStatus.CLOSE)
    client.force_login(administratif)
    url = reverse("demandes:nouvelle", args=[inscription.numero, "fraude"])
    assert "Signaler une fraude ou un incident" in client.get(url).content.decode()
    response = client.post(
        url, {"sous_type": "fraude", "description": "Téléphone utilisé pendant la CE"}, follow=True
    )
    assert "en cours d&#x27;étude par le FDA" in response.content.decode()
    demande = Demande.objects.get()
    assert (demande.kind, demande.created_by) == (K.FRAUDE, administratif)
    page = client.get(
        reverse("candidats:session_candidats", args=[inscription.session.numero])
    ).content.decode()
    assert ">F</span>" in page and "text-bg-warning" in page


def test_a_request_at_the_wrong_time_says_why(client, centre_a, responsable):
    inscription = enrolment(centre_a, SessionStatus.CLOSE)
    client.force_login(responsable)
    response = client.get(reverse("demandes:nouvelle", args=[inscription.numero, "dispense"]), follow=True)
    assert (
        "Une demande de dispense n&#x27;est possible que tant que les inscriptions"
        in response.content.decode()
    )


def test_another_centre_gets_404(client, centre_a, centre_b, fda_agent):
    inscription = enrolment(centre_a, SessionStatus.CLOSE)
    demande = file(inscription, K.REPORT)
    services.decide(demande, accept=True, by=fda_agent)
    client.force_login(MembershipFactory(centre=centre_b).user)
    assert client.get(reverse("demandes:nouvelle", args=[inscription.numero, "report"])).status_code == 404
    assert client.get(reverse("demandes:reinscrire", args=[demande.numero])).status_code == 404
    assert "Aucune demande." in client.get(reverse("demandes:list")).content.decode()


def test_the_list_runs_a_bounded_number_of_queries(
    client, centre_a, responsable, django_assert_max_num_queries
):
    client.force_login(responsable)
    for n in (1, 10):
        for _ in range(n):
            file(enrolment(centre_a, SessionStatus.OUVERTE), K.REPORT)
        with django_assert_max_num_queries(10):
            assert client.get(reverse("demandes:list"), {"kind": "report"}).status_code == 200


def test_reinscrire_page(client, centre_a, responsable, fda_agent):
    inscription = enrolment(centre_a, SessionStatus.CLOSE)
    target = SessionFactory(centre=centre_a, produit=inscription.session.produit)
    demande = file(inscription, K.REPORT)
    services.decide(demande, accept=True, by=fda_agent)
    client.force_login(responsable)
    url = reverse("demandes:reinscrire", args=[demande.numero])
    assert str(target.numero) in client.get(url).content.decode()
    response = client.post(url, {"session": target.pk}, follow=True)
    assert "sans nouveau paiement" in response.content.decode()
    old_page = client.get(reverse("candidats:inscription", args=[inscription.numero])).content.decode()
    assert "Réinscrit(e) dans" in old_page and "Reporté" in old_page


def test_admin_lists_per_kind_accept_with_a_comment_and_export(client, centre_a, fda_agent):
    report = file(enrolment(centre_a, SessionStatus.CLOSE), K.REPORT, description='=HYPERLINK("http://x")')
    fraude = file(enrolment(centre_a, SessionStatus.CLOSE), K.FRAUDE)
    admin_force_login(client, fda_agent)
    reports = client.get(reverse("admin:demandes_report_changelist")).content.decode()
    assert f">{report.numero}<" in reports and f">{fraude.numero}<" not in reports
    url = reverse("admin:demandes_report_changelist")
    confirm = client.post(url, {"action": "accepter", "_selected_action": [report.pk]})
    assert "Commentaire (transmis au centre)" in confirm.content.decode()
    client.post(
        url, {"action": "accepter", "_selected_action": [report.pk], "appliquer": "1", "commentaire": "OK"}
    )
    report.refresh_from_db()
    assert (report.statut, report.decision_comment) == (DemandeStatus.VALIDEE, "OK")
    twice = client.post(
        url, {"action": "refuser", "_selected_action": [report.pk], "appliquer": "1"}, follow=True
    )
    assert "déjà « Validée »" in twice.content.decode()
    export = client.post(
        reverse("admin:demandes_demande_changelist"),
        {"action": "exporter_excel", "_selected_action": [report.pk, fraude.pk]},
    )
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "N° demande" and len(rows) == 3
    assert """'=HYPERLINK("http://x")""" in [r[10] for r in rows[1:]]  # never a formula
