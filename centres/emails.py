"""One function per e-mail; each renders a subject and a text body from templates."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def set_password_url(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def send_set_password_email(user) -> None:
    """ "Définir mon mot de passe": the first-password link of a new account (one use, expires)."""
    context = {"user": user, "url": set_password_url(user)}
    subject = render_to_string("emails/set_password_subject.txt", context).strip()
    body = render_to_string("emails/set_password.txt", context)
    send_mail(subject, body, None, [user.email])
