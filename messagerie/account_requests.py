"""Account requests ("Création d'un utilisateur centre", deactivation): a Responsable's request is carried by a
conversation with FDA, who answers it from the back office. The flow lives with the messages because it is one:
the request starts a conversation, FDA's action replies in it and closes it."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from centres.emails import send_set_password_email
from centres.models import AccountRequest, Centre, Membership, ServiceFDA, User
from centres.roles import Permission, Role, role_can
from core.errors import BusinessError
from core.text import de

from .models import PieceJointe
from .services import close_conversation, reply, start_conversation

ACCOUNT_CREATED_REPLY = (
    "Le compte de l'utilisateur a bien été créé et l'email de définition du mot de passe a été envoyé."
)
ACCOUNT_DEACTIVATED_REPLY = "Le compte de l'utilisateur a bien été désactivé."
# Roles a responsable may ask for: the guide lists Administratif and Évaluateur requests. A new
# Responsable is FDA's decision, asked for through an ordinary conversation.
REQUESTABLE_ROLES = (Role.ADMINISTRATIF, Role.EVALUATEUR)


def service_for_role(role: str) -> str:
    """An Administratif request goes to the chargé(e) de clientèle, an Évaluateur one to the service
    pédagogique."""
    return ServiceFDA.PEDAGOGIQUE if role == Role.EVALUATEUR else ServiceFDA.CLIENTELE


def _check_may_request(by, centre: Centre) -> None:
    membership = Membership.objects.active().filter(user=by, centre=centre).first()
    if membership is None or not role_can(membership.role, Permission.REQUEST_ACCOUNTS):
        raise BusinessError(
            "Seul un Responsable de centre peut demander la création ou la désactivation d'un compte."
        )


def _full_name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name.upper()}".strip()


@transaction.atomic
def request_account(
    *,
    centre: Centre,
    by,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    genre: str = "",
    telephone="",
    document=None,
) -> AccountRequest:
    """File a "Création d'un utilisateur centre" request as a conversation routed by role."""
    _check_may_request(by, centre)
    if role not in REQUESTABLE_ROLES:
        raise BusinessError(
            "Ce rôle ne peut pas être demandé : choisissez Administratif centre ou Évaluateur centre."
        )
    email = User.objects.normalize_email(email).lower()
    if Membership.objects.active().filter(centre=centre, user__email__iexact=email).exists():
        raise BusinessError(f"L'utilisateur {email} fait déjà partie de ce centre.")
    if AccountRequest.objects.filter(
        centre=centre,
        email__iexact=email,
        kind=AccountRequest.Kind.CREATION,
        status=AccountRequest.Status.PENDING,
    ).exists():
        raise BusinessError(f"Une demande de création de compte est déjà en cours pour {email}.")
    role_label = Role(role).label
    name = _full_name(first_name, last_name)
    conversation = start_conversation(
        centre=centre,
        titre=f"Création d'un utilisateur centre : {name}",
        body=f"Bonjour, je souhaite créer l'utilisateur centre {name}, {email} pour le rôle {de(role_label)}.",
        attachments=[document] if document else [],
        by=by,
        service=service_for_role(role),
        assigned_to=centre.charge_clientele if role == Role.ADMINISTRATIF else None,
    )
    account_request = AccountRequest(
        centre=centre,
        kind=AccountRequest.Kind.CREATION,
        requested_by=by,
        first_name=first_name,
        last_name=last_name,
        email=email,
        genre=genre or "",
        role=role,
        telephone=telephone or "",
        conversation=conversation,
    )
    piece = PieceJointe.objects.filter(message__conversation=conversation).first()
    if piece is not None:
        account_request.document.name = piece.fichier.name  # the same stored file, not a copy
    account_request.save()
    return account_request


@transaction.atomic
def request_deactivation(*, membership: Membership, by) -> AccountRequest:
    """A responsable asks FDA to deactivate one of the centre's users."""
    centre = membership.centre
    _check_may_request(by, centre)
    user = membership.user
    if user.pk == by.pk:
        raise BusinessError("Vous ne pouvez pas demander la désactivation de votre propre compte.")
    if not membership.is_active:
        raise BusinessError("Ce compte est déjà désactivé pour ce centre.")
    if AccountRequest.objects.filter(
        centre=centre,
        target_user=user,
        kind=AccountRequest.Kind.DEACTIVATION,
        status=AccountRequest.Status.PENDING,
    ).exists():
        raise BusinessError("Une demande de désactivation est déjà en cours pour cet utilisateur.")
    name = _full_name(user.first_name, user.last_name)
    role_label = membership.get_role_display()
    conversation = start_conversation(
        centre=centre,
        titre=f"Désactivation d'un utilisateur centre : {name}",
        body=f"Bonjour, je souhaite désactiver l'utilisateur centre {name}, {user.email} pour le rôle {de(role_label)}.",
        by=by,
        service=service_for_role(membership.role),
        assigned_to=centre.charge_clientele if membership.role != Role.EVALUATEUR else None,
    )
    return AccountRequest.objects.create(
        centre=centre,
        kind=AccountRequest.Kind.DEACTIVATION,
        requested_by=by,
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        genre=user.genre,
        role=membership.role,
        target_user=user,
        conversation=conversation,
    )


def _lock_request(account_request: AccountRequest, kind: str) -> AccountRequest:
    locked = AccountRequest.objects.select_for_update().select_related("centre").get(pk=account_request.pk)
    if locked.kind != kind:
        raise BusinessError(
            f"La demande « {locked} » n'est pas une demande de {AccountRequest.Kind(kind).label.lower()}."
        )
    if locked.status == AccountRequest.Status.DONE:
        done = "créé" if kind == AccountRequest.Kind.CREATION else "désactivé"
        raise BusinessError(f"La demande « {locked} » a déjà été traitée : le compte a déjà été {done}.")
    if locked.status != AccountRequest.Status.PENDING:
        raise BusinessError(f"La demande « {locked} » a été refusée : elle ne peut plus être traitée.")
    return locked


def _answer_and_close(locked: AccountRequest, body: str, by) -> None:
    conversation = locked.conversation
    if conversation is None or conversation.statut == conversation.Statut.FERMEE:
        return
    reply(conversation, body=body, by=by)
    close_conversation(conversation, by=by)


def _mark_done(locked: AccountRequest, by, target_user) -> None:
    locked.status = AccountRequest.Status.DONE
    locked.target_user = target_user
    locked.processed_by = by
    locked.processed_at = timezone.now()
    locked.save(update_fields=["status", "target_user", "processed_by", "processed_at"])


@transaction.atomic
def create_account_from_request(account_request: AccountRequest, *, by) -> User:
    """FDA's "Créer le compte": the user (no usable password yet) and the membership with the requested
    role, the password-definition e-mail (after commit), the reply in the conversation, which is closed.
    A request already processed is refused with a clear message (no duplicate account)."""
    locked = _lock_request(account_request, AccountRequest.Kind.CREATION)
    user = User.objects.filter(email__iexact=locked.email).first()
    if user is None:
        try:
            with transaction.atomic():  # two requests for one e-mail (two centres) processed at once
                user = User.objects.create_user(
                    email=locked.email,
                    password=None,
                    first_name=locked.first_name,
                    last_name=locked.last_name,
                    genre=locked.genre,
                    telephone=locked.telephone,
                )
        except IntegrityError:
            user = User.objects.get(email__iexact=locked.email)
    membership, created = Membership.objects.get_or_create(
        user=user, centre=locked.centre, defaults={"role": locked.role}
    )
    if not created and (membership.role != locked.role or not membership.is_active):
        membership.role = locked.role
        membership.is_active = True
        membership.save(update_fields=["role", "is_active"])
    _mark_done(locked, by, user)
    _answer_and_close(locked, ACCOUNT_CREATED_REPLY, by)
    user_id = user.pk
    transaction.on_commit(lambda: send_set_password_email(User.objects.get(pk=user_id)))
    account_request.status = locked.status
    return user


@transaction.atomic
def deactivate_account_from_request(account_request: AccountRequest, *, by) -> Membership | None:
    """FDA's "Désactiver le compte": the user loses access to this centre (their other centres stay)."""
    locked = _lock_request(account_request, AccountRequest.Kind.DEACTIVATION)
    membership = (
        Membership.objects.select_for_update().filter(user=locked.target_user, centre=locked.centre).first()
        if locked.target_user_id
        else None
    )
    if membership is not None and membership.is_active:
        membership.is_active = False
        membership.save(update_fields=["is_active"])
    _mark_done(locked, by, locked.target_user)
    _answer_and_close(locked, ACCOUNT_DEACTIVATED_REPLY, by)
    account_request.status = locked.status
    return membership
