"""Mon centre → Mes utilisateurs: "Création d'un utilisateur centre" and deactivation requests, filed as
conversations routed by role; FDA's "Créer le compte" / "Désactiver le compte" in the admin."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from centres.models import AccountRequest, Membership, ServiceFDA, User
from centres.roles import Role
from core.errors import BusinessError
from messagerie import account_requests as services
from messagerie.models import Conversation
from tests.admin_auth import admin_force_login
from tests.factories import MembershipFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Un-Mot2passe-solide"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def charge(centre_a):
    agent = StaffFactory(email="charge@fda.test")
    centre_a.charge_clientele = agent
    centre_a.save()
    return agent


@pytest.fixture
def peda(db):
    return StaffFactory(email="peda@fda.test", service_fda=ServiceFDA.PEDAGOGIQUE)


def form_data(centre, **overrides):
    return {
        "last_name": "Bouiri",
        "first_name": "Asmaa",
        "email": "Asmaa@Exemple.test",
        "genre": "F",
        "role": Role.EVALUATEUR,
        "telephone_0": "FR",
        "telephone_1": "06 12 34 56 78",
        "centre": centre.pk,
        **overrides,
    }


def ask(centre, by, role, email="asmaa@exemple.test", **kwargs):
    return services.request_account(
        centre=centre, by=by, first_name="Asmaa", last_name="Bouiri", email=email, role=role, **kwargs
    )


def set_password_from_email(client, message, password=NEW_PASSWORD):
    link = next(line for line in message.body.splitlines() if "/mot-de-passe/definir/" in line)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get(path, follow=True)
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert done.status_code == 302


# --- Routing ---------------------------------------------------------------------------------------


def test_an_administratif_request_goes_to_the_centres_charge_de_clientele(
    centre_a, responsable, charge, peda, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(centre_a, responsable, Role.ADMINISTRATIF)
    conv = request.conversation
    assert (conv.service, conv.assigned_to, conv.centre) == (ServiceFDA.CLIENTELE, charge, centre_a)
    assert conv.messages.get().body == (
        "Bonjour, je souhaite créer l'utilisateur centre Asmaa BOUIRI, asmaa@exemple.test "
        "pour le rôle d'Administratif centre."
    )
    assert [m.to for m in mail.outbox] == [["charge@fda.test"]]


def test_an_evaluateur_request_goes_to_the_service_pedagogique(
    centre_a, responsable, charge, peda, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = ask(centre_a, responsable, Role.EVALUATEUR)
    conv = request.conversation
    assert (conv.service, conv.assigned_to) == (ServiceFDA.PEDAGOGIQUE, None)
    assert conv.messages.get().body.endswith("pour le rôle d'Évaluateur centre.")
    assert [m.to for m in mail.outbox] == [["peda@fda.test"]]


@pytest.mark.parametrize("role", [Role.ADMINISTRATIF, Role.EVALUATEUR])
def test_only_a_responsable_may_ask(centre_a, role):
    user = MembershipFactory(centre=centre_a, role=role).user
    with pytest.raises(BusinessError, match="Seul un Responsable"):
        ask(centre_a, user, Role.ADMINISTRATIF)
    assert not AccountRequest.objects.exists() and not Conversation.objects.exists()


def test_a_responsable_of_another_centre_may_not_ask_for_this_one(centre_a, responsable_b):
    with pytest.raises(BusinessError):
        ask(centre_a, responsable_b, Role.ADMINISTRATIF)


def test_a_second_pending_request_for_the_same_email_is_refused(centre_a, responsable):
    ask(centre_a, responsable, Role.ADMINISTRATIF)
    with pytest.raises(BusinessError, match="déjà en cours"):
        ask(centre_a, responsable, Role.EVALUATEUR, email="ASMAA@exemple.test")


def test_a_responsable_role_cannot_be_asked_for(centre_a, responsable):
    with pytest.raises(BusinessError):
        ask(centre_a, responsable, Role.RESPONSABLE)


# --- The form ------------------------------------------------------------------------------------


def test_the_form_has_the_guides_fields_and_defaults_the_phone_to_france(client, responsable):
    client.force_login(responsable)
    content = client.get(reverse("centres:demande_compte")).content.decode()
    for label in (
        "Nom",
        "Prénom",
        "Adresse e-mail",
        "Genre",
        "Rôle",
        "Numéro de téléphone",
        "Centre",
        "Document associé",
    ):
        assert label in content
    assert '<option value="FR" selected>' in content
    assert "Administratif centre" in content and "Évaluateur centre" in content


def test_the_form_files_the_request_with_its_document(client, responsable, centre_a, charge):
    client.force_login(responsable)
    doc = SimpleUploadedFile("pièce d'identité.pdf", b"%PDF-1.4 id", content_type="application/pdf")
    response = client.post(
        reverse("centres:demande_compte"), form_data(centre_a, role=Role.ADMINISTRATIF, document=doc)
    )
    request = AccountRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("messagerie:detail", args=[request.conversation_id])
    assert (request.email, request.role, request.requested_by) == (
        "asmaa@exemple.test",
        Role.ADMINISTRATIF,
        responsable,
    )
    assert str(request.telephone) == "+33612345678"
    assert request.document.name.endswith(".pdf")
    assert request.conversation.messages.get().pieces_jointes.get().fichier.name == request.document.name
    page = client.get(response["Location"]).content.decode()
    assert "chargé(e) de clientèle" in page and "pour le rôle d&#x27;Administratif centre" in page


def test_a_responsable_of_several_centres_chooses_the_centre(client, centre_a, centre_b):
    user = UserFactory(email="multi@test.test")
    MembershipFactory(user=user, centre=centre_a, role=Role.RESPONSABLE)
    MembershipFactory(user=user, centre=centre_b, role=Role.RESPONSABLE)
    client.force_login(user)
    content = client.get(reverse("centres:demande_compte")).content.decode()
    assert "Centre A" in content and "Centre B" in content
    client.post(reverse("centres:demande_compte"), form_data(centre_b))
    assert AccountRequest.objects.get().centre == centre_b


def test_a_centre_where_the_user_is_not_responsable_is_not_a_choice(client, responsable, centre_b):
    MembershipFactory(user=responsable, centre=centre_b, role=Role.ADMINISTRATIF)
    client.force_login(responsable)
    response = client.post(reverse("centres:demande_compte"), form_data(centre_b))
    assert response.status_code == 200
    assert not AccountRequest.objects.exists()


@pytest.mark.parametrize("role", [Role.ADMINISTRATIF, Role.EVALUATEUR])
def test_the_form_is_for_responsables_only(client, centre_a, role):
    user = MembershipFactory(centre=centre_a, role=role).user
    client.force_login(user)
    assert client.get(reverse("centres:demande_compte")).status_code == 403
    assert client.post(reverse("centres:demande_compte"), form_data(centre_a)).status_code == 403
    assert not AccountRequest.objects.exists()


def test_mes_utilisateurs_shows_the_create_and_deactivate_buttons_to_responsables_only(
    client, responsable, administratif
):
    client.force_login(responsable)
    content = client.get(reverse("centres:utilisateurs")).content.decode()
    assert "Création d'un utilisateur centre" in content and "Demander la désactivation" in content
    client.force_login(administratif)
    content = client.get(reverse("centres:utilisateurs")).content.decode()
    assert "Création d'un utilisateur centre" not in content and "Demander la désactivation" not in content


# --- FDA creates the account ------------------------------------------------------------------------


def test_creer_le_compte_creates_the_user_emails_the_link_replies_and_closes(
    centre_a, responsable, charge, django_capture_on_commit_callbacks
):
    request = ask(centre_a, responsable, Role.ADMINISTRATIF, telephone="+33612345678")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        user = services.create_account_from_request(request, by=charge)
    assert (user.email, user.first_name, user.last_name) == ("asmaa@exemple.test", "Asmaa", "Bouiri")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Role.ADMINISTRATIF
    request.refresh_from_db()
    assert (request.status, request.target_user, request.processed_by) == (
        AccountRequest.Status.DONE,
        user,
        charge,
    )
    conv = Conversation.objects.get(pk=request.conversation_id)
    assert conv.statut == Conversation.Statut.FERMEE
    last = conv.messages.last()
    assert last.from_fda and last.body == services.ACCOUNT_CREATED_REPLY
    subjects = {m.subject: m.to for m in mail.outbox}
    assert subjects["Portail centres : définissez votre mot de passe"] == ["asmaa@exemple.test"]


def test_creer_le_compte_twice_creates_nothing_more_and_says_why(centre_a, responsable, charge):
    request = ask(centre_a, responsable, Role.ADMINISTRATIF)
    services.create_account_from_request(request, by=charge)
    with pytest.raises(BusinessError, match="déjà été traitée"):
        services.create_account_from_request(request, by=charge)
    assert User.objects.filter(email="asmaa@exemple.test").count() == 1
    assert Membership.objects.filter(user__email="asmaa@exemple.test").count() == 1
    assert Conversation.objects.get().messages.count() == 2


def test_an_existing_user_of_another_centre_gets_a_membership_only(centre_a, centre_b, responsable, charge):
    other = MembershipFactory(centre=centre_b, role=Role.RESPONSABLE, user__email="asmaa@exemple.test").user
    request = ask(centre_a, responsable, Role.ADMINISTRATIF)
    user = services.create_account_from_request(request, by=charge)
    assert user == other
    assert set(user.memberships.values_list("centre__code", "role")) == {
        ("A001", Role.ADMINISTRATIF),
        ("B001", Role.RESPONSABLE),
    }


def test_the_administratif_logs_in_after_setting_a_password_the_evaluateur_cannot(
    client, centre_a, responsable, charge, peda, django_capture_on_commit_callbacks, login
):
    for email, role in (("admin2@a.test", Role.ADMINISTRATIF), ("eval2@a.test", Role.EVALUATEUR)):
        request = ask(centre_a, responsable, role, email=email)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.create_account_from_request(request, by=peda)
        message = next(m for m in mail.outbox if m.to == [email] and "mot de passe" in m.subject)
        assert login.with_password(email, NEW_PASSWORD).status_code == 200  # no password yet
        set_password_from_email(client, message)
        response = login.with_password(email, NEW_PASSWORD)
        if role == Role.ADMINISTRATIF:
            assert response.status_code == 302 and response["Location"] == reverse("dashboard")
            client.post(reverse("logout"))
        else:
            assert response.status_code == 200
            assert "Le rôle Évaluateur centre ne donne pas accès au portail" in response.content.decode()
            assert "_auth_user_id" not in client.session


# --- Deactivation -----------------------------------------------------------------------------------


def test_a_responsable_asks_for_a_deactivation_and_fda_deactivates(
    client, centre_a, centre_b, responsable, administratif, charge
):
    MembershipFactory(user=administratif, centre=centre_b, role=Role.ADMINISTRATIF)
    membership = Membership.objects.get(user=administratif, centre=centre_a)
    client.force_login(responsable)
    confirm = client.get(reverse("centres:demande_desactivation_confirm", args=[membership.pk]))
    assert administratif.email in confirm.content.decode()
    response = client.post(reverse("centres:demande_desactivation", args=[membership.pk]))
    request = AccountRequest.objects.get()
    assert response["Location"] == reverse("messagerie:detail", args=[request.conversation_id])
    assert (request.kind, request.target_user) == (AccountRequest.Kind.DEACTIVATION, administratif)
    assert request.conversation.messages.get().body.startswith(
        "Bonjour, je souhaite désactiver l'utilisateur centre"
    )
    assert request.conversation.assigned_to == charge

    with pytest.raises(BusinessError):
        services.create_account_from_request(request, by=charge)  # not a creation request
    services.deactivate_account_from_request(request, by=charge)
    membership.refresh_from_db()
    assert membership.is_active is False
    assert Membership.objects.get(user=administratif, centre=centre_b).is_active  # other centre untouched
    conv = Conversation.objects.get()
    assert conv.statut == Conversation.Statut.FERMEE
    assert conv.messages.last().body == services.ACCOUNT_DEACTIVATED_REPLY


def test_a_responsable_cannot_ask_to_deactivate_themselves(client, centre_a, responsable):
    membership = Membership.objects.get(user=responsable)
    client.force_login(responsable)
    response = client.post(reverse("centres:demande_desactivation", args=[membership.pk]), follow=True)
    assert "votre propre compte" in response.content.decode()
    assert not AccountRequest.objects.exists()


def test_deactivation_of_another_centres_user_answers_404(client, responsable, responsable_b):
    membership = Membership.objects.get(user=responsable_b)
    client.force_login(responsable)
    assert client.post(reverse("centres:demande_desactivation", args=[membership.pk])).status_code == 404


# --- The admin ----------------------------------------------------------------------------------------


def test_the_admin_action_and_the_button_from_the_conversation(client, centre_a, responsable, charge):
    first = ask(centre_a, responsable, Role.ADMINISTRATIF, email="un@a.test")
    second = ask(centre_a, responsable, Role.EVALUATEUR, email="deux@a.test")
    admin_force_login(client, charge)
    changelist = reverse("admin:centres_accountrequest_changelist")
    confirm = client.post(changelist, {"action": "creer_les_comptes", "_selected_action": [first.pk]})
    assert "Confirmez « Créer le compte »" in confirm.content.decode()
    assert not User.objects.filter(email="un@a.test").exists()
    apply = {"action": "creer_les_comptes", "_selected_action": [first.pk], "appliquer": "1"}
    response = client.post(changelist, apply, follow=True)
    assert "Le compte de un@a.test a été créé" in response.content.decode()
    again = client.post(changelist, apply, follow=True)
    assert "déjà été traitée" in again.content.decode()
    assert User.objects.filter(email="un@a.test").count() == 1

    conv_page = client.get(reverse("admin:messagerie_conversation_change", args=[second.conversation_id]))
    confirm_url = reverse("admin:centres_accountrequest_creer", args=[second.pk])
    assert confirm_url in conv_page.content.decode()
    confirm = client.get(confirm_url)
    assert "deux@a.test" in confirm.content.decode() and "Évaluateur centre" in confirm.content.decode()
    assert not User.objects.filter(email="deux@a.test").exists()
    client.post(confirm_url)
    assert Membership.objects.get(user__email="deux@a.test").role == Role.EVALUATEUR
    assert Conversation.objects.get(pk=second.conversation_id).statut == Conversation.Statut.FERMEE


def test_a_payload_in_the_requested_name_is_escaped_in_the_portal_and_admin(
    client, centre_a, responsable, charge
):
    payload = "<script>alert(1)</script>"
    request = services.request_account(
        centre=centre_a,
        by=responsable,
        first_name=payload,
        last_name="X",
        email="x@a.test",
        role=Role.ADMINISTRATIF,
    )
    client.force_login(responsable)
    for url in (reverse("messagerie:list"), reverse("messagerie:detail", args=[request.conversation_id])):
        assert "<script>alert(1)" not in client.get(url).content.decode()
    admin_force_login(client, charge)
    for url in (
        reverse("admin:centres_accountrequest_change", args=[request.pk]),
        reverse("admin:centres_accountrequest_creer", args=[request.pk]),
        reverse("admin:messagerie_conversation_change", args=[request.conversation_id]),
    ):
        content = client.get(url).content.decode()
        assert "<script>alert(1)" not in content and "&lt;script&gt;" in content


def test_a_document_of_a_forbidden_type_is_refused_and_nothing_is_filed(client, responsable, centre_a):
    client.force_login(responsable)
    doc = SimpleUploadedFile("page.html", b"<script>alert(1)</script>", content_type="text/html")
    response = client.post(reverse("centres:demande_compte"), form_data(centre_a, document=doc))
    assert response.status_code == 200
    assert "n&#x27;est pas accepté" in response.content.decode()
    assert not AccountRequest.objects.exists() and not Conversation.objects.exists()


def test_an_invalid_phone_number_is_refused(client, responsable, centre_a):
    client.force_login(responsable)
    response = client.post(reverse("centres:demande_compte"), form_data(centre_a, telephone_1="12"))
    assert response.status_code == 200
    assert not AccountRequest.objects.exists()
