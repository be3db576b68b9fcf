"""The row check and the insert shared by the importers of records identified by a key (centres, memoranda,
facilitation offices).

A row is checked by THE kind's validator (``validate(uow, data, stored)``; ``rule_errors`` lists every rule a
bad row breaks, and a DuplicateError — a key stored where the actor does not see it — is an error on the
key's field). A key met again in the same file is an error on the key's column; a key stored with the same
details (the ``compared`` columns) counts as unchanged, with other details it is an error on the key's column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert

from ostandari_desk.errors import DuplicateError, ValidationError
from ostandari_desk.services import audit
from ostandari_desk.services.transfer.base import with_rule_errors
from ostandari_desk.services.transfer.sheets import ImportReport, RowError
from ostandari_desk.store.models import new_id
from ostandari_desk.store.uow import UnitOfWork


@dataclass
class RecordRows:
    """The checks of one import's rows; ``check`` is called once per row, in the sheet's order."""

    uow: UnitOfWork
    report: ImportReport
    validate: Callable[[UnitOfWork, Any, Any], dict[str, Any]]
    rule_errors: Callable[[UnitOfWork, Any, Any], list[ValidationError]]
    headers: Mapping[str, str]  # field -> column header, for the rules a row breaks
    key_header: str  # the key's column: where a rule without a column, a repeat or a clash goes
    key_field: str  # the key's field, for a DuplicateError
    compared: Sequence[str]  # the columns a re-imported row must match to count as the stored record
    repeated: Callable[[Any, dict[str, Any], int], str]  # (ident, row, first row number) -> reason
    changed: Callable[[Any, Any], str]  # (ident, stored record) -> reason
    seen: dict[Any, int] = field(default_factory=dict)

    def check(
        self, number: int, data: Any, found: list[RowError], ident: Any, stored: Any
    ) -> tuple[dict[str, Any] | None, list[RowError]]:
        """The row (``data``, with ``found`` the errors of cells that could not be read; ``stored`` the
        record its key names, None when there is none the actor sees): (a new row, []), (None, errors),
        or (None, []) for an unchanged row (counted in ``report.unchanged``)."""
        row = None
        broken: list[ValidationError] = []
        try:
            row = self.validate(self.uow, data, stored)
        except ValidationError:
            broken = self.rule_errors(self.uow, data, stored)
        except DuplicateError as exc:  # a key stored in a county the actor does not see
            broken = [ValidationError(exc.message, field=self.key_field)]
        errors = with_rule_errors(number, found, broken, self.headers, self.key_header)
        if errors or row is None:
            return None, errors
        if ident in self.seen:
            return None, [RowError(number, self.key_header, self.repeated(ident, row, self.seen[ident]))]
        self.seen[ident] = number
        if stored is not None:
            if any(row[k] != getattr(stored, k) for k in self.compared):
                return None, [RowError(number, self.key_header, self.changed(ident, stored))]
            self.report.unchanged += 1
            return None, []
        return row, []


def insert_new(uow: UnitOfWork, model: Any, good: list[dict[str, Any]], chunk: int | None = None) -> None:
    """Insert the good rows as new records of ``model`` (``chunk`` rows a statement; None: all in one),
    through the session, so each row gets its audit entry."""
    moment = audit.now_utc()
    rows = [
        {**row, "id": new_id(), "created_at": moment, "updated_at": moment, "row_version": 1} for row in good
    ]
    step = chunk or max(len(rows), 1)
    for start in range(0, len(rows), step):
        uow.s.execute(insert(model.__table__), rows[start : start + step])
