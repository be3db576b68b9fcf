"""The «هیئت مدیره» sheet: board members with their roles and terms, imported, checked row by row, exported."""

from __future__ import annotations

import itertools

import openpyxl
import pytest
from sqlalchemy import func, select

from ostandari_desk.domain.ids import make_legal_national_id, make_national_code
from ostandari_desk.domain.jalali import from_jalali as J
from ostandari_desk.services import transfer
from ostandari_desk.services.ngos import BoardMemberInput, get_ngo
from ostandari_desk.store.models import AuditEntry, BoardMember

HEADERS = ["شناسه ملی سمن", "نام و نام خانوادگی", "کد ملی", "سمت", "تخصص", "آغاز دوره", "پایان دوره"]
_PREFIXES = itertools.count(4_010_000_000)
_CODES = itertools.count(123_450_000)


def nid() -> str:
    return make_legal_national_id(str(next(_PREFIXES)))


def code() -> str:
    return make_national_code(str(next(_CODES)))


def write(path, rows, headers=HEADERS):
    book = openpyxl.Workbook()
    book.active.title = "هیئت مدیره"
    book.active.append(headers)
    for r in rows:
        book.active.append(r)
    book.save(path)
    return path


def members(desk) -> int:
    with desk.uow as uow:
        return uow.s.execute(select(func.count()).select_from(BoardMember)).scalar()


@pytest.fixture
def two(desk, make_ngo):
    a, b = nid(), nid()
    return (a, make_ngo(national_id=a)), (b, make_ngo(national_id=b, county="آبیک"))


def test_boards_import_with_roles_and_terms_and_again_adds_nothing(desk, two, tmp_path):
    (a, a_id), (b, b_id) = two
    c1, c2, c3 = code(), code(), code()
    rows = [
        [a, "مریم احمدی", c1, "مدیرعامل", "مددکاری", "1401/02/01", "1403/02/01"],
        [a, "علی رضایی", c2, "رئیس هیئت مدیره", "", "1401/02/01", "1403/02/01"],
        [a, "سارا کریمی", c3, "عضو علی‌البدل", "حقوق", "", ""],
        [b, "مریم احمدی", c1, "مؤسس", "", "", ""],  # the same person on another NGO's board
        [b, "حسن موسوی", code(), "عضو اصلی", "", "۱۴۰۲/۰۱/۱۵", "۱۴۰۴/۰۱/۱۵"],
    ]
    path = write(tmp_path / "b.xlsx", rows)
    report = transfer.import_file(desk.uow, "boards", path)
    assert (report.added, report.errors) == (5, [])
    board = {m.national_code: m for m in get_ngo(desk.uow, a_id).board}
    assert (board[c1].role, board[c1].expertise, board[c1].term_end) == ("ceo", "مددکاری", J(1403, 2, 1))
    assert board[c2].role == "chair" and board[c3].role == "alternate" and "علی‌البدل" in board[c3].role_label
    assert {m.role for m in get_ngo(desk.uow, b_id).board} == {"founder", "member"}

    again = transfer.import_file(desk.uow, "boards", path)
    assert (again.added, again.unchanged, again.errors) == (0, 5, [])
    assert "پیش‌تر وارد شده است" in again.summary() and members(desk) == 5
    with desk.uow as uow:  # one audit entry per member, with its NGO as owner, and one for the batch
        entries = uow.s.execute(select(AuditEntry.table_name, AuditEntry.owner_id)).all()
    assert sum(1 for t, owner in entries if t == "boardmember" and owner in (a_id, b_id)) == 5


def test_every_bad_row_names_its_row_and_column(desk, two, tmp_path):
    (a, _a_id), _b = two
    good = code()
    rows = [
        [a, "مریم احمدی", good, "مدیرعامل", "", "", ""],  # 2: good
        [a, "علی رضایی", "1234567890", "بازرس", "", "", ""],  # 3: check digit
        [a, "سارا کریمی", code(), "رئیس", "", "", ""],  # 4: unknown role
        [a, "حسن موسوی", code(), "خزانه‌دار", "", "1403/01/01", "1402/01/01"],  # 5: ends before it starts
        [nid(), "زهرا نوری", code(), "بازرس", "", "", ""],  # 6: an NGO not stored
        [a, "مریم احمدی", good, "مدیرعامل", "", "", ""],  # 7: the same member again in the file
        [a, "", code(), "بازرس", "", "1401/12/30", ""],  # 8: no name, an impossible date
    ]
    report = transfer.import_file(desk.uow, "boards", write(tmp_path / "bad.xlsx", rows))
    where = {(e.row, e.column) for e in report.errors}
    assert where == {
        (3, "کد ملی"),
        (4, "سمت"),
        (5, "پایان دوره"),
        (6, "شناسه ملی سمن"),
        (7, "کد ملی"),
        (8, "نام و نام خانوادگی"),
        (8, "آغاز دوره"),
    }
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert "رقم کنترل" in reasons[(3, "کد ملی")] and "ردیف ۲" in reasons[(7, "کد ملی")]
    assert "عضو علی‌البدل" in reasons[(4, "سمت")]  # the roles a sheet may use are listed
    assert not report.stored and members(desk) == 0

    skipped = transfer.import_file(
        desk.uow,
        "boards",
        write(tmp_path / "bad2.xlsx", rows),
        skip_bad=True,
        bad_rows_path=tmp_path / "x.xlsx",
    )
    assert (skipped.added, skipped.bad_rows) == (1, 6) and members(desk) == 1


def test_a_member_stored_with_other_details_is_an_error_naming_the_columns(desk, make_ngo, tmp_path):
    a = nid()
    member = code()
    make_ngo(
        national_id=a, board=[BoardMemberInput("مریم احمدی", member, "ceo", "", J(1401, 1, 1), J(1403, 1, 1))]
    )
    rows = [[a, "مریم احمدی", member, "مدیرعامل", "", "1401/01/01", "1405/01/01"]]
    report = transfer.import_file(desk.uow, "boards", write(tmp_path / "b.xlsx", rows))
    assert [(e.row, e.column) for e in report.errors] == [(2, "کد ملی")]
    assert "پایان دوره" in report.errors[0].reason and "۱۴۰۳/۰۱/۰۱" in report.errors[0].reason


def test_an_excel_number_keeps_the_codes_leading_zeros_and_the_export_reimports(desk, make_ngo, tmp_path):
    a = nid()
    ngo_id = make_ngo(national_id=a)
    zero = make_national_code("001234567")
    rows = [[int(a), "مریم احمدی", int(zero), "نایب رئیس", "", "1401/01/01", "1403/01/01"]]
    report = transfer.import_file(desk.uow, "boards", write(tmp_path / "n.xlsx", rows))
    assert report.errors == []
    assert [m.national_code for m in get_ngo(desk.uow, ngo_id).board] == [zero]

    out = tmp_path / "out.xlsx"
    assert transfer.export_file(desk.uow, "boards", out) == 1
    written = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert list(written[0]) == HEADERS
    assert written[1][:4] == (a, "مریم احمدی", zero, "نایب رئیس") and written[1][5] == "۱۴۰۱/۰۱/۰۱"
    assert transfer.import_file(desk.uow, "boards", out).unchanged == 1


def test_a_county_user_imports_and_exports_only_their_countys_boards(desk, make_ngo, uow_as, tmp_path):
    ours, theirs = nid(), nid()
    make_ngo(national_id=ours, county="آبیک", board=[BoardMemberInput("علی رضایی", code(), "member")])
    make_ngo(national_id=theirs, county="البرز", board=[BoardMemberInput("سارا کریمی", code(), "member")])
    abyek = uow_as("county", desk.counties["آبیک"])
    rows = [
        [ours, "مریم احمدی", code(), "بازرس", "", "", ""],
        [theirs, "حسن موسوی", code(), "بازرس", "", "", ""],
    ]
    report = transfer.import_file(abyek, "boards", write(tmp_path / "s.xlsx", rows))
    assert [(e.row, e.column) for e in report.errors] == [(3, "شناسه ملی سمن")]
    assert "شهرستان شما" in report.errors[0].reason
    out = tmp_path / "mine.xlsx"
    assert transfer.export_file(abyek, "boards", out) == 1
    assert [r[0] for r in openpyxl.load_workbook(out).active.iter_rows(min_row=2, values_only=True)] == [ours]


def test_the_command_line_writes_the_new_templates(tmp_path):
    from ostandari_desk.cli import main

    out = tmp_path / "boards.csv"
    assert main(["template", "boards", str(out)]) == 0
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].split(",") == HEADERS
    licences = tmp_path / "licences.xlsx"
    assert main(["template", "licences", str(licences)]) == 0
    header = [c.value for c in next(openpyxl.load_workbook(licences).active.iter_rows(max_row=1))]
    assert header[3:8] == ["نوع پرونده", "مرجع استعلام", "نتیجه", "تاریخ جلسه", "مبنای قانونی"]
