from django.apps import AppConfig


class TarifsConfig(AppConfig):
    name = "tarifs"
    verbose_name = "Catalogue et tarifs"
