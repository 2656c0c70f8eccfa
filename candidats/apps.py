from django.apps import AppConfig


class CandidatsConfig(AppConfig):
    name = "candidats"
    verbose_name = "Candidats et inscriptions"

    def ready(self):
        # The exports this app declares (core.exports.register), known to every web process and worker.
        from . import exports, results  # noqa: F401
