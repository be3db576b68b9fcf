"""``audit --out``: one row per changed field with the Persian headers, filtered, admin only, formula-safe."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3

import openpyxl
import pytest
from ngo_sheets import good_row, write_xlsx

from cli.conftest import ADMIN, ADMIN_PASSWORD, scalar
from ostandari_desk.cli import main
from ostandari_desk.domain import jalali
from ostandari_desk.services.audit import EXPORT_HEADERS

FORMULA_NAME = "=1+2 سارا"


@pytest.fixture
def busy_db(db, tmp_path, sign_in, new_password):
    """The admin adds a clerk (whose name starts with «=»); the clerk imports two NGOs."""
    new_password("sara-pass-1")
    assert main(["user", "add", "sara", "--name", FORMULA_NAME, "--role", "clerk", "--db", str(db)]) == 0
    sign_in("sara", "sara-pass-1")
    sheet = write_xlsx(tmp_path / "n.xlsx", [good_row(1), good_row(2)])
    assert main(["import", "ngos", str(sheet), "--db", str(db)]) == 0
    sign_in(ADMIN, ADMIN_PASSWORD)
    return db


def expected_rows(db, username: str | None = None) -> int:
    """Rows the export must hold: one per changed field, one for an entry without field changes."""
    conn = sqlite3.connect(db)
    try:
        sql = "SELECT changes FROM auditentry" + (" WHERE username = ?" if username else "")
        changes = [row[0] for row in conn.execute(sql, (username,) if username else ())]
    finally:
        conn.close()
    return sum(max(1, len(json.loads(c))) if c else 1 for c in changes)


def read_xlsx(path) -> list[list]:
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def read_csv(path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def jalali_day(days_from_today: int) -> str:
    return jalali.format_jalali(dt.date.today() + dt.timedelta(days=days_from_today), persian_digits=False)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_audit_writes_one_row_per_changed_field(busy_db, tmp_path, capsys, suffix):
    out = tmp_path / f"audit{suffix}"
    want = expected_rows(busy_db)
    assert want > 20  # the NGOs' fields, the user, the sign-ins
    assert main(["audit", "--out", str(out), "--db", str(busy_db)]) == 0
    rows = read_xlsx(out) if suffix == ".xlsx" else read_csv(out)
    assert tuple(rows[0]) == EXPORT_HEADERS
    assert len(rows) - 1 == want + 1  # and this command's own sign-in
    by_field = {(r[1], r[4], r[6]) for r in rows[1:]}
    assert ("sara", "سمن", "نام") in by_field  # the import's rows, with Persian table and field names
    assert any(r[3] == "ورود ناموفق" or r[3] == "ورود به سامانه" for r in rows[1:])
    assert "ردیف سابقه تغییرات" in capsys.readouterr().out
    # the export itself is logged, and no temporary file is left beside it
    assert (
        scalar(busy_db, "SELECT count(*) FROM auditentry WHERE action = 'export' AND username = ?", ADMIN)
        == 1
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_audit_filters_by_user_and_dates(busy_db, tmp_path, capsys):
    mine = tmp_path / "sara.csv"
    assert main(["--user", ADMIN, "audit", "--user", "sara", "--out", str(mine), "--db", str(busy_db)]) == 0
    rows = read_csv(mine)[1:]
    assert len(rows) == expected_rows(busy_db, "sara") > 0
    assert {r[1] for r in rows} == {"sara"}
    assert {r[2] for r in rows} == {"کارشناس استان"}

    since_yesterday = tmp_path / "recent.csv"
    assert (
        main(["audit", "--since", jalali_day(-1), "--out", str(since_yesterday), "--db", str(busy_db)]) == 0
    )
    assert len(read_csv(since_yesterday)) > 1
    later = tmp_path / "later.csv"
    assert main(["audit", "--since", jalali_day(2), "--out", str(later), "--db", str(busy_db)]) == 0
    assert read_csv(later) == [list(EXPORT_HEADERS)]
    until = ["--since", jalali_day(1), "--until", jalali_day(-1)]
    assert main(["audit", *until, "--out", str(later), "--db", str(busy_db)]) == 2
    assert "تاریخ پایان" in capsys.readouterr().err
    assert main(["audit", "--since", "1403/13/01", "--out", str(later), "--db", str(busy_db)]) == 2


def test_audit_by_record(busy_db, tmp_path):
    ngo_id = scalar(busy_db, "SELECT id FROM ngo ORDER BY name LIMIT 1")
    out = tmp_path / "one.csv"
    assert main(["audit", "--record", ngo_id, "--out", str(out), "--db", str(busy_db)]) == 0
    rows = read_csv(out)[1:]
    assert rows and all(r[5] == ngo_id or r[4] != "سمن" for r in rows)
    assert any(r[5] == ngo_id for r in rows)


def test_audit_needs_an_admin(busy_db, tmp_path, capsys, sign_in):
    sign_in("sara", "sara-pass-1")
    out = tmp_path / "audit.xlsx"
    assert main(["audit", "--out", str(out), "--db", str(busy_db)]) == 2
    assert "اجازه" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_cell_beginning_with_equals_is_neutralised(busy_db, tmp_path, suffix):
    out = tmp_path / f"audit{suffix}"
    assert main(["audit", "--out", str(out), "--db", str(busy_db)]) == 0
    if suffix == ".xlsx":
        sheet = openpyxl.load_workbook(out).worksheets[0]
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert all(cell.data_type == "s" for cell in cells if cell.value is not None)
        values = [cell.value for cell in cells]
    else:
        values = [v for row in read_csv(out) for v in row]
    assert "'" + FORMULA_NAME in values
    assert not any(isinstance(v, str) and v.startswith(("=", "+", "-", "@")) for v in values)
