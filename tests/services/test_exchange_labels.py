"""The audit page names what the exchange writes in Persian: every action, table and field of its entries.

Read twice: from the code (every ``uow.audit(...)`` call in services/exchange/ and every table the exchange
owns or carries) and from a real exchange between two desks (every entry it left in either desk's trail).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from ostandari_desk.domain.audit_labels import ACTION_LABELS, FIELD_LABELS, TABLE_LABELS
from ostandari_desk.services.exchange import conflicts, ledger, tables
from ostandari_desk.store import models as m
from ostandari_desk.store.audit_trail import SKIP_COLUMNS
from ostandari_desk.store.models import SQLModel
from tests.services.exchange_desks import (
    BACKENDS,
    Side,
    TwoDesks,
    two_desks_fixture,  # noqa: F401  (the two_desks fixture)
)

EXCHANGE = Path(tables.__file__).parent
LATIN = re.compile(r"[A-Za-z]")


def _audit_calls() -> list[tuple[str, int, str | None, str | None]]:
    """(file, line, action, table) of every ``….audit(action, table, …)`` call in services/exchange/; a value
    that is not a literal (``spec.name``) is None."""
    found = []
    for path in sorted(EXCHANGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "audit"
            ):
                literal = [a.value if isinstance(a, ast.Constant) else None for a in node.args[:2]]
                found.append((path.name, node.lineno, *literal))
    return found


def _persian(label: str | None) -> bool:
    return bool(label) and not LATIN.search(label)


def test_every_action_and_table_the_exchange_audits_has_a_persian_label():
    calls = _audit_calls()
    # a file's entry takes its action from ledger.FILE_ACTIONS; every other call names it
    assert [file for file, _l, action, _t in calls if action is None] == ["ledger.py"]
    actions = {action for _f, _l, action, _t in calls if action is not None} | set(
        ledger.FILE_ACTIONS.values()
    )
    assert {"register", "resolve", "import", "export"} <= actions  # the scan sees the exchange's calls
    for action in actions:
        assert _persian(ACTION_LABELS.get(action)), f"action {action!r} has no Persian label"
    for file, line, _action, table in calls:
        if table is not None:
            assert _persian(TABLE_LABELS.get(table)), f"{file}:{line}: table {table!r} has no Persian label"
    # its own tables, and every table it writes records of (a resolved conflict is audited on the record)
    own = {name for name in SQLModel.metadata.tables if name.startswith("exchange")}
    assert own == {"exchangedesk", "exchangefile", "exchangestate", "exchangeconflict"}
    written = {spec.name for spec in tables.EXCHANGED} | set(tables.LINK_TABLES)
    missing = sorted(name for name in own | written if not _persian(TABLE_LABELS.get(name)))
    assert not missing, f"tables without a Persian label: {missing}"
    # a registered desk is audited field by field (its numbers change with every file)
    desk_fields = [c.name for c in m.ExchangeDesk.__table__.columns if c.name not in SKIP_COLUMNS]
    missing = [name for name in desk_fields if not _persian(FIELD_LABELS.get(name))]
    assert not missing, f"exchangedesk fields without a Persian label: {missing}"


def _edit_ngo_name(side: Side, ngo_id: str, name: str) -> None:
    from dataclasses import replace

    from ostandari_desk.services.ngos import get_ngo, update_ngo
    from ostandari_desk.services.ngos.rows import BoardMemberInput

    with side.here() as uow:
        detail = get_ngo(uow, ngo_id)
        board = [BoardMemberInput(b.full_name, b.national_code, b.role) for b in detail.board]
        update_ngo(uow, ngo_id, replace(detail.to_input(), name=name), board, detail.row_version)


def _entries(side: Side, before: set[str]) -> list[m.AuditEntry]:
    with side.uow:
        rows = side.uow.s.execute(select(m.AuditEntry)).scalars().all()
        side.uow.s.expunge_all()
    return [e for e in rows if e.id not in before]


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_entry_an_exchange_leaves_in_the_trail_reads_in_persian(two_desks: TwoDesks, tmp_path):
    county, province = two_desks.county, two_desks.province
    before = {side.name: {e.id for e in _entries(side, set())} for side in (county, province)}
    ngo_id = county.make_ngo(name="انجمن برچسب‌ها")
    county.export(tmp_path / "c1.oex")
    province.take(tmp_path / "c1.oex")
    province.receipt(tmp_path / "r1.oex")
    county.take(tmp_path / "r1.oex")
    _edit_ngo_name(county, ngo_id, "انجمن برچسب‌های شهرستان")
    _edit_ngo_name(province, ngo_id, "انجمن برچسب‌های استان")
    county.export(tmp_path / "c2.oex")
    assert province.take(tmp_path / "c2.oex").conflicts == 1
    (conflict,) = province.call(conflicts.list_conflicts)
    province.call(conflicts.resolve_conflict, conflict.id, "theirs")

    seen = set()
    for side in (county, province):
        for entry in _entries(side, before[side.name]):
            seen.add(entry.action)
            where = f"{side.name}: {entry.action} {entry.table_name} ({entry.detail[:40]})"
            assert _persian(ACTION_LABELS.get(entry.action)), where
            assert _persian(TABLE_LABELS.get(entry.table_name)), where
            for name in json.loads(entry.changes or "{}"):
                assert _persian(FIELD_LABELS.get(name)), f"{where}: field {name!r} has no Persian label"
    assert {"import", "export", "resolve"} <= seen
