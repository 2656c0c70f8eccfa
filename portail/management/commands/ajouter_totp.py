from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from centres.models import User


class Command(BaseCommand):
    help = (
        "Ajoute un appareil TOTP (application d'authentification) à un membre du FDA et affiche l'adresse "
        "otpauth:// à scanner. Sans lui, le back office refuse la connexion."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--nom", default="Application d'authentification")

    def handle(self, email, nom, **options):
        user = User.objects.filter(email__iexact=email, is_staff=True).first()
        if user is None:
            raise CommandError(f"Aucun membre du FDA (is_staff) avec l'adresse {email}.")
        device = TOTPDevice.objects.create(user=user, name=nom, confirmed=True)
        self.stdout.write(f"Appareil « {nom} » ajouté pour {user.email}. À scanner dans l'application :")
        self.stdout.write(device.config_url)
