from django.apps import AppConfig


class PortailConfig(AppConfig):
    name = "portail"
    verbose_name = "Portail"

    def ready(self):
        from .audit import register_models

        register_models()
