"""One function per e-mail sent to candidates (pre-registration site, contact requests).

Each takes an id (they run after commit, possibly later) and renders a subject and a text body."""

from django.core.mail import send_mail
from django.template.loader import render_to_string

from .models import DemandeContact, PreInscription


def _send(template: str, context: dict, to: str) -> None:
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    body = render_to_string(f"emails/{template}.txt", context)
    send_mail(subject, body, None, [to])


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
