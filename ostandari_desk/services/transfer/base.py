"""What each kind of exchange sheet provides: its headers, an importer and an exporter."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ostandari_desk.services.transfer.sheets import Column, ImportReport, Progress, Table
from ostandari_desk.store.uow import UnitOfWork


@dataclass(frozen=True)
class ImportOptions:
    dry_run: bool
    skip_bad: bool
    clerk: str
    progress: Progress | None


# run(uow, table, report, options) -> {sheet row number: original values} of the bad rows.
Importer = Callable[[UnitOfWork, Table, ImportReport, ImportOptions], dict[int, tuple[Any, ...]]]
# rows(uow, flt) -> the data rows under the kind's headers.
Exporter = Callable[[UnitOfWork, Any], Iterable[Sequence[Any]]]


@dataclass(frozen=True)
class TransferKind:
    """One kind of exchange sheet."""

    name: str  # "ngos"
    title: str  # sheet name, e.g. «سمن‌ها»
    unit: str  # what one row is, for summaries: «سمن», «اقدام»
    columns: tuple[Column, ...]
    importer: Importer
    exporter: Exporter

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]
