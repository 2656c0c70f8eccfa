from django.core.management.base import BaseCommand

from portail.statistics import refresh_network_statistics


class Command(BaseCommand):
    help = "Recalcule les statistiques du réseau (table StatistiqueMensuelle) lues par le back office."

    def handle(self, *args, **options):
        rows, seconds = refresh_network_statistics()
        self.stdout.write(f"Statistiques du réseau recalculées : {rows} lignes en {seconds:.1f} s.")
