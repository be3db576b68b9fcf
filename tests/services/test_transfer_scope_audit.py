"""Imports and exports act for the signed-in user: county scope, one audit entry per row, batch and
export entries, nothing written on a trial run; and the database-specific parts sit behind ``uow.db``."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import openpyxl
import pytest
from ngo_sheets import EVENT_HEADERS, LETTER_HEADERS, LICENCE_HEADERS, good_row, write_xlsx
from sqlalchemy import func, select
from sqlalchemy import text as text_sql

from ostandari_desk.domain.ids import make_legal_national_id
from ostandari_desk.errors import DatabaseUnavailableError, PermissionDeniedError, UserError
from ostandari_desk.services import transfer
from ostandari_desk.services.ngos import NgoFilter, count_ngos, list_ngo_page
from ostandari_desk.services.transfer.ngos import new_values
from ostandari_desk.store.adapters import adapters_for
from ostandari_desk.store.adapters.sqlite import SqliteAdapters
from ostandari_desk.store.audit_trail import AuditTrail
from ostandari_desk.store.models import AuditEntry, Event, Letter, LicenceStep, Ngo, NgoField, utc_now


def sheet(path: Path, headers: list[str], rows: list[list], title: str) -> Path:
    return write_xlsx(path, rows, headers=headers, title=title)


def entries(desk, **where) -> list:
    """The audit entries with the given column values, oldest first (plain rows)."""
    t = AuditEntry.__table__
    with desk.uow as uow:
        stmt = select(t).order_by(t.c.at)
        for key, value in where.items():
            stmt = stmt.where(t.c[key] == value)
        return list(uow.s.execute(stmt))


def audit_total(desk) -> int:
    with desk.uow as uow:
        return uow.s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def count(desk, model) -> int:
    with desk.uow as uow:
        return uow.s.execute(select(func.count()).select_from(model)).scalar_one()


def ngo_schema(desk) -> list[tuple]:
    """The ngo table's indexes and triggers as SQLite keeps them (name and SQL)."""
    with desk.uow as uow:
        found = uow.s.execute(
            text_sql("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'ngo' AND type != 'table'")
        )
        return sorted(tuple(row) for row in found)


@pytest.fixture
def abyek(desk, uow_as):
    """A county user of آبیک."""
    return uow_as("county", county_id=desk.counties["آبیک"], username="abyek")


# --- imports: county scope --------------------------------------------------------------------------


def test_county_user_import_of_another_county_is_a_row_error(desk, abyek, tmp_path):
    rows = [good_row(1), good_row(2), good_row(3)]  # آبیک, البرز, آبیک
    rows[2][2], rows[2][3] = "استان", "استانی"  # a province-wide NGO
    path = write_xlsx(tmp_path / "ngos.xlsx", rows)

    report = transfer.import_file(abyek, "ngos", path)
    assert sorted((e.row, e.column) for e in report.errors) == [(3, "شهرستان"), (4, "شهرستان")]
    assert "«البرز»" in report.errors[0].reason and "«آبیک»" in report.errors[0].reason
    assert not report.stored and count(desk, Ngo) == 0

    skipped = transfer.import_file(abyek, "ngos", path, skip_bad=True)
    assert skipped.added == 1 and skipped.stored and skipped.bad_rows == 2
    with desk.uow as uow:
        assert uow.s.execute(select(Ngo.county_id)).scalars().all() == [desk.counties["آبیک"]]
    assert {e.username for e in entries(desk, action="insert", table_name="ngo")} == {"abyek"}


def test_county_user_events_letters_and_licences_stay_in_their_county(desk, abyek, make_ngo, tmp_path):
    events = sheet(
        tmp_path / "e.xlsx",
        EVENT_HEADERS,
        [
            ["نشست آبیک", "نشست", "1401/8/1", "", "آبیک", "", "", "", ""],
            ["نشست البرز", "نشست", "1401/8/2", "", "البرز", "", "", "", ""],
            ["همایش استان", "همایش", "1401/8/3", "", "استان", "", "", "", ""],
        ],
        "رویدادها",
    )
    report = transfer.import_file(abyek, "events", events, skip_bad=True)
    assert [(e.row, e.column) for e in report.errors] == [(3, "شهرستان"), (4, "شهرستان")]
    assert report.added == 1 and count(desk, Event) == 1

    letters = sheet(
        tmp_path / "l.xlsx",
        LETTER_HEADERS,
        [
            ["1", "1401/6/9", "صادره", "سایر", "فرمانداری", "موضوع", "", "آبیک"],
            ["2", "1401/6/9", "صادره", "سایر", "فرمانداری", "موضوع", "", "البرز"],
            ["3", "1401/6/9", "صادره", "سایر", "فرمانداری", "موضوع", "", ""],  # the province's own
        ],
        "مکاتبات",
    )
    report = transfer.import_file(abyek, "letters", letters, skip_bad=True)
    assert [(e.row, e.column) for e in report.errors] == [(3, "شهرستان"), (4, "شهرستان")]
    assert report.added == 1 and count(desk, Letter) == 1

    own, other = make_legal_national_id("1099000001"), make_legal_national_id("1099000002")
    make_ngo(national_id=own, county="آبیک")
    make_ngo(national_id=other, county="البرز")
    licences = sheet(
        tmp_path / "p.xlsx",
        LICENCE_HEADERS,
        [
            [own, "صدور پروانه", "1398/03/01", "ق-۱", "1402/03/01", "", ""],
            [other, "صدور پروانه", "1398/03/01", "ق-۲", "1402/03/01", "", ""],
        ],
        "پروانه‌ها",
    )
    report = transfer.import_file(abyek, "licences", licences, skip_bad=True)
    assert [(e.row, e.column) for e in report.errors] == [(3, "شناسه ملی سمن")]
    assert "در شهرستان شما" in report.errors[0].reason
    assert report.added == 1 and count(desk, LicenceStep) == 1


# --- imports: the audit -----------------------------------------------------------------------------


def test_import_audits_every_row_and_the_batch(desk, tmp_path):
    rows = [good_row(n) for n in range(1, 601)]  # over the bulk loader's threshold
    path = write_xlsx(tmp_path / "ngos-600.xlsx", rows)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    before = audit_total(desk)
    schema = ngo_schema(desk) if desk.engine.dialect.name == "sqlite" else []

    report = transfer.import_file(desk.uow, "ngos", path)
    assert report.added == 600 and count(desk, NgoField) == 400  # every third row has two fields

    ngo_entries = entries(desk, action="insert", table_name="ngo")
    field_entries = entries(desk, action="insert", table_name="ngofield")
    [batch] = entries(desk, action="import")
    assert len(ngo_entries) == 600 and len(field_entries) == 400
    assert audit_total(desk) - before == 600 + 400 + 1
    with desk.uow as uow:
        ids = dict(uow.s.execute(select(Ngo.national_id, Ngo.id)).all())
    first = next(e for e in ngo_entries if e.record_id == ids[rows[0][0]])
    changes = json.loads(first.changes)
    assert changes["name"] == [None, "انجمن نمونه شماره 1"]
    assert changes["registered_on"] == [None, "2021-05-05"]
    assert first.username == "tester" and first.role == "admin"
    assert {e.owner_id for e in field_entries} <= set(ids.values())
    assert batch.table_name == "ngo" and batch.record_id == ""
    assert "ngos-600.xlsx" in batch.detail and sha in batch.detail and "۶۰۰" in batch.detail

    # the index holds the new rows (on SQLite the loader set the search trigger and, the table being
    # empty, the sort indexes aside, and put them back as they were)
    if desk.engine.dialect.name == "sqlite":
        assert ngo_schema(desk) == schema and ("trigger", "ngo_fts_insert") in {s[:2] for s in schema}
        assert ("index", "ix_ngo_sort_seq") in {s[:2] for s in schema}
    assert count_ngos(desk.uow, NgoFilter(text="شماره ۵۹۹")) == 1
    page = list_ngo_page(desk.uow, NgoFilter(), limit=3)
    assert [r.name for r in page] == ["انجمن نمونه شماره 1", "انجمن نمونه شماره 10", "انجمن نمونه شماره 100"]


def test_entries_built_by_the_database_are_the_trails_own(desk, actor, tmp_path):
    """The bulk loader's entries (written by SQL) say exactly what the session's trail would say."""
    rows = [good_row(n) for n in range(1, 4)]  # the third has two fields
    rows[1][7] = rows[1][8] = ""  # no CEO: empty text is recorded, a missing date is not
    rows[1][6] = None
    transfer.import_file(desk.uow, "ngos", write_xlsx(tmp_path / "n.xlsx", rows))
    ngo, field = Ngo.__table__, NgoField.__table__
    with desk.uow as uow:
        stored = [dict(r) for r in uow.s.connection().execute(select(ngo)).mappings()]
        links = [dict(r) for r in uow.s.connection().execute(select(field)).mappings()]
    reference = AuditTrail(actor)
    for row in stored:
        reference.row_written("insert", ngo, None, row)
    for row in links:
        reference.row_written("insert", field, None, row)
    expected = {
        (e["table_name"], e["record_id"]): (e["owner_id"], json.loads(e["changes"])) for e in reference.rows
    }
    got = {
        (e.table_name, e.record_id): (e.owner_id, json.loads(e.changes))
        for e in entries(desk, action="insert")
        if e.table_name in ("ngo", "ngofield")
    }
    assert len(got) == 3 + 2 and got == expected
    assert "registered_on" not in got[("ngo", stored[1]["id"])][1]
    # the Python path (another database's fallback) agrees too
    fallback = AuditTrail(actor)
    fallback.rows_inserted(ngo, stored)
    fallback.rows_inserted(field, links)
    assert {
        (e["table_name"], e["record_id"]): (e["owner_id"], json.loads(e["changes"])) for e in fallback.rows
    } == (expected)


def test_a_county_users_bulk_load_of_another_county_is_refused(desk, abyek):
    row = new_values(
        {
            "national_id": make_legal_national_id("1099000003"),
            "name": "انجمن البرز",
            "county_id": desk.counties["البرز"],
            "level": "county",
            "registration_no": "",
            "registered_on": None,
            "ceo_name": "",
            "ceo_national_code": "",
            "phone": "",
            "address": "",
        },
        seq=900,
        moment=utc_now(),
    )
    ngo = Ngo.__table__
    with abyek as uow:
        uow.db.bulk_insert(uow.s.connection(), ngo, [row])
        with pytest.raises(PermissionDeniedError):
            uow.audit_loaded(ngo, ngo.c.id == row["id"])


def test_event_and_letter_rows_are_audited(desk, tmp_path):
    events = sheet(
        tmp_path / "e.xlsx",
        EVENT_HEADERS,
        [["نشست آبیک", "نشست", "1401/8/1", "", "آبیک", "", "", "", ""]],
        "رویدادها",
    )
    letters = sheet(
        tmp_path / "l.xlsx",
        LETTER_HEADERS,
        [["1", "1401/6/9", "صادره", "سایر", "فرمانداری", "موضوع", "", "آبیک"]],
        "مکاتبات",
    )
    transfer.import_file(desk.uow, "events", events)
    transfer.import_file(desk.uow, "letters", letters)
    assert len(entries(desk, action="insert", table_name="event")) == 1
    assert len(entries(desk, action="insert", table_name="letter")) == 1
    batches = entries(desk, action="import")
    assert [b.table_name for b in batches] == ["event", "letter"]
    assert hashlib.sha256(letters.read_bytes()).hexdigest() in batches[1].detail


def test_dry_run_and_refused_file_write_no_audit(desk, tmp_path):
    rows = [good_row(n) for n in range(1, 601)]
    path = write_xlsx(tmp_path / "ngos.xlsx", rows)
    before = audit_total(desk)
    report = transfer.import_file(desk.uow, "ngos", path, dry_run=True)
    assert report.added == 600 and not report.stored
    rows[5][2] = "شهرستان ناموجود"
    refused = transfer.import_file(desk.uow, "ngos", write_xlsx(tmp_path / "bad.xlsx", rows))
    assert refused.errors and not refused.stored
    assert audit_total(desk) == before and count(desk, Ngo) == 0


@pytest.mark.sqlite_only  # the SQLite loader's trigger and indexes set aside
def test_a_failed_bulk_import_rolls_back_the_trigger_too(desk, tmp_path, monkeypatch):
    """The trigger and the sort indexes are dropped inside the import's transaction: a failure puts
    them back."""
    schema = ngo_schema(desk)

    def broken(self, conn, table, rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SqliteAdapters, "bulk_insert", broken)
    path = write_xlsx(tmp_path / "ngos.xlsx", [good_row(n) for n in range(1, 601)])
    with pytest.raises(RuntimeError):
        transfer.import_file(desk.uow, "ngos", path)
    assert ngo_schema(desk) == schema and ("trigger", "ngo_fts_insert") in {s[:2] for s in schema}
    assert count(desk, Ngo) == 0 and entries(desk, action="import") == []


@pytest.mark.sqlite_only  # the SQLite loader's indexes set aside
def test_the_sort_indexes_stay_when_the_batch_is_smaller_than_the_table(desk, tmp_path, monkeypatch):
    """Rebuilding every sort index costs a sort of the whole table: a batch smaller than the table
    keeps them and inserts into them (the trigger is still set aside)."""
    first = write_xlsx(tmp_path / "first.xlsx", [good_row(n) for n in range(1, 701)])
    assert transfer.import_file(desk.uow, "ngos", first).added == 700
    present: list[str] = []  # the ngo table's indexes and triggers while the rows go in
    original = SqliteAdapters.bulk_insert

    def watching(self, conn, table, rows):
        if table.name == "ngo":
            found = conn.exec_driver_sql("SELECT type, name FROM sqlite_master WHERE tbl_name = 'ngo'").all()
            present.extend(f"{kind}:{name}" for kind, name in found)
        original(self, conn, table, rows)

    monkeypatch.setattr(SqliteAdapters, "bulk_insert", watching)
    second = write_xlsx(tmp_path / "second.xlsx", [good_row(n) for n in range(701, 1301)])
    assert transfer.import_file(desk.uow, "ngos", second).added == 600
    assert "index:ix_ngo_sort_seq" in present and "trigger:ngo_fts_insert" not in present
    assert count_ngos(desk.uow, NgoFilter(text="شماره ۱۳۰۰")) == 1


# --- exports ----------------------------------------------------------------------------------------


def read_sheet(path: Path) -> list[tuple]:
    return list(openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True))[1:]


def test_county_user_exports_only_their_county(desk, abyek, tmp_path):
    transfer.import_file(
        desk.uow, "ngos", write_xlsx(tmp_path / "n.xlsx", [good_row(n) for n in range(1, 9)])
    )
    transfer.import_file(
        desk.uow,
        "events",
        sheet(
            tmp_path / "e.xlsx",
            EVENT_HEADERS,
            [
                ["نشست آبیک", "نشست", "1401/8/1", "", "آبیک", "", "", "", ""],
                ["نشست البرز", "نشست", "1401/8/2", "", "البرز", "", "", "", ""],
                ["همایش استان", "همایش", "1401/8/3", "", "استان", "", "", "", ""],
            ],
            "رویدادها",
        ),
    )
    out = tmp_path / "ngos-out.xlsx"
    assert transfer.export_file(abyek, "ngos", out) == 4
    assert {row[2] for row in read_sheet(out)} == {"آبیک"}
    assert transfer.export_file(desk.uow, "ngos", tmp_path / "all.xlsx") == 8

    filtered = tmp_path / "ngos-filtered.xlsx"
    assert transfer.export_file(abyek, "ngos", filtered, NgoFilter(text="انجمن نمونه")) == 4

    events_out = tmp_path / "events-out.xlsx"
    assert transfer.export_file(abyek, "events", events_out) == 1
    assert [row[0] for row in read_sheet(events_out)] == ["نشست آبیک"]


def test_export_writes_its_audit_entry(desk, abyek, tmp_path):
    transfer.import_file(
        desk.uow, "ngos", write_xlsx(tmp_path / "n.xlsx", [good_row(n) for n in range(1, 5)])
    )
    out = tmp_path / "سمن‌ها-خروجی.csv"
    assert transfer.export_file(abyek, "ngos", out) == 2
    [entry] = entries(desk, action="export")
    assert entry.table_name == "ngo" and entry.username == "abyek"
    assert entry.county_id == desk.counties["آبیک"]
    assert "۲ ردیف" in entry.detail and out.name in entry.detail
    for kind in ("events", "letters", "licences"):
        transfer.export_file(desk.uow, kind, tmp_path / f"{kind}.xlsx")
    tables = [e.table_name for e in entries(desk, action="export")]
    assert tables == ["ngo", "event", "letter", "licencestep"]


def test_a_failed_export_writes_no_entry(desk, tmp_path):
    target = tmp_path / "x.csv"
    target.mkdir()  # a folder where the file should go
    with pytest.raises(UserError, match="نوشته نشد"):
        transfer.export_file(desk.uow, "ngos", target)
    assert target.is_dir() and not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert entries(desk, action="export") == []


# --- the database-specific parts ----------------------------------------------------------------


def test_county_user_search_counts_only_their_county(desk, abyek, tmp_path):
    transfer.import_file(
        desk.uow, "ngos", write_xlsx(tmp_path / "n.xlsx", [good_row(n) for n in range(1, 9)])
    )
    flt = NgoFilter(text="انجمن نمونه")
    assert count_ngos(desk.uow, flt) == 8
    assert count_ngos(abyek, flt) == 4
    assert {r.county_name for r in list_ngo_page(abyek, flt, sort="county")} == {"آبیک"}


@pytest.mark.sqlite_only  # the SQLite adapters (PostgreSQL's: tests/store/test_postgresql_adapter.py)
def test_adapters_are_per_dialect(engine):
    sqlite = adapters_for(engine)
    assert sqlite.name == "sqlite"
    assert sqlite.ngo_match("علي  رضا") == '"علی"* "رضا"*'
    assert sqlite.ngo_match("- ،") == ""
    assert sqlite.ties(Ngo.seq, True) == []

    class Other:
        class dialect:
            name = "oracle"

    with pytest.raises(DatabaseUnavailableError, match="فقط پرونده SQLite"):
        adapters_for(Other())  # type: ignore[arg-type]


SERVICES = Path(__file__).resolve().parents[2] / "ostandari_desk" / "services"


def test_no_service_branches_on_the_database():
    found = [
        f"{path.relative_to(SERVICES)}: {match.group(0)}"
        for path in SERVICES.rglob("*.py")
        for match in re.finditer(r"dialect\.name|sqlite_master|ngo_fts", path.read_text(encoding="utf-8"))
    ]
    assert found == []
