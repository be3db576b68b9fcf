"""Licences and credentials (اعتبارنامه) apart: both are a Licence row, told apart by the kind of the step
that issued it; «صدور پروانه فعالیت» counts licences only and «صدور اعتبارنامه» credentials, per county too,
whether they came from the licences sheet or from the case service."""

from __future__ import annotations

import datetime as dt
import itertools

import openpyxl
import pytest
from sqlalchemy import select

from ostandari_desk.domain.ids import make_legal_national_id
from ostandari_desk.domain.jalali import from_jalali as J
from ostandari_desk.domain.lifecycle import STEP_LABELS, LicenceState, StepKind, next_licence_state
from ostandari_desk.errors import TransitionError
from ostandari_desk.services import licences as lic
from ostandari_desk.services import transfer
from ostandari_desk.services.annual import annual_comparison
from ostandari_desk.services.indicators import COUNTY_INDICATORS
from ostandari_desk.services.licences.steps import LICENCE_ISSUING_STEPS
from ostandari_desk.store.models import Licence, LicenceStep, Ngo

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
AFTER_1402 = dt.date(2024, 6, 1)  # 1403/03/12: 1402 is a finished year
_PREFIXES = itertools.count(3_170_000_000)


def nid() -> str:
    return make_legal_national_id(str(next(_PREFIXES)))


def row(national_id, action, on, **cells) -> list:
    values = dict.fromkeys(HEADERS, "")
    values.update({HEADERS[0]: national_id, HEADERS[1]: action, HEADERS[2]: on})
    for key, value in cells.items():
        header = key.replace("_", " ")
        assert header in values, header
        values[header] = value
    return [values[h] for h in HEADERS]


def write(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "پروانه‌ها"
    sheet.append(HEADERS)
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


def approved_establishment(national_id, request, decided) -> list:
    return [
        row(national_id, "درخواست", request, نوع_پرونده="تأسیس"),
        row(national_id, "بررسی مدارک", request),
        *(row(national_id, "ارسال استعلام", request, مرجع_استعلام=a, شماره_نامه=f"{n}/ا") for n, a in enumerate(AGENCIES)),
        *(row(national_id, "پاسخ استعلام", request, مرجع_استعلام=a, نتیجه="مثبت") for a in AGENCIES),
        row(national_id, "موافقت با تأسیس", decided, تاریخ_جلسه=decided, مبنای_قانونی=BASIS),
    ]  # fmt: skip


def figures(desk, year=1402):
    found = annual_comparison(desk.uow, year, today=AFTER_1402)
    keys = [k.key for k in found.county_columns]
    by_county = {c.name: dict(zip(keys, c.values)) for c in found.by_county}
    return {r.key: (r.last, r.this) for r in found.rows}, by_county


def test_the_lifecycle_has_a_credential_step_issued_like_a_licence():
    assert STEP_LABELS[StepKind.CREDENTIAL] == "صدور اعتبارنامه"
    assert next_licence_state(LicenceState.APPROVED, StepKind.CREDENTIAL) == LicenceState.VALID
    with pytest.raises(TransitionError, match="صدور اعتبارنامه"):
        next_licence_state(LicenceState.NONE, StepKind.CREDENTIAL)
    assert StepKind.CREDENTIAL in LICENCE_ISSUING_STEPS
    assert "credentials" in {i.key for i in COUNTY_INDICATORS}


def test_importing_a_year_counts_licences_and_credentials_apart(desk, make_ngo, tmp_path):
    a, b, c, d, e = (nid() for _ in range(5))
    for national_id in (a, b, c):
        make_ngo(national_id=national_id)
    for national_id in (d, e):
        make_ngo(national_id=national_id, county="آبیک")
    rows = [
        *approved_establishment(a, "1402/01/10", "1402/02/18"),
        row(a, "صدور پروانه", "1402/03/01", شماره_پروانه="ق-1", تاریخ_انقضا="1406/03/01"),
        *approved_establishment(b, "1402/01/11", "1402/02/18"),
        row(b, "صدور اعتبارنامه", "1402/03/02", شماره_پروانه="اع-2", تاریخ_انقضا="1406/03/02"),
        # credentials and a licence issued before the desk: each the first step of its NGO's history
        row(c, "صدور اعتبارنامه", "1402/04/01", شماره_پروانه="اع-3", تاریخ_انقضا="1406/04/01"),
        row(d, "صدور اعتبارنامه", "1402/05/01", شماره_پروانه="اع-4", تاریخ_انقضا="1406/05/01"),
        row(e, "صدور پروانه", "1401/05/01", شماره_پروانه="ق-5", تاریخ_انقضا="1405/05/01"),
    ]
    path = write(tmp_path / "year.xlsx", rows)
    report = transfer.import_file(desk.uow, "licences", path)
    assert report.errors == [] and report.added == len(rows)

    totals, by_county = figures(desk)
    assert totals["issued"] == (1, 1)  # ق-5 in 1401 and ق-1 in 1402: the credentials are not licences
    assert totals["credentials"] == (0, 3)
    assert by_county["قزوین"]["credentials"] == (0, 2) and by_county["آبیک"]["credentials"] == (0, 1)
    assert by_county["آبیک"]["issued"] == (1, 0) and by_county["قزوین"]["issued"] == (0, 1)

    with desk.uow as uow:
        kinds = dict(
            uow.s.execute(
                select(Licence.number, LicenceStep.kind).join(
                    LicenceStep, LicenceStep.licence_id == Licence.id
                )
            ).all()
        )
        states = set(uow.s.execute(select(Ngo.licence_state)).scalars())
    assert kinds == {
        "ق-1": "issue",
        "اع-2": "credential",
        "اع-3": "credential",
        "اع-4": "credential",
        "ق-5": "issue",
    }
    assert states == {"valid"}

    # the export writes «صدور اعتبارنامه» for a credential, and reading it again changes nothing
    out = tmp_path / "out.xlsx"
    assert transfer.export_file(desk.uow, "licences", out) == len(rows)
    sheet = openpyxl.load_workbook(out).active
    actions = [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert actions.count("صدور اعتبارنامه") == 3 and actions.count("صدور پروانه") == 2
    again = transfer.import_file(desk.uow, "licences", out)
    assert again.errors == [] and again.added == 0


def test_a_credential_issued_through_the_service_is_counted_as_a_credential(desk, make_ngo):
    uow = desk.uow
    ngo_a, ngo_b = make_ngo(), make_ngo()
    issued = {}
    for ngo_id, credential, number in ((ngo_a, True, "اع-۱۰"), (ngo_b, False, "ق-۱۰")):
        case_id = lic.open_case(uow, ngo_id, "establishment", J(1402, 1, 10))
        lic.check_documents(uow, case_id, J(1402, 1, 11))
        for n, inquiry_id in enumerate(lic.send_inquiries(uow, case_id, J(1402, 1, 12))):
            lic.answer_inquiry(uow, inquiry_id, J(1402, 1, 20 + n), "favourable")
        lic.decide_case(uow, case_id, True, J(1402, 2, 1), J(1402, 2, 1), BASIS)
        issued[ngo_id] = lic.issue_licence(uow, case_id, J(1402, 2, 5), number, credential=credential)

    with uow:
        step = uow.s.execute(select(LicenceStep).where(LicenceStep.licence_id == issued[ngo_a])).scalar_one()
        assert step.kind == StepKind.CREDENTIAL.value
        assert uow.get(Licence, issued[ngo_a]).state == "valid"
        assert uow.get(Ngo, ngo_a).licence_state == "valid"
    totals, by_county = figures(desk)
    assert totals["credentials"] == (0, 1) and totals["issued"] == (0, 1)
    assert by_county["قزوین"]["credentials"] == (0, 1)


def test_a_credential_follows_the_issue_rules(desk, make_ngo):
    uow = desk.uow
    ngo_id = make_ngo()
    case_id = lic.open_case(uow, ngo_id, "establishment", J(1402, 1, 10))
    with pytest.raises(TransitionError):  # not before the council's approval
        lic.issue_licence(uow, case_id, J(1402, 2, 5), "اع-۱", credential=True)
    with uow, pytest.raises(TransitionError):  # nor directly, outside an imported history's first step
        lic.apply_licence_step(uow, ngo_id, StepKind.CREDENTIAL, J(1402, 2, 5), licence_number="اع-۱")
    with uow:
        assert uow.s.execute(select(Licence.id)).first() is None
