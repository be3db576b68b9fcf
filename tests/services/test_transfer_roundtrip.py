"""An export re-imports: the demo's own sheets into the same desk (adding 0, refusing 0) and into a fresh one;
a licence step whose letter number lives on its filed letter; an NGO edited in the sheet is updated when the
sheet is newer than the app's record and refused, naming both values and dates, when it is older.

Issue 10 named the two bugs: «the demo's own licence export fails to re-import (95 rows)» (sanction steps
without the letter number on the step) and «a changed NGO is simply refused».
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from dataclasses import replace

import openpyxl
import pytest
from sqlalchemy import select, update

from ostandari_desk.domain.jalali import from_jalali as J
from ostandari_desk.domain.lifecycle import StepKind
from ostandari_desk.domain.roles import Actor, Role
from ostandari_desk.services import licences as lic
from ostandari_desk.services import transfer
from ostandari_desk.services.audit import AuditFilter, audit_lines
from ostandari_desk.services.ngos import get_ngo, update_ngo
from ostandari_desk.store.models import LicenceStep, Ngo
from ostandari_desk.store.uow import UnitOfWork

DEMO_TODAY = dt.date(2026, 11, 23)
# the kinds a clerk imports into a fresh desk, in the order the sheets depend on each other
FRESH_ORDER = (
    "ngos",
    "letters",  # before the licences: a sanction's letter is the sheet's, linked to its step
    "licences",
    "events",
    "centres",
    "inspections",
    "offices",
    "memoranda",
    "progress",
)
ALL_KINDS = (*FRESH_ORDER, "payments")


def _admin(engine) -> UnitOfWork:
    return UnitOfWork(engine, Actor(username="tester", full_name="کارشناس آزمون", role=Role.ADMIN))


def _sheet_rows(path) -> list[tuple]:
    return [tuple(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory, _migrated_template):
    """The small demo (built once) and its exports of every kind: (path of the database, {kind: sheet})."""
    from ostandari_desk.services.demo import build_demo
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database

    folder = tmp_path_factory.mktemp("roundtrip")
    path = folder / "demo.sqlite3"
    shutil.copy(_migrated_template, path)
    engine = open_database(sqlite_url(path))
    build_demo(engine, "small", seed=1401, today=DEMO_TODAY)
    sheets = {}
    for kind in ALL_KINDS:
        sheets[kind] = folder / f"{kind}.xlsx"
        assert transfer.export_file(_admin(engine), kind, sheets[kind]) > 0, kind
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, sheets


def _open_copy(source, tmp_path):
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database

    path = tmp_path / "copy.sqlite3"
    shutil.copy(source, path)
    return open_database(sqlite_url(path))


def test_the_demos_sanctions_have_no_letter_number_on_the_step_but_a_filed_letter(demo):
    """The shape that broke the licence sheet: the reason the fix reads the filed letter's number."""
    import sqlite3

    conn = sqlite3.connect(demo[0])
    bare, filed = conn.execute(
        "SELECT count(*), count(l.id) FROM licencestep s LEFT JOIN letter l ON l.licence_step_id = s.id "
        "WHERE s.kind IN ('suspension', 'revocation') AND s.letter_no = ''"
    ).fetchone()
    conn.close()
    assert bare > 20 and filed == bare


def test_every_export_of_the_demo_reimports_into_the_same_desk_adding_and_refusing_nothing(demo, tmp_path):
    path, sheets = demo
    engine = _open_copy(path, tmp_path)
    try:
        for kind in ALL_KINDS:
            report = transfer.import_file(_admin(engine), kind, sheets[kind])
            assert report.errors == [], (kind, report.errors[:3])
            assert (report.added, report.updated) == (0, 0), kind
            assert report.unchanged == len(_sheet_rows(sheets[kind])) - 1, kind
    finally:
        engine.dispose()


def test_the_demos_exports_import_into_a_fresh_desk_and_export_the_same(demo, engine, uow, tmp_path):
    from ostandari_desk.services import setup

    setup.initialize(uow, "قزوین", office_name="اداره کل امور اجتماعی")
    _path, sheets = demo
    for kind in FRESH_ORDER:
        report = transfer.import_file(uow, kind, sheets[kind])
        assert report.errors == [], (kind, report.errors[:3])
        assert report.added == len(_sheet_rows(sheets[kind])) - 1, kind
    again = tmp_path / "licences.xlsx"
    transfer.export_file(uow, "licences", again)
    assert sorted(_sheet_rows(again)[1:]) == sorted(_sheet_rows(sheets["licences"])[1:])
    reimport = transfer.import_file(uow, "licences", again)
    assert (reimport.added, reimport.unchanged, reimport.errors) == (0, len(_sheet_rows(again)) - 1, [])


# --- a step whose letter number is on its filed letter -----------------------------------------------


def test_a_suspension_exports_its_filed_letters_number_and_reimports(desk, make_ngo, tmp_path):
    ngo_id = make_ngo(county="آبیک")
    with desk.uow as uow:
        lic.apply_licence_step(
            uow, ngo_id, StepKind.ISSUE, J(1401, 1, 15), licence_number="۱۲", validity_years=4, imported=True
        )
        uow.commit()
    step_id = lic.suspend_licence(
        desk.uow, ngo_id, J(1402, 3, 10), "۷۷/ص", "تخلف مالی", "آیین‌نامه ۱۳۹۵، ماده ۱۷"
    )
    with desk.uow.writing() as uow:  # as the demo (or an older desk) keeps it: the number on the letter alone
        uow.s.execute(
            update(LicenceStep.__table__).where(LicenceStep.__table__.c.id == step_id).values(letter_no="")
        )
        uow.commit()
    out = tmp_path / "licences.xlsx"
    transfer.export_file(desk.uow, "licences", out)
    header, *rows = _sheet_rows(out)
    suspension = [r for r in rows if r[1] == "تعلیق"]
    assert [r[header.index("شماره نامه")] for r in suspension] == ["77/ص"]
    report = transfer.import_file(desk.uow, "licences", out)
    assert (report.added, report.unchanged, report.errors) == (0, 2, [])


# --- an NGO edited in the sheet ----------------------------------------------------------------------------


def _edit(source, target, changes: dict[tuple[int, str], str], created: dt.datetime | None = None) -> str:
    """``source`` with cells changed ({(sheet row, header): value}), saved as ``target``; openpyxl keeps the
    workbook's creation time as Excel does (or sets ``created``)."""
    book = openpyxl.load_workbook(source)
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    for (row, header), value in changes.items():
        sheet.cell(row, headers.index(header) + 1).value = value
    if created is not None:
        book.properties.created = created
    book.save(target)
    return str(target)


@pytest.fixture
def exported(desk, make_ngo, tmp_path):
    """Two NGOs of آبیک stored, then exported a second later: (their ids, the sheet)."""
    first = make_ngo(county="آبیک", phone="02833330000", field_ids=(desk.fields["کودکان و نوجوانان"],))
    second = make_ngo(county="آبیک")
    time.sleep(1.05)  # a workbook's time has whole seconds
    out = tmp_path / "ngos.xlsx"
    transfer.export_file(desk.uow, "ngos", out)
    rows = {r[0]: n for n, r in enumerate(_sheet_rows(out), start=1)}
    return (first, second), out, {get_ngo(desk.uow, i).national_id: i for i in (first, second)}, rows


def _row_of(desk, exported, ngo_id: str) -> int:
    _ids, _out, _by_nid, rows = exported
    return rows[get_ngo(desk.uow, ngo_id).national_id]


def test_a_sheet_edited_after_its_export_updates_the_ngo(desk, exported, tmp_path):
    (first, second), out, _by_nid, _rows = exported
    row = _row_of(desk, exported, first)
    edited = _edit(
        out,
        tmp_path / "edited.xlsx",
        {
            (row, "تلفن"): "۰۲۸۳۳۳۴۴۴۴۴",
            (row, "نشانی"): "قزوین، خیابان تازه",
            (row, "حوزه فعالیت"): "زنان و خانواده",
        },
    )
    trial = transfer.import_file(desk.uow, "ngos", edited, dry_run=True)
    assert (trial.updated, trial.unchanged, trial.errors) == (1, 1, []) and "به‌روز می‌شد" in trial.summary()
    assert get_ngo(desk.uow, first).phone == "02833330000"  # a trial changes nothing

    report = transfer.import_file(desk.uow, "ngos", edited)
    assert (report.added, report.updated, report.unchanged, report.errors) == (0, 1, 1, [])
    assert "۱ سمن به‌روز شد" in report.summary()
    assert any(
        "به‌روز شد" in w and "تلفن" in w and "نشانی" in w and "حوزه فعالیت" in w for w in report.warnings
    )
    detail = get_ngo(desk.uow, first)
    assert (detail.phone, detail.address, detail.field_names) == (
        "02833344444",
        "قزوین، خیابان تازه",
        ("زنان و خانواده",),
    )
    assert detail.row_version == 2 and get_ngo(desk.uow, second).row_version == 1
    assert detail.name == get_ngo(desk.uow, first).name  # cells the clerk left as they were stay
    trail = [
        (line.field, line.before, line.after) for line in audit_lines(desk.uow, AuditFilter(record_id=first))
    ]
    assert any("02833330000" in before and "02833344444" in after for _f, before, after in trail), trail

    again = transfer.import_file(desk.uow, "ngos", edited)
    assert (again.updated, again.unchanged, again.errors) == (0, 2, [])
    assert "پیش‌تر وارد شده است" in again.summary()


def test_an_empty_cell_keeps_the_stored_value(desk, exported, tmp_path):
    (first, _second), out, _by_nid, _rows = exported
    row = _row_of(desk, exported, first)
    edited = _edit(
        out, tmp_path / "edited.xlsx", {(row, "تلفن"): None, (row, "نام سازمان"): "انجمن با نام تازه"}
    )
    report = transfer.import_file(desk.uow, "ngos", edited)
    assert (report.updated, report.errors) == (1, [])
    detail = get_ngo(desk.uow, first)
    assert (detail.name, detail.phone) == ("انجمن با نام تازه", "02833330000")
    with desk.uow as uow:  # the derived columns follow the name (search and sort)
        stored = uow.s.execute(select(Ngo.name_key, Ngo.search_text).where(Ngo.id == first)).one()
    assert "تازه" in stored.name_key and "تازه" in stored.search_text


def test_a_sheet_older_than_the_apps_record_is_refused_naming_both_values(desk, exported, tmp_path):
    (first, second), out, _by_nid, _rows = exported
    detail = get_ngo(desk.uow, first)
    data = replace(detail.to_input(), phone="02833335555")
    time.sleep(1.05)  # the export's time has whole seconds: an edit in the same second counts as before it
    update_ngo(desk.uow, first, data, [], detail.row_version)  # edited in the app after the export
    row, other = _row_of(desk, exported, first), _row_of(desk, exported, second)
    stale = _edit(
        out, tmp_path / "stale.xlsx", {(row, "تلفن"): "02833336666", (other, "نشانی"): "نشانی دیگر"}
    )
    report = transfer.import_file(desk.uow, "ngos", stale)
    assert not report.stored and [(e.row, e.column) for e in report.errors] == [(row, "تلفن")]
    reason = report.errors[0].reason
    assert "پس از تهیه این پرونده" in reason and detail.name in reason
    assert "در پرونده «۰۲۸۳۳۳۳۶۶۶۶»" in reason and "در برنامه «۰۲۸۳۳۳۳۵۵۵۵»" in reason
    assert get_ngo(desk.uow, first).phone == "02833335555"
    assert get_ngo(desk.uow, second).address == ""  # the whole file refused: nothing stored

    skipped = transfer.import_file(
        desk.uow, "ngos", stale, skip_bad=True, bad_rows_path=tmp_path / "bad.xlsx"
    )
    assert (skipped.updated, skipped.bad_rows) == (1, 1)
    assert (
        get_ngo(desk.uow, second).address == "نشانی دیگر" and get_ngo(desk.uow, first).phone == "02833335555"
    )

    # a sheet made (in Excel) long before the NGO was stored is older too
    ancient = _edit(out, tmp_path / "ancient.xlsx", {(other, "تلفن"): "02833337777"}, dt.datetime(2020, 1, 1))
    assert {e.row for e in transfer.import_file(desk.uow, "ngos", ancient).errors} == {row, other}


def test_a_csv_counts_from_its_modification_time(desk, exported, tmp_path):
    (first, _second), _out, _by_nid, _rows = exported
    path = tmp_path / "ngos.csv"
    transfer.export_file(desk.uow, "ngos", path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    row = _row_of(desk, exported, first) - 1
    lines[row] = lines[row].replace("02833330000", "02833338888")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    assert transfer.import_file(desk.uow, "ngos", path).updated == 1
    assert get_ngo(desk.uow, first).phone == "02833338888"
    old = time.time() - 3600
    os.utime(path, (old, old))  # a CSV last saved an hour ago is older than the record just updated
    lines[row] = lines[row].replace("02833338888", "02833339999")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    os.utime(path, (old, old))
    assert [e.column for e in transfer.import_file(desk.uow, "ngos", path).errors] == ["تلفن"]


def test_a_county_user_cannot_take_another_countys_ngo_through_a_sheet(desk, exported, uow_as, tmp_path):
    (first, _second), out, _by_nid, _rows = exported
    row = _row_of(desk, exported, first)
    moved = _edit(out, tmp_path / "moved.xlsx", {(row, "شهرستان"): "البرز", (row, "تلفن"): "02833331111"})
    alborz = uow_as("county", desk.counties["البرز"])
    report = transfer.import_file(alborz, "ngos", moved)
    refused = {e.row: e.reason for e in report.errors}
    assert "شهرستان دیگری ثبت شده است" in refused[row]
    assert get_ngo(desk.uow, first).county_id == desk.counties["آبیک"]
