"""The one way a status changes: a transition table per status machine, a row lock, a history row
(who, when, from, to, comment) and side effects after commit.

Each app declares its machine once, in its service module, beside the table:

    SESSIONS = Workflow(
        Session,
        transitions={S.PLANIFIEE: {S.OUVERTE, S.CLOSE, S.ANNULEE}, …},
        history=SessionStatusChange,
        noun=lambda session: f"La session {session.numero}",
    )

and its named actions (open_enrolment, decide, close_conversation, …) check their own preconditions,
then call `SESSIONS.transition(obj, to, by=…, comment=…, changes={…}, after_commit=[…])`. A transition the
table does not allow raises `BusinessError` (French, says the current status and the one refused) and
changes nothing. Generic: this module knows no portal app."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from typing import Any

from django.db import models, transaction

from .errors import BusinessError


class Workflow:
    """A status machine over `model.<field>`: `transitions` maps each status to the statuses it may go
    to (a status absent from the table, or mapped to nothing, is final); `history` is the concrete
    `core.models.StatusChange` subclass whose ForeignKey points to `model`."""

    def __init__(
        self,
        model: type[models.Model],
        *,
        transitions: Mapping[str, Iterable[str]],
        history: type[models.Model],
        field: str = "statut",
        noun: Callable[[Any], str] | None = None,
        pronoun: str = "elle",
    ):
        self.model = model
        self.transitions: dict[str, frozenset[str]] = {
            str(source): frozenset(str(t) for t in targets) for source, targets in transitions.items()
        }
        self.history = history
        self.field = field
        self.noun = noun or (lambda obj: f"« {obj} »")
        self.pronoun = pronoun
        statuses = {value for value, _ in model._meta.get_field(field).choices}
        unknown = (set(self.transitions) | {t for ts in self.transitions.values() for t in ts}) - statuses
        if unknown:
            raise ValueError(f"{model.__name__}.{field}: unknown statuses in the table: {sorted(unknown)}")

    # --- Reading the table ----------------------------------------------------------------------------

    def allows(self, from_status: str, to_status: str) -> bool:
        return str(to_status) in self.transitions.get(str(from_status), frozenset())

    def sources(self, to_status: str) -> list[str]:
        """The statuses from which `to_status` may be reached (for set-based changes such as a batch)."""
        return [source for source, targets in self.transitions.items() if str(to_status) in targets]

    def label(self, status: str) -> str:
        return dict(self.model._meta.get_field(self.field).choices).get(status, status)

    def refusal(self, obj: models.Model, to_status: str) -> str | None:
        """Why `obj` (its status as loaded) cannot go to `to_status`, in French; None when it can."""
        current = getattr(obj, self.field)
        if self.allows(current, to_status):
            return None
        return (
            f"{self.noun(obj)} est « {self.label(current)} » : {self.pronoun} ne peut pas passer au statut "
            f"« {self.label(to_status)} »."
        )

    @cached_property
    def link(self) -> str:
        """The name of the history's ForeignKey to the object."""
        for f in self.history._meta.concrete_fields:
            if f.is_relation and f.related_model is not None and issubclass(self.model, f.related_model):
                return f.name
        raise LookupError(f"{self.history.__name__} has no ForeignKey to {self.model.__name__}")

    # --- Writing --------------------------------------------------------------------------------------

    def lock(self, obj: models.Model) -> models.Model:
        """The object's row, locked until the end of the current transaction (select_for_update)."""
        return self.model._default_manager.select_for_update().get(pk=obj.pk)

    def transition(
        self,
        obj: models.Model,
        to_status: str,
        *,
        by=None,
        comment: str = "",
        changes: Mapping[str, Any] | None = None,
        after_commit: Iterable[Callable[[], Any]] = (),
        locked: bool = False,
    ) -> models.Model:
        """Move `obj` to `to_status` if the table allows it from its current (locked) status.

        In one transaction: lock the row (unless `locked`: the caller already holds the lock and `obj` is
        the instance it read under it), check the table (else BusinessError with the table's French reason,
        nothing written), save the status and `changes` (other fields set with it) with
        `update_fields`, write the history row. `after_commit` callables run once the outermost
        transaction has committed (never on rollback). `obj` is updated in memory too. Returns the
        history row."""
        changes = dict(changes or {})
        with transaction.atomic():
            current = obj if locked else self.lock(obj)
            from_status = getattr(current, self.field)
            if not self.allows(from_status, to_status):
                raise BusinessError(self.refusal(current, to_status), code="transition")
            setattr(current, self.field, to_status)
            for name, value in changes.items():
                setattr(current, name, value)
            current.save(update_fields=[self.field, *changes])
            if current is not obj:
                setattr(obj, self.field, to_status)
                for name, value in changes.items():
                    setattr(obj, name, value)
            row = self._write(current, from_status, to_status, by=by, comment=comment)
            for callback in after_commit:
                transaction.on_commit(callback)
        return row

    def record_creation(self, *objs: models.Model, by=None, comment: str = "") -> list[models.Model]:
        """The first history row of each new object (from nothing to its initial status), in one INSERT."""
        return self.history._default_manager.bulk_create(
            [self._row(obj, "", getattr(obj, self.field), by=by, comment=comment) for obj in objs]
        )

    def _row(self, obj, from_status: str, to_status: str, *, by, comment: str) -> models.Model:
        if by is not None and not getattr(by, "is_authenticated", True):
            by = None  # an anonymous visitor (the public site) is recorded as nobody
        return self.history(
            **{self.link: obj},
            from_status=from_status,
            to_status=to_status,
            by=by,
            comment=(comment or "").strip(),
        )

    def _write(self, obj, from_status: str, to_status: str, *, by, comment: str) -> models.Model:
        row = self._row(obj, from_status, to_status, by=by, comment=comment)
        row.save(force_insert=True)
        return row
