"""`python manage.py close_due_sessions`: what the beat job does every 5 minutes, run by hand (demo without
beat, catching up after an outage). Idempotent."""

from django.core.management.base import BaseCommand

from candidats.documents import close_due_sessions


class Command(BaseCommand):
    help = "Clôt les inscriptions des sessions dont l'instant J-2 est passé et génère leurs documents."

    def handle(self, *args, **options):
        closed = close_due_sessions()
        if closed:
            self.stdout.write(f"Sessions clôturées : {', '.join(map(str, closed))}")
        else:
            self.stdout.write("Aucune session à clôturer.")
