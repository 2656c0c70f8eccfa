from django.conf import settings
from django.core.management.base import BaseCommand

from candidats.personal_data import anonymise_candidats


class Command(BaseCommand):
    help = (
        "Anonymise les candidats dont la dernière session date de plus de PERSONAL_DATA_RETENTION_YEARS ans "
        "(10 par défaut) : identité, contacts et fichiers effacés, statistiques conservées."
    )

    def add_arguments(self, parser):
        parser.add_argument("--annees", type=int, default=None, help="Durée de conservation (années).")
        parser.add_argument("--simulation", action="store_true", help="Compter sans rien modifier.")

    def handle(self, *args, annees=None, simulation=False, **options):
        years = annees if annees is not None else settings.PERSONAL_DATA_RETENTION_YEARS
        count = anonymise_candidats(years, dry_run=simulation)
        verb = "à anonymiser" if simulation else "anonymisé(s)"
        self.stdout.write(f"{count} candidat(s) {verb} (conservation : {years} ans).")
