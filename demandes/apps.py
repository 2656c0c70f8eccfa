from django.apps import AppConfig


class DemandesConfig(AppConfig):
    name = "demandes"
    verbose_name = "Demandes"

    def ready(self):
        # The exports this app declares (core.exports.register), known to every web process and worker.
        from . import exports  # noqa: F401
