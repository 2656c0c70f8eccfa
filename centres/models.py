from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from .querysets import CentreScopedQuerySet
from .roles import PORTAL_ROLES, Role, role_can


class Genre(models.TextChoices):
    FEMME = "F", "Femme"
    HOMME = "H", "Homme"
    NON_BINAIRE = "N", "Non binaire"


class ServiceFDA(models.TextChoices):
    CLIENTELE = "clientele", "Chargé(e) de clientèle"
    PEDAGOGIQUE = "pedagogique", "Service pédagogique"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who logs in: centre staff (through memberships) and FDA staff (is_staff)."""

    email = models.EmailField("adresse e-mail", unique=True)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    genre = models.CharField("genre", max_length=1, choices=Genre.choices, blank=True)
    telephone = PhoneNumberField("numéro de téléphone", blank=True)
    service_fda = models.CharField(
        "service FDA",
        max_length=20,
        choices=ServiceFDA.choices,
        blank=True,
        help_text="Pour le personnel FDA : le service auquel la personne appartient.",
    )
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("personnel FDA (accès à l'administration)", default=False)
    date_joined = models.DateTimeField("date d'inscription", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name.upper()}".strip()

    def get_short_name(self):
        return self.first_name

    def portal_memberships(self):
        return self.memberships.filter(
            is_active=True, centre__actif=True, role__in=PORTAL_ROLES
        ).select_related("centre")


class Visibilite(models.TextChoices):
    MASQUE = "masque", "Ne pas apparaître sur le site de pré-inscription"
    AVEC_SESSIONS = (
        "avec_sessions",
        "Apparaître sur le site de pré-inscription et afficher les sessions prévues",
    )
    SANS_SESSIONS = "sans_sessions", "Apparaître sur le site de pré-inscription sans afficher les sessions"


class CentreQuerySet(models.QuerySet):
    def for_centre(self, centre):
        return self.filter(pk=centre.pk)

    def visible_online(self):
        return self.filter(actif=True).exclude(visibilite=Visibilite.MASQUE)


class Centre(models.Model):
    code = models.CharField("code centre", max_length=20, unique=True)
    nom = models.CharField("nom du centre", max_length=200)
    adresse = models.CharField("adresse", max_length=255, blank=True)
    code_postal = models.CharField("code postal", max_length=20, blank=True)
    ville = models.CharField("ville", max_length=120, blank=True)
    pays = CountryField("pays", default="FR")
    telephone = PhoneNumberField("téléphone", blank=True)
    email = models.EmailField("e-mail de contact", blank=True)
    site_web = models.URLField("site web", blank=True)
    description = models.TextField("présentation", blank=True)
    consignes_convocation = models.TextField(
        "consignes aux candidats (convocation)",
        blank=True,
        help_text="Imprimées sur chaque convocation et reprises dans son e-mail : accès, stationnement, "
        "heure d'arrivée…",
    )
    attestation_avec_resultats = models.BooleanField(
        "joindre l'attestation à l'e-mail des résultats",
        default=False,
        help_text="Sinon l'e-mail dit seulement que les résultats sont disponibles auprès du centre.",
    )
    visibilite = models.CharField(
        "affichage sur le site de pré-inscription",
        max_length=20,
        choices=Visibilite.choices,
        default=Visibilite.MASQUE,
    )
    charge_clientele = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="chargé(e) de clientèle",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="centres_suivis",
        limit_choices_to={"is_staff": True},
    )
    actif = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = "centre"
        ordering = ["nom"]

    def __str__(self):
        return f"{self.nom} ({self.code})"

    @property
    def shows_sessions_online(self) -> bool:
        return self.visibilite == Visibilite.AVEC_SESSIONS


class MembershipQuerySet(CentreScopedQuerySet):
    def active(self):
        return self.filter(is_active=True, user__is_active=True)


class Membership(models.Model):
    """A user's role in one centre. A user may belong to several centres, one role in each."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    is_active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "rattachement à un centre"
        verbose_name_plural = "rattachements aux centres"
        constraints = [
            models.UniqueConstraint(fields=["user", "centre"], name="membership_unique_user_centre")
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.centre.nom}"

    @property
    def has_portal_access(self) -> bool:
        return self.role in PORTAL_ROLES

    def can(self, permission: str) -> bool:
        return role_can(self.role, permission)


class AccountRequestQuerySet(CentreScopedQuerySet):
    pass


class AccountRequest(models.Model):
    """ "Création d'un utilisateur centre": a responsable's request, carried by a conversation."""

    class Kind(models.TextChoices):
        CREATION = "creation", "Création de compte"
        DEACTIVATION = "deactivation", "Désactivation de compte"

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        DONE = "done", "Traitée"
        REFUSED = "refused", "Refusée"

    centre = models.ForeignKey(
        Centre, verbose_name="centre", on_delete=models.CASCADE, related_name="account_requests"
    )
    kind = models.CharField("type", max_length=20, choices=Kind.choices, default=Kind.CREATION)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="demandé par", on_delete=models.PROTECT, related_name="+"
    )
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    email = models.EmailField("e-mail")
    genre = models.CharField("genre", max_length=1, choices=Genre.choices, blank=True)
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    telephone = PhoneNumberField("numéro de téléphone", blank=True)
    document = models.FileField("document associé", upload_to="comptes/%Y/%m/", blank=True)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="compte concerné",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    conversation = models.OneToOneField(
        "messagerie.Conversation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account_request",
    )
    status = models.CharField("statut", max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = AccountRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de compte"
        verbose_name_plural = "demandes de compte"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} : {self.first_name} {self.last_name.upper()} ({self.get_role_display()})"
