from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel every app may import: errors, numbering, bulk writes, uploads, spreadsheets, downloads, text
    normalisation, formats and back-office building blocks. It imports no app of the portal (import contract in
    pyproject.toml, checked in CI)."""

    name = "core"
    verbose_name = "Noyau"
