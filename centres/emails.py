"""One function per e-mail of the centres' accounts, sent through core.emails.send (text + HTML)."""

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core import emails


def set_password_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return emails.absolute_url(reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token}))


def send_set_password_email(user) -> None:
    """ "Définir mon mot de passe": the first-password link of a new account (one use, expires)."""
    emails.send("set_password", {"user": user, "url": set_password_url(user)}, [user.email])
