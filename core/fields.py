"""Model fields of the kernel.

`FoldedCharField` stores `core.text.fold()` of another field of the same row (a name folded for case and
accents), so that searching and comparing names behave alike on SQLite and PostgreSQL: the fold is Python's,
computed once at write time, and the database only compares plain lower-case text (PostgreSQL indexes it with
a trigram index). It is filled from its source by every way a row is written: `save()` and `bulk_create`
(through `pre_save`), `core.bulk.insert_rows` (through `value_from_row`), and `refresh_folded()` before a
`bulk_update` or an `update_fields` save that changes the source."""

from __future__ import annotations

from django.db import models

from .text import fold


class FoldedCharField(models.CharField):
    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, value in (("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key, value) == value:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def folded(self, value) -> str:
        return fold(value)[: self.max_length]

    def pre_save(self, model_instance, add):
        value = self.folded(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

    def value_from_row(self, row: dict) -> str | None:
        """The folded value for a row of core.bulk.insert_rows, or None when the row does not carry the source."""
        return self.folded(row[self.source]) if self.source in row else None


def folded_fields(model: type[models.Model]) -> list[FoldedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, FoldedCharField)]


def refresh_folded(instances) -> list[str]:
    """Recompute the folded copies of model instances (before a bulk_update); returns their names, to add to
    the fields the bulk_update writes."""
    names: list[str] = []
    for instance in instances:
        fields = folded_fields(type(instance))
        for field in fields:
            field.pre_save(instance, False)
        names = [f.name for f in fields]
    return names
