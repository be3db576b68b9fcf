"""The «پروانه‌ها» sheet as an office's whole history: cases, the four inquiries, council meetings and their
decisions by case type, licences (and credentials), the sanctions ladder — through the lifecycle's rules, with
the exception for an NGO's first imported step — and what a year of it gives the annual comparison."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil

import openpyxl
import pytest
from sqlalchemy import func, select

from ostandari_desk.domain.ids import make_legal_national_id
from ostandari_desk.domain.jalali import from_jalali as J
from ostandari_desk.domain.lifecycle import StepKind
from ostandari_desk.services import licences as lic
from ostandari_desk.services import transfer
from ostandari_desk.services.annual import annual_comparison
from ostandari_desk.services.indicators import INDICATORS
from ostandari_desk.services.transfer.licences_sheet import CREDENTIAL
from ostandari_desk.store.models import Inquiry, Letter, LicenceCase, LicenceStep, Ngo

HEADERS = [
    "شناسه ملی سمن",
    "اقدام",
    "تاریخ",
    "نوع پرونده",
    "مرجع استعلام",
    "نتیجه",
    "تاریخ جلسه",
    "مبنای قانونی",
    "شماره پروانه",
    "تاریخ انقضا",
    "شماره نامه",
    "توضیحات",
]
BASIS = "آیین‌نامه ۱۳۹۵، ماده ۷"
AGENCIES = ("قضایی", "اطلاعات", "انتظامی", "تخصصی")
_PREFIXES = itertools.count(3_050_000_000)
ONE_NO = ("مثبت", "منفی", "مثبت", "مثبت")  # the intelligence office's answer unfavourable
AFTER_1402 = dt.date(2024, 6, 1)  # 1403/03/12: 1402 is a finished year


def nid() -> str:
    return make_legal_national_id(str(next(_PREFIXES)))


def row(national_id, action, on, **cells) -> list:
    """A row under HEADERS: ``cells`` by header (spaces as «_»: نوع_پرونده=...)."""
    values = dict.fromkeys(HEADERS, "")
    values.update({HEADERS[0]: national_id, HEADERS[1]: action, HEADERS[2]: on})
    for key, value in cells.items():
        header = key.replace("_", " ")
        assert header in values, header
        values[header] = value
    return [values[h] for h in HEADERS]


def write(path, rows, headers=HEADERS):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "پروانه‌ها"
    sheet.append(headers)
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


def establishment(national_id, request, sent, answered, decided, meeting, results=("مثبت",) * 4) -> list:
    """A whole establishment case up to the council's approval (or rejection, with an unfavourable answer)."""
    rows = [
        row(national_id, "درخواست", request, نوع_پرونده="تأسیس"),
        row(national_id, "بررسی مدارک", request),
        *(
            row(national_id, "ارسال استعلام", sent, مرجع_استعلام=a, شماره_نامه=f"{n}/ا")
            for n, a in enumerate(AGENCIES)
        ),
        *(
            row(national_id, "پاسخ استعلام", answered, مرجع_استعلام=a, نتیجه=r)
            for a, r in zip(AGENCIES, results)
        ),
    ]
    action = "موافقت با تأسیس" if "منفی" not in results else "رد درخواست"
    rows.append(row(national_id, action, decided, تاریخ_جلسه=meeting, مبنای_قانونی=BASIS))
    return rows


@pytest.fixture
def ngos(desk, make_ngo):
    ids = [nid() for _ in range(5)]
    for national_id in ids:
        make_ngo(national_id=national_id)
    return ids


def count(desk, model, *where) -> int:
    with desk.uow as uow:
        return uow.s.execute(select(func.count()).select_from(model).where(*where)).scalar()


def test_the_templates_write_the_new_headers(tmp_path):
    licences = openpyxl.load_workbook(transfer.template("licences", tmp_path / "l.xlsx"))
    assert licences.sheetnames == ["پروانه‌ها"]
    assert [c.value for c in next(licences.active.iter_rows(max_row=1))] == HEADERS
    boards = openpyxl.load_workbook(transfer.template("boards", tmp_path / "b.xlsx"))
    assert boards.sheetnames == ["هیئت مدیره"]
    assert [c.value for c in next(boards.active.iter_rows(max_row=1))] == [
        "شناسه ملی سمن",
        "نام و نام خانوادگی",
        "کد ملی",
        "سمت",
        "تخصص",
        "آغاز دوره",
        "پایان دوره",
    ]


def year_1402(a, b, c, d) -> list:
    """A year made of cases, inquiries, meetings, licences, a renewal and warnings."""
    return [
        *establishment(a, "1402/01/10", "1402/01/20", "1402/02/05", "1402/02/20", "1402/02/18"),
        row(a, "صدور پروانه", "1402/03/01", شماره_پروانه="ق-1", تاریخ_انقضا="1406/03/01"),
        *establishment(b, "1402/01/11", "1402/01/21", "1402/02/06", "1402/02/20", "1402/02/18"),
        row(b, "صدور پروانه", "1402/03/02", شماره_پروانه="ق-2", تاریخ_انقضا="1406/03/02"),
        *establishment(c, "1402/01/12", "1402/01/22", "1402/02/07", "1402/03/15", "1402/03/10", ONE_NO),
        # a licence issued before the desk: the history's first step; then a renewal case and two warnings
        row(d, "صدور پروانه", "1398/05/01", شماره_پروانه="ق-4", تاریخ_انقضا="1402/05/01", مبنای_قانونی=BASIS),
        row(d, "درخواست", "1402/04/01", نوع_پرونده="تمدید"),
        row(d, "موافقت با تمدید", "1402/04/20", مبنای_قانونی=BASIS),
        row(d, "تمدید پروانه", "1402/04/25", شماره_پروانه="ق-4", تاریخ_انقضا="1406/04/25"),
        row(d, "تذکر", "1402/06/01", شماره_نامه="۱۰۱/ص", مبنای_قانونی=BASIS, توضیحات="گزارش سالانه نرسید"),
        row(d, "اخطار کتبی", "1402/07/01", شماره_نامه="۱۰۲/ص", مبنای_قانونی=BASIS, توضیحات="باز هم نرسید"),
    ]  # fmt: skip


def test_a_year_of_history_gives_the_annual_comparison_its_counts(desk, ngos, tmp_path):
    a, b, c, d, _e = ngos
    path = write(tmp_path / "history.xlsx", year_1402(a, b, c, d))
    report = transfer.import_file(desk.uow, "licences", path)
    assert report.errors == [] and report.added == report.rows_read == 41

    found = annual_comparison(desk.uow, 1402, today=AFTER_1402)
    figures = {r.key: (r.last, r.this) for r in found.rows}
    assert figures["requests"] == (0, 4)
    assert figures["council_meetings"] == (0, 3)  # 1402/02/18 (two decisions), 1402/03/10, 1402/04/20
    assert figures["inquiries"] == (0, 12) and figures["inquiries_answered"] == (0, 12)
    assert figures["approvals_establishment"] == (0, 2) and figures["approvals_renewal"] == (0, 1)
    assert figures["approvals_upgrade"] == figures["approvals_conformity"] == (0, 0)
    assert figures["rejections"] == (0, 1) and figures["rejections_establishment"] == (0, 1)
    assert figures["decisions"] == (0, 4)
    assert figures["issued"] == (0, 2) and figures["renewals"] == (0, 1)
    assert figures["punitive_letters"] == (0, 2)  # each warning is filed as a punitive letter
    assert figures["sanctions"] == (0, 0)
    # a warning is a rung of the ladder counted where the report counts warnings (when it declares them)
    for ind in INDICATORS:
        kinds = set(dict(ind.where).get("kind", ()))
        if ind.source == "steps" and kinds and kinds <= {"notice", "written_warning"}:
            assert figures[ind.key][1] == len([k for k in ("notice", "written_warning") if k in kinds]), (
                ind.key
            )

    with desk.uow as uow:
        meetings = uow.s.execute(
            select(LicenceCase.meeting_on).where(LicenceCase.decision.is_not(None))
        ).scalars()
        assert sorted({m for m in meetings}) == [J(1402, 2, 18), J(1402, 3, 10), J(1402, 4, 20)]
        punitive = uow.s.execute(select(Letter.number).where(Letter.kind == "punitive")).scalars().all()
    assert sorted(punitive) == ["101/ص", "102/ص"]

    again = transfer.import_file(desk.uow, "licences", path)
    assert (again.added, again.unchanged, again.errors) == (0, 41, [])
    assert "پیش‌تر وارد شده است" in again.summary()


def test_a_credential_is_imported_and_counted(desk, ngos, tmp_path):
    a, b, *_rest = ngos
    rows = [
        row(a, "صدور اعتبارنامه", "1402/02/01", شماره_پروانه="اع-1", تاریخ_انقضا="1407/02/01"),
        row(b, "صدور پروانه", "1402/02/02", شماره_پروانه="ق-9", تاریخ_انقضا="1406/02/02"),
    ]
    path = write(tmp_path / "c.xlsx", rows)
    report = transfer.import_file(desk.uow, "licences", path)
    assert report.errors == [] and report.added == 2
    figures = {r.key: r.this for r in annual_comparison(desk.uow, 1402, today=AFTER_1402).rows}
    if CREDENTIAL is None:  # the lifecycle does not tell a credential apart yet: it is a licence issued
        assert figures["issued"] == 2
    else:
        credential_keys = [i.key for i in INDICATORS if "credential" in dict(i.where).get("kind", ())]
        assert credential_keys and all(figures[k] == 1 for k in credential_keys)
        assert figures["issued"] == 1
    assert transfer.import_file(desk.uow, "licences", path).unchanged == 2


def test_each_breach_of_the_rules_is_the_rows_error_naming_the_rule(desk, ngos, tmp_path):
    a, b, c, d, e = ngos
    rows = [
        # 2-11: an approval while an inquiry is still unanswered
        row(a, "درخواست", "1402/01/10", نوع_پرونده="تأسیس"),
        row(a, "بررسی مدارک", "1402/01/12"),
        *(row(a, "ارسال استعلام", "1402/01/20", مرجع_استعلام=x) for x in AGENCIES),
        *(row(a, "پاسخ استعلام", "1402/02/01", مرجع_استعلام=x, نتیجه="مثبت") for x in AGENCIES[:3]),
        row(a, "موافقت با تأسیس", "1402/02/20", مبنای_قانونی=BASIS),
        # 12-13: an answer to an inquiry never sent
        row(b, "درخواست", "1402/01/10", نوع_پرونده="تأسیس"),
        row(b, "پاسخ استعلام", "1402/02/01", مرجع_استعلام="قضایی", نتیجه="مثبت"),
        # 14-16: a suspension without its letter number, and the lifting after it
        row(c, "صدور پروانه", "1398/05/01", شماره_پروانه="ق-7", تاریخ_انقضا="1402/05/01"),
        row(c, "تعلیق", "1399/01/01", مبنای_قانونی=BASIS, توضیحات="تخلف"),
        row(c, "رفع تعلیق", "1399/03/01"),
        # 17-18: a council decision without its case, later in a history
        row(d, "صدور پروانه", "1398/05/01", شماره_پروانه="ق-8", تاریخ_انقضا="1402/05/01"),
        row(d, "موافقت با تأسیس", "1399/01/01", مبنای_قانونی=BASIS),
        # 19: a decision with no legal basis; 20: a date that does not exist
        row(e, "رد درخواست", "1402/01/10"),
        row(e, "درخواست", "1401/12/30", نوع_پرونده="تأسیس"),
    ]
    report = transfer.import_file(desk.uow, "licences", write(tmp_path / "bad.xlsx", rows))
    errors = {(err.row, err.column): err.reason for err in report.errors}
    assert not report.stored and count(desk, LicenceStep) == 0

    assert "چهار استعلام" in errors[(11, "اقدام")] or "نرسیده" in errors[(11, "اقدام")]
    assert "فرستاده نشده" in errors[(13, "مرجع استعلام")]
    assert "شماره نامه" in errors[(15, "شماره نامه")] and "نردبان" in errors[(15, "شماره نامه")]
    assert "ردیف ۱۵" in errors[(16, "اقدام")]  # the NGO's later rows are refused with it
    assert "نخستین اقدام" in errors[(18, "اقدام")]
    assert "مبنای قانونی" in errors[(19, "مبنای قانونی")]
    assert (20, "تاریخ") in errors
    assert {err.row for err in report.errors} == {11, 13, 15, 16, 18, 19, 20}

    skipped = transfer.import_file(
        desk.uow,
        "licences",
        write(tmp_path / "bad2.xlsx", rows),
        skip_bad=True,
        bad_rows_path=tmp_path / "x.xlsx",
    )
    assert skipped.stored and skipped.added == 12 and skipped.bad_rows == 7
    assert count(desk, Inquiry) == 4  # a's four inquiries, three answered; b's answer was refused


def test_an_unfavourable_answer_needs_the_managers_override_on_the_row_before_the_approval(
    desk, ngos, tmp_path
):
    a, b, *_rest = ngos
    results = ONE_NO
    case_a = establishment(a, "1402/01/10", "1402/01/20", "1402/02/05", "1402/02/20", "1402/02/18", results)
    case_a[-1] = row(a, "موافقت با تأسیس", "1402/02/20", مبنای_قانونی=BASIS)
    case_b = establishment(b, "1402/01/10", "1402/01/20", "1402/02/05", "1402/02/20", "1402/02/18", results)
    case_b[-1:] = [
        row(b, "عدول از پاسخ منفی استعلام", "1402/02/20", توضیحات="پاسخ منفی بی دلیل مستند بود"),
        row(b, "موافقت با تأسیس", "1402/02/20", مبنای_قانونی=BASIS),
    ]
    report = transfer.import_file(
        desk.uow, "licences", write(tmp_path / "o.xlsx", case_a + case_b), skip_bad=True
    )
    assert [(e.row, e.column) for e in report.errors] == [(len(case_a) + 1, "اقدام")]
    assert "منفی" in report.errors[0].reason and "عدول" in report.errors[0].reason
    with desk.uow as uow:
        override = uow.s.execute(
            select(LicenceStep.reason).where(LicenceStep.kind == StepKind.INQUIRY_OVERRIDE.value)
        ).scalar_one()
        states = dict(uow.s.execute(select(Ngo.national_id, Ngo.licence_state)).all())
    assert override == "پاسخ منفی بی دلیل مستند بود"
    assert states[b] == "approved" and states[a] == "none"


def test_the_first_imported_step_may_be_a_decision_whose_case_is_made_with_it(desk, ngos, tmp_path):
    a, *_rest = ngos
    rows = [
        row(a, "موافقت با تأسیس", "1399/02/20", تاریخ_جلسه="1399/02/15", مبنای_قانونی=BASIS),
        row(a, "صدور پروانه", "1399/03/01", شماره_پروانه="ق-11", تاریخ_انقضا="1403/03/01"),
    ]
    report = transfer.import_file(desk.uow, "licences", write(tmp_path / "f.xlsx", rows))
    assert report.errors == []
    with desk.uow as uow:
        case = uow.s.execute(select(LicenceCase)).scalar_one()
        assert (case.case_type, case.state, case.decision) == ("establishment", "closed", "approved")
        assert (case.decided_on, case.meeting_on, case.legal_basis) == (J(1399, 2, 20), J(1399, 2, 15), BASIS)
    figures = {r.key: r.this for r in annual_comparison(desk.uow, 1399, today=AFTER_1402).rows}
    assert (
        figures["council_meetings"] == 1
        and figures["approvals_establishment"] == 1
        and figures["issued"] == 1
    )


def test_a_clerk_and_a_county_user_are_held_to_their_permissions_and_county(desk, make_ngo, uow_as, tmp_path):
    ours, theirs = nid(), nid()
    make_ngo(national_id=ours, county="آبیک")
    make_ngo(national_id=theirs, county="البرز")
    rows = [
        row(ours, "درخواست", "1402/01/10", نوع_پرونده="تأسیس"),
        row(ours, "رد درخواست", "1402/01/20", مبنای_قانونی=BASIS),
        row(theirs, "درخواست", "1402/01/10", نوع_پرونده="تأسیس"),
    ]
    path = write(tmp_path / "s.xlsx", rows)
    report = transfer.import_file(uow_as("county", desk.counties["آبیک"]), "licences", path)
    errors = {e.row: e for e in report.errors}
    assert set(errors) == {3, 4}
    assert "اجازه" in errors[3].reason  # a council decision is a manager's
    assert errors[4].column == "شناسه ملی سمن" and "شهرستان شما" in errors[4].reason


def _second_desk(tmp_path, template):
    from ostandari_desk.domain.roles import Actor, Role
    from ostandari_desk.services import setup
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database
    from ostandari_desk.store.uow import UnitOfWork

    path = tmp_path / "second.sqlite3"
    shutil.copy(template, path)
    engine = open_database(sqlite_url(path))
    uow = UnitOfWork(engine, Actor(username="other", full_name="کارشناس دیگر", role=Role.ADMIN))
    setup.initialize(uow, "قزوین", office_name="اداره کل امور اجتماعی")
    return engine, uow


def _history(uow, national_id):
    """An NGO's steps, cases, inquiries and licences as plain values (ids left out)."""
    from ostandari_desk.store.models import Licence

    with uow:
        ngo_id = uow.s.execute(select(Ngo.id).where(Ngo.national_id == national_id)).scalar_one()
        steps = uow.s.execute(
            select(
                LicenceStep.kind, LicenceStep.on_date, LicenceStep.letter_no, LicenceStep.legal_basis,
                LicenceStep.reason, LicenceStep.note, Licence.number,
            )
            .outerjoin(Licence, Licence.id == LicenceStep.licence_id)
            .where(LicenceStep.ngo_id == ngo_id)
        ).all()  # fmt: skip
        cases = uow.s.execute(
            select(
                LicenceCase.case_type, LicenceCase.received_on, LicenceCase.state, LicenceCase.decision,
                LicenceCase.decided_on, LicenceCase.meeting_on, LicenceCase.legal_basis, LicenceCase.note,
            ).where(LicenceCase.ngo_id == ngo_id)
        ).all()  # fmt: skip
        inquiries = uow.s.execute(
            select(Inquiry.agency, Inquiry.sent_on, Inquiry.due_on, Inquiry.letter_no, Inquiry.answered_on,
                   Inquiry.answer, Inquiry.note)
            .join(LicenceCase, LicenceCase.id == Inquiry.case_id)
            .where(LicenceCase.ngo_id == ngo_id)
        ).all()  # fmt: skip
        licences = uow.s.execute(
            select(Licence.number, Licence.level, Licence.issued_on, Licence.expires_on, Licence.state).where(
                Licence.ngo_id == ngo_id
            )
        ).all()
    found = {"steps": steps, "cases": cases, "inquiries": inquiries, "licences": licences}
    return {name: sorted(tuple(r) for r in rows) for name, rows in found.items()}


def test_a_history_made_in_the_app_exports_and_imports_into_another_desk_as_it_was(
    desk, make_ngo, tmp_path, _migrated_template
):
    """Every service's step, recorded on screen, and the same history after export and import elsewhere."""
    national_id = nid()
    ngo_id = make_ngo(national_id=national_id, county="آبیک")
    uow = desk.uow
    case = lic.open_case(uow, ngo_id, "establishment", J(1401, 1, 10), note="پرونده کامل")
    lic.check_documents(uow, case, J(1401, 1, 12), note="مدارک کامل")
    inquiries = lic.send_inquiries(uow, case, J(1401, 1, 15), letter_nos={"judiciary": "۵۵/ق"})
    for n, inquiry in enumerate(inquiries):
        answer = "unfavourable" if n == 2 else "favourable"
        lic.answer_inquiry(uow, inquiry, J(1401, 2, 1 + n), answer, note=f"پاسخ {n}")
    lic.decide_case(uow, case, True, J(1401, 3, 1), J(1401, 2, 28), BASIS, override_reason="سابقه روشن")
    lic.issue_licence(uow, case, J(1401, 3, 5), "ق-۴۴", expires_on=J(1405, 3, 5))
    lic.impose_sanction(uow, ngo_id, "notice", J(1401, 6, 1), "۷۱/ص", "تأخیر گزارش", BASIS)
    lic.suspend_licence(uow, ngo_id, J(1401, 8, 1), "۷۲/ص", "تخلف مالی", BASIS)
    lic.lift_suspension(uow, ngo_id, J(1401, 9, 1), "۷۳/ص", legal_basis=BASIS)
    renewal = lic.open_case(uow, ngo_id, "renewal", J(1404, 12, 1))
    lic.withdraw_case(uow, renewal, J(1404, 12, 20), "انصراف سمن")

    sheets = {kind: tmp_path / f"{kind}.xlsx" for kind in ("ngos", "letters", "licences")}
    for kind, path in sheets.items():
        transfer.export_file(uow, kind, path)
    engine, other = _second_desk(tmp_path, _migrated_template)
    try:
        for kind, path in sheets.items():
            report = transfer.import_file(other, kind, path)
            assert report.errors == [], (kind, report.errors[:2])
        mine, theirs = _history(uow, national_id), _history(other, national_id)
        assert theirs == mine
        again = tmp_path / "again.xlsx"
        transfer.export_file(other, "licences", again)
        first = list(openpyxl.load_workbook(sheets["licences"]).active.iter_rows(values_only=True))
        assert list(openpyxl.load_workbook(again).active.iter_rows(values_only=True)) == first
    finally:
        engine.dispose()


def test_a_trial_run_stores_nothing_and_an_old_seven_column_sheet_still_imports(desk, ngos, tmp_path):
    a, *_rest = ngos
    old = ["شناسه ملی سمن", "اقدام", "تاریخ", "شماره پروانه", "تاریخ انقضا", "شماره نامه", "توضیحات"]
    path = write(tmp_path / "old.xlsx", [[a, "صدور پروانه", "1398/03/01", "ق-۱", "1402/03/01", "", ""]], old)
    trial = transfer.import_file(desk.uow, "licences", path, dry_run=True)
    assert (trial.added, trial.stored, trial.errors) == (1, False, [])
    assert count(desk, LicenceStep) == 0
    report = transfer.import_file(desk.uow, "licences", path)
    assert (report.added, report.errors) == (1, []) and count(desk, LicenceStep) == 1
