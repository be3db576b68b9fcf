"""The memoranda papers (credits by county, a memorandum's file, the facilitation offices): made through the
registry's doors, read back from the PDF, scoped to the user's county; the credits paper's speed."""

from __future__ import annotations

import random
import time
from datetime import timedelta

import pytest
from sqlalchemy import insert

from ostandari_desk.domain import jalali, text
from ostandari_desk.reports.papers import make_paper
from ostandari_desk.services.memoranda import memoranda as ms
from ostandari_desk.services.memoranda import offices, papers
from ostandari_desk.services.memoranda.payments import PaymentInput, add_payment
from ostandari_desk.services.memoranda.progress import ProgressInput, add_progress
from ostandari_desk.services.reporting import ReportRequest
from ostandari_desk.store.models import Memorandum, Payment, ProgressReport, new_id
from tests.services.memo_rows import add_memorandum
from tests.services.memorandum_fixtures import harm_id

from .pdftext import assert_pdf_has, pdf_lines

d = jalali.from_jalali
TODAY = d(1403, 6, 1)
GOV, NGO, PROVINCE_NGO = 120_000_000, 170_000_000, 180_000_000
# county -> (memoranda with the governorate, with NGOs) signed in 1403: 46 and 30, plus one of the province
PLAN = {"قزوین": (20, 10), "البرز": (10, 8), "آبیک": (8, 6), "بوئین\u200cزهرا": (4, 4), "تاکستان": (4, 2)}
TOTALS_LINE = "جمع استان: ۷۷ تفاهم‌نامه، ۴۶ با فرمانداری‌ها، ۳۱ با سمن‌ها، به مبلغ ۱۰٬۸۰۰٬۰۰۰٬۰۰۰ ریال"
NUMBER = "1403/45"
AMOUNT = 2_300_000_000
WORDS = "دو میلیارد و سیصد میلیون ریال"
NGO_NAME = "انجمن یاوران سلامت آبیک"
OFFICE = "دفتر تسهیلگری محله امام"
NOTE = "برگزاری ده کارگاه آموزشی"


def seed_year(desk) -> None:
    """An East Azerbaijan-like year 1403: 77 memoranda (46 with governorates, 31 with NGOs, one of them the
    province's own), 10,800,000,000 rials; and one outside the year."""
    uow = desk.uow
    day = d(1403, 2, 1)
    for name, (gov, ngo) in PLAN.items():
        for _ in range(gov):
            add_memorandum(uow, desk.counties[name], day, GOV, party_kind="county")
        for _ in range(ngo):
            add_memorandum(uow, desk.counties[name], day, NGO)
    add_memorandum(uow, None, d(1403, 12, 1), PROVINCE_NGO)
    add_memorandum(uow, desk.counties["قزوین"], d(1404, 1, 5), 999, party_kind="county")


def seed_file(desk, ngo_id: str) -> dict:
    """An office of آبیک run by the NGO ``ngo_id``, and memorandum 1403/45 with that NGO funding it: two
    progress reports and two tranches."""
    uow = desk.uow
    abyek = desk.counties["آبیک"]
    office_id = offices.create_office(
        uow,
        offices.OfficeInput(OFFICE, abyek, "امام، ولیعصر", ngo_id, d(1402, 10, 1), 500_000_000, "open"),
        today=TODAY,
    )
    memo_id = ms.create_memorandum(
        uow,
        ms.MemorandumInput(
            number=NUMBER,
            title="کاهش آسیب اعتیاد در محله امام",
            party_kind="ngo",
            ngo_id=ngo_id,
            county_id=abyek,
            social_harm_id=harm_id(uow),
            office_id=office_id,
            amount=AMOUNT,
            signed_on=d(1403, 1, 20),
            starts_on=d(1403, 2, 1),
            duration_months=3,
        ),
        today=TODAY,
    )
    add_payment(uow, PaymentInput(memo_id, d(1403, 2, 5), 1, 1_000_000_000))
    add_progress(uow, ProgressInput(memo_id, d(1403, 3, 10), 30, "آغاز کار"))
    add_progress(uow, ProgressInput(memo_id, d(1403, 4, 1), 60, NOTE))
    add_payment(uow, PaymentInput(memo_id, d(1403, 4, 5), 2, 700_000_000))
    from ostandari_desk.services.ngos import get_ngo

    return {
        "memo": memo_id,
        "office": office_id,
        "ngo": ngo_id,
        "national_id": get_ngo(uow, ngo_id).national_id,
    }


def memoranda_samples(desk, ngo_id: str) -> dict[str, tuple[dict, tuple[str, ...]]]:
    """The registry test's page filters and command-line options of the memoranda papers (an office and a
    memorandum of آبیک with the NGO ``ngo_id``)."""
    seeded = seed_file(desk, ngo_id)
    memo = {"memorandum_id": seeded["memo"], "memorandum_name": NUMBER}
    return {
        "credits": ({"year": 1403}, ("--year", "1403")),
        "memorandum": (memo, ("--number", NUMBER)),
        "offices": ({"county_id": desk.counties["آبیک"]}, ("--county", "آبیک")),
    }


@pytest.fixture
def seeded(desk, make_ngo):
    seed_year(desk)
    return seed_file(desk, make_ngo(name=NGO_NAME, county="آبیک"))


def _report(uow, *argv: str) -> int:
    from ostandari_desk.cli import build_parser
    from ostandari_desk.cli.reports import run

    return run(build_parser().parse_args(["report", *argv]), uow)


# --- credits by county ------------------------------------------------------------------------------


def test_the_credits_paper_counts_the_files_memorandum_too(desk, seeded, tmp_path):
    out = tmp_path / "credits.pdf"
    assert _report(desk.uow, "credits", "--year", "1403", "--out", str(out)) == 0
    # the year's 77 and the memorandum 1403/45 (2.3 bn) of آبیک
    data = papers.credits_paper_data(desk.uow, 1403)
    assert (data.view.total.memoranda, data.view.total.amount) == (78, 13_100_000_000)
    assert_pdf_has(str(out), "جمع استان: ۷۸ تفاهم‌نامه، ۴۶ با فرمانداری‌ها، ۳۲ با سمن‌ها")


def test_the_totals_line_of_an_east_azerbaijan_like_year(desk, tmp_path):
    seed_year(desk)
    out = tmp_path / "credits.pdf"
    assert _report(desk.uow, "credits", "--year", "۱۴۰۳", "--out", str(out)) == 0
    assert_pdf_has(str(out), TOTALS_LINE, "اعتبارات تفاهم‌نامه‌ها در سال ۱۴۰۳ — کل استان")
    lines = pdf_lines(str(out))
    # the table's totals row: 77, 46, 31, 10,800,000,000 in its columns
    totals = [line for line in lines if line.startswith("جمع استان ")]
    assert totals and "۷۷ ۴۶ ۳۱ ۱۰٬۸۰۰٬۰۰۰٬۰۰۰" in totals[0], totals
    # a county row and the charts' titles
    qazvin = next(line for line in lines if line.startswith("قزوین "))
    assert "۳۰ ۲۰ ۱۰ ۴٬۱۰۰٬۰۰۰٬۰۰۰" in qazvin, qazvin
    assert_pdf_has(str(out), "تفاهم‌نامه‌ها به تفکیک شهرستان", "مبلغ و پرداخت‌شده به تفکیک شهرستان")
    # another year has none
    assert _report(desk.uow, "credits", "--year", "1402", "--out", str(out)) == 0
    assert_pdf_has(str(out), "در سال ۱۴۰۲ تفاهم‌نامه‌ای امضا نشده است")


def test_credits_of_one_county_and_a_county_users_scope(desk, uow_as, tmp_path):
    seed_year(desk)
    out = tmp_path / "abyek.pdf"
    assert _report(desk.uow, "credits", "--year", "1403", "--county", "آبیک", "--out", str(out)) == 0
    assert_pdf_has(str(out), "آبیک: ۱۴ تفاهم‌نامه، ۸ با فرمانداری‌ها، ۶ با سمن‌ها، به مبلغ ۱٬۹۸۰٬۰۰۰٬۰۰۰ ریال")
    lines = pdf_lines(str(out))
    assert not any(line.startswith(("قزوین ", "جمع استان")) for line in lines), lines
    assert (
        sum(line.startswith("آبیک ۱۴ ۸ ۶ ۱٬۹۸۰٬۰۰۰٬۰۰۰") for line in lines) == 1
    )  # no totals row repeating it

    county_user = uow_as("county", desk.counties["آبیک"])
    mine = tmp_path / "mine.pdf"
    assert _report(county_user, "credits", "--year", "1403", "--out", str(mine)) == 0
    assert_pdf_has(str(mine), "شهرستان آبیک", "آبیک: ۱۴ تفاهم‌نامه")
    refused = tmp_path / "refused.pdf"
    assert _report(county_user, "credits", "--year", "1403", "--county", "قزوین", "--out", str(refused)) == 2
    assert not refused.exists()


# --- a memorandum's file --------------------------------------------------------------------------


def test_the_memorandum_file(desk, seeded, tmp_path):
    out = tmp_path / "memo.pdf"
    assert (
        _report(desk.uow, "memorandum", "--number", "۱۴۰۳/۴۵", "--today", "1403/06/01", "--out", str(out))
        == 0
    )
    national = text.to_persian_digits(seeded["national_id"])
    assert_pdf_has(
        str(out),
        "پرونده تفاهم‌نامه شماره ۱۴۰۳/۴۵",
        f"{NGO_NAME}، شناسه ملی {national}",
        "۲٬۳۰۰٬۰۰۰٬۰۰۰ ریال",
        WORDS,
        "اعتیاد (معتادان متجاهر)",
        OFFICE,
        "۱۴۰۳/۰۱/۲۰",  # signed
        "۱۴۰۳/۰۵/۰۱",  # ends three months after the start
        "۳ ماه",
        NOTE,
        "۶۰٪",
        "۱٬۷۰۰٬۰۰۰٬۰۰۰",  # paid after the second tranche
        "۶۰۰٬۰۰۰٬۰۰۰",  # remaining
        "۷۳٪",  # % paid (1.7 / 2.3, rounded down)
        "نماینده طرف دوم",
    )
    lines = pdf_lines(str(out))
    assert any(line.startswith("۲ ۱۴۰۳/۰۴/۰۵ ۷۰۰٬۰۰۰٬۰۰۰") for line in lines), lines


def test_an_unknown_number_and_another_countys_memorandum_are_refused(desk, seeded, uow_as, tmp_path, capsys):
    out = tmp_path / "x.pdf"
    assert _report(desk.uow, "memorandum", "--number", "999", "--out", str(out)) == 2
    assert "تفاهم‌نامه‌ای با شماره «۹۹۹» ثبت نشده است" in capsys.readouterr().err
    assert (
        _report(uow_as("county", desk.counties["قزوین"]), "memorandum", "--number", NUMBER, "--out", str(out))
        == 2
    )
    assert "خطا" in capsys.readouterr().err
    assert not out.exists()
    own = uow_as("county", desk.counties["آبیک"])
    assert _report(own, "memorandum", "--number", NUMBER, "--out", str(out)) == 0
    # through the registry's door too: the gather function refuses another county's id
    from ostandari_desk.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        make_paper(
            uow_as("county", desk.counties["قزوین"]),
            ReportRequest("memorandum", memorandum_id=seeded["memo"], today=None),
            tmp_path / "y.pdf",
        )
    assert not (tmp_path / "y.pdf").exists()


def test_the_picker_finds_memoranda_in_scope(desk, seeded, uow_as):
    found = papers.memorandum_picker(desk.uow, "۱۴۰۳/۴۵")
    assert [r[0] for r in found] == [seeded["memo"]]
    assert papers.memorandum_picker(uow_as("county", desk.counties["قزوین"]), "1403/45") == []


# --- the facilitation offices ---------------------------------------------------------------------------


def test_the_offices_paper(desk, seeded, tmp_path):
    offices.create_office(
        desk.uow,
        offices.OfficeInput("دفتر تسهیلگری اسلام‌آباد", desk.counties["قزوین"], "اسلام‌آباد", state="planned"),
    )
    out = tmp_path / "offices.pdf"
    assert _report(desk.uow, "offices", "--today", "1403/04/20", "--out", str(out)) == 0
    assert_pdf_has(
        str(out),
        "دفاتر تسهیلگری — کل استان",
        "۲ دفتر: فعال ۱، در دست راه‌اندازی ۱، بسته ۰",
        "شهرستان آبیک — ۱ دفتر",
        "شهرستان قزوین — ۱ دفتر",
        OFFICE,
        "امام، ولیعصر",
        NGO_NAME,
        "۱۴۰۲/۱۰/۰۱",
        "۵۰۰٬۰۰۰٬۰۰۰",
        "۱۴۰۳/۴۵",
        "۱۲ روز مانده",  # ends 1403/05/01
        "دفتر تسهیلگری اسلام‌آباد",
    )
    abyek = tmp_path / "abyek.pdf"
    assert _report(desk.uow, "offices", "--county", "آبیک", "--today", "1403/05/03", "--out", str(abyek)) == 0
    assert_pdf_has(str(abyek), "دفاتر تسهیلگری — شهرستان آبیک", "۲ روز گذشته")
    assert not any("اسلام‌آباد" in line for line in pdf_lines(str(abyek)))


def test_a_county_user_gets_their_own_offices_only(desk, seeded, uow_as, tmp_path):
    user = uow_as("county", desk.counties["قزوین"])
    out = tmp_path / "o.pdf"
    assert _report(user, "offices", "--county", "آبیک", "--out", str(out)) == 2
    assert _report(user, "offices", "--out", str(out)) == 0
    assert_pdf_has(str(out), "دفاتر تسهیلگری — شهرستان قزوین", "دفتر تسهیلگری‌ای ثبت نشده است")


# --- speed ----------------------------------------------------------------------------------------------


@pytest.fixture
def large(desk):
    """20,000 memoranda over two years (about 10,000 in 1403) and 100,000 payments, written with Core."""
    rnd = random.Random(9)
    county_ids = [*desk.counties.values(), None]
    start = jalali.year_range(1402)[0]
    memos, payments, reports = [], [], []
    for i in range(20_000):
        memo_id, signed = new_id(), start + timedelta(days=rnd.randrange(730))
        memos.append(
            {
                "id": memo_id,
                "number": f"L-{i}",
                "title": "تفاهم‌نامه",
                "title_sort": "",
                "party_kind": rnd.choice(("ngo", "county")),
                "county_id": rnd.choice(county_ids),
                "amount": rnd.randrange(10_000_000, 2_000_000_000),
                "signed_on": signed,
                "starts_on": signed,
                "duration_months": 3,
                "ends_on": jalali.add_months(signed, 3),
                "state": "active",
            }
        )
        payments.extend(
            {"id": new_id(), "memorandum_id": memo_id, "paid_on": signed, "tranche_no": n, "amount": 1_000}
            for n in range(1, 6)
        )
        reports.append(
            {
                "id": new_id(),
                "memorandum_id": memo_id,
                "reported_on": signed,
                "percent": rnd.randrange(101),
                "note": "",
            }
        )
    with desk.uow.writing() as uow:
        conn = uow.s.connection()
        conn.execute(insert(Memorandum.__table__), memos)
        conn.execute(insert(Payment.__table__), payments)
        conn.execute(insert(ProgressReport.__table__), reports)
        conn.exec_driver_sql("ANALYZE")
        uow.commit()
    return desk, [m for m in memos if jalali.jalali_year_of(m["signed_on"]) == 1403]


def test_the_credits_paper_stays_fast_and_exact(large, tmp_path):
    desk, in_year = large
    out = tmp_path / "credits.pdf"
    request = ReportRequest("credits", year=1403, county_id=None)
    make_paper(desk.uow, request, out)  # warm: fonts, imports
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        make_paper(desk.uow, request, out)
        best = min(best, time.perf_counter() - began)
    amount = sum(m["amount"] for m in in_year)
    assert_pdf_has(
        str(out), f"{text.format_number(len(in_year))} تفاهم‌نامه", f"به مبلغ {text.format_rials(amount)}"
    )
    # ≤ 1 s at 100,000 memoranda and 500,000 payments (the benchmark); a fifth of that here
    assert best < 0.5, f"the credits paper took {best * 1000:.0f} ms"
