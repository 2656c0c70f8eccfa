"""The e-mail that tells a centre FDA decided on its request (the same sentence as in INFORMATIONS)."""

from django.urls import reverse

from centres.models import Membership
from centres.roles import PORTAL_ROLES, Role
from core import emails

from . import services
from .models import Demande


def recipients(demande: Demande) -> list[str]:
    """The user who filed it while they still work in the centre's portal; else the active Responsables."""
    members = Membership.objects.active().filter(centre_id=demande.centre_id)
    if (
        demande.created_by_id
        and members.filter(user_id=demande.created_by_id, role__in=PORTAL_ROLES).exists()
    ):
        return [demande.created_by.email]
    return list(members.filter(role=Role.RESPONSABLE).values_list("user__email", flat=True))


def send_decision_email(demande_id: int) -> None:
    demande = (
        Demande.objects.select_related(
            "inscription__candidat", "inscription__session__produit", "created_by", "centre"
        )
        .filter(pk=demande_id)
        .first()
    )
    if demande is None or (to := recipients(demande)) == []:
        return
    context = {
        "demande": demande,
        "text": services.notification_text(demande),
        "url": emails.absolute_url(
            reverse("candidats:inscription", kwargs={"numero": demande.inscription.numero})
        ),
    }
    emails.send("decision_demande", context, to)
