"""services.audit_export: formula-safe cells, admin only, logged, and no half file when writing fails."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ostandari_desk.errors import PermissionDeniedError, UserError
from ostandari_desk.services import audit_export
from ostandari_desk.services.audit import EXPORT_HEADERS, AuditFilter
from ostandari_desk.store.models import AuditEntry


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+98 28", "'+98 28"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("انجمن = خانه", "انجمن = خانه"),
        ("", ""),
        (None, ""),
        (12, "12"),
    ],
)
def test_neutralise(value, written):
    assert audit_export.neutralise(value) == written


def exports(uow) -> int:
    with uow:
        stmt = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "export")
        return uow.s.execute(stmt).scalar_one()


def test_export_is_logged_with_what_and_how_many(desk, tmp_path):
    out = tmp_path / "a.csv"
    count = audit_export.export_audit(desk.uow, AuditFilter(), out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == EXPORT_HEADERS and len(rows) == count + 1 > 1
    with desk.uow as uow:
        entry = uow.s.execute(select(AuditEntry).where(AuditEntry.action == "export")).scalars().one()
        assert entry.table_name == "auditentry"
        assert "a.csv" in entry.detail and "ردیف" in entry.detail


def test_only_an_admin_exports(desk, uow_as, tmp_path):
    out = tmp_path / "a.xlsx"
    for role in ("manager", "clerk"):
        with pytest.raises(PermissionDeniedError):
            audit_export.export_audit(uow_as(role), AuditFilter(), out)
    assert not out.exists()


def test_a_failure_leaves_no_half_file_and_no_entry(desk, tmp_path, monkeypatch):
    out = tmp_path / "a.xlsx"
    out.write_bytes(b"the previous export")
    calls = []

    def broken(line):
        calls.append(line)
        if len(calls) > 3:
            raise OSError(28, "No space left on device")
        return ["x"] * len(EXPORT_HEADERS)

    def openpyxl_temps() -> set[str]:
        return {p.name for p in Path(tempfile.gettempdir()).glob("openpyxl.*")}

    before = openpyxl_temps()
    monkeypatch.setattr(audit_export, "line_cells", broken)
    with pytest.raises(UserError, match="نوشته نشد"):
        audit_export.export_audit(desk.uow, AuditFilter(), out)
    assert openpyxl_temps() <= before
    assert out.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(("desk.", "home"))] == ["a.xlsx"]
    assert exports(desk.uow) == 0
    # the unit of work is whole again: the next export works
    monkeypatch.undo()
    assert audit_export.export_audit(desk.uow, AuditFilter(), out) > 0
    assert exports(desk.uow) == 1


def test_an_unknown_suffix_is_refused(desk, tmp_path):
    with pytest.raises(UserError, match="xlsx"):
        audit_export.export_audit(desk.uow, AuditFilter(), tmp_path / "a.pdf")


def test_coded_values_are_exported_by_their_persian_names(desk, make_ngo, tmp_path):
    from ostandari_desk.domain import jalali
    from ostandari_desk.services import licences

    ngo_id = make_ngo()
    licences.open_case(desk.uow, ngo_id, "establishment", jalali.from_jalali(1403, 2, 1))
    out = tmp_path / "codes.csv"
    audit_export.export_audit(desk.uow, AuditFilter(record_id=ngo_id), out)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = {(row[4], row[6]): row[8] for row in csv.reader(handle)}
    assert rows[("پرونده پروانه", "نوع پرونده")] == "تأسیس"  # not «establishment»
    assert rows[("پرونده پروانه", "وضعیت")] == "درخواست دریافت شد"
    assert rows[("سمن", "سطح")] == "شهرستانی"
