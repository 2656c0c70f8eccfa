from django.apps import AppConfig


class CandidatsConfig(AppConfig):
    name = "candidats"
    verbose_name = "Candidats et inscriptions"
