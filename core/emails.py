"""THE way the portal sends an e-mail: `send(name, context, to, …)`.

Every message has a plain-text part (templates/emails/<name>.txt), an HTML part (<name>.html, which
extends emails/base.html) and a one-line subject (<name>_subject.txt). `reply_to` is the centre's address
when the message speaks for a centre (the candidate who answers writes to the centre, not to noreply).
Links are absolute from settings.SITE_URL (`absolute_url`), so they work behind the configured address.

A recipient the server refuses (550, no such mailbox) is a bounce, not an exception: `send` answers a
`Delivery` that lists the refused addresses; the caller records it (a convocation marked « rejetée »)."""

import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def absolute_url(path: str) -> str:
    """An address of the portal as a person outside it opens it (SITE_URL + the path)."""
    return settings.SITE_URL.rstrip("/") + path


@dataclass
class Delivery:
    to: list[str]
    refused: list[str] = field(default_factory=list)

    @property
    def bounced(self) -> bool:
        return bool(self.refused) and set(self.refused) >= set(self.to)


def render(name: str, context: dict) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL.rstrip("/"), **context}
    # One line whatever the context holds (a header never carries a line break).
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    return (
        subject,
        render_to_string(f"emails/{name}.txt", context),
        render_to_string(f"emails/{name}.html", context),
    )


def send(
    name: str,
    context: dict,
    to: list[str],
    *,
    reply_to: str | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
) -> Delivery:
    subject, text, html = render(name, context)
    message = EmailMultiAlternatives(subject, text, None, to, reply_to=[reply_to] if reply_to else None)
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as refused:
        return Delivery(to=list(to), refused=sorted(refused.recipients))
    return Delivery(to=list(to))
