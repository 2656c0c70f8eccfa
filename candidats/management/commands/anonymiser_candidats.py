from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

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
        if simulation:
            text = ngettext("%(n)d candidat à anonymiser", "%(n)d candidats à anonymiser", count)
        else:
            text = ngettext("%(n)d candidat anonymisé", "%(n)d candidats anonymisés", count)
        self.stdout.write(f"{text % {'n': count}} (conservation : {years} ans).")
