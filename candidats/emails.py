"""One function per e-mail sent to candidates (pre-registration site, contact requests).

Each takes an id (they run after commit, possibly later) and sends through core.emails.send (text + HTML),
answered to the centre (Reply-To) when it has an address."""

from core import emails

from .models import DemandeContact, PreInscription


def _send(template: str, context: dict, to: str) -> None:
    emails.send(template, context, [to], reply_to=context["centre"].email or None)


def send_pre_inscription_ack(pre_inscription_id: int) -> None:
    pre = (
        PreInscription.objects.select_related("centre", "session__produit")
        .filter(pk=pre_inscription_id)
        .first()
    )
    if pre:
        _send("pre_inscription_recue", {"pre": pre, "centre": pre.centre}, pre.email)


def send_pre_inscription_declined(pre_inscription_id: int) -> None:
    pre = (
        PreInscription.objects.select_related("centre", "session__produit")
        .filter(pk=pre_inscription_id)
        .first()
    )
    if pre:
        _send("pre_inscription_declinee", {"pre": pre, "centre": pre.centre}, pre.email)


def send_contact_ack(demande_id: int) -> None:
    demande = DemandeContact.objects.select_related("centre").filter(pk=demande_id).first()
    if demande:
        _send("contact_recu", {"demande": demande, "centre": demande.centre}, demande.email)


def send_contact_answer(demande_id: int) -> None:
    demande = DemandeContact.objects.select_related("centre").filter(pk=demande_id).first()
    if demande:
        _send("contact_reponse", {"demande": demande, "centre": demande.centre}, demande.email)
