"""The annual comparison report: the Qazvin seed read back from the PDF, scopes, charts."""

from __future__ import annotations

import io

import pytest

from ostandari_desk.domain import jalali
from ostandari_desk.reports.annual import build_annual_report, summary_sentences
from ostandari_desk.reports.document import Letterhead
from ostandari_desk.reports.fonts import FONT
from ostandari_desk.reports.persian import wrap
from ostandari_desk.services.annual import annual_comparison

from .pdftext import assert_pdf_has, pdf_lines

LETTERHEAD = Letterhead("اداره کل امور اجتماعی و فرهنگی استانداری قزوین")
PRINTED = "۱۴۰۱/۰۶/۰۹"


@pytest.fixture
def seeded(desk):
    from services.seed_data import Activity, qazvin_seed

    qazvin_seed(Activity(desk.engine), desk.counties)
    return desk


def _pdf(data, **kwargs) -> bytes:
    out = io.BytesIO()
    build_annual_report(data, LETTERHEAD, PRINTED, out, **kwargs)
    return out.getvalue()


def test_the_qazvin_seed_reads_back_from_the_pdf(seeded):
    data = annual_comparison(seeded.uow, 1401)
    pdf = _pdf(data)
    assert_pdf_has(
        pdf,
        "گزارش مقایسه‌ای عملکرد سال ۱۴۰۱ نسبت به ۱۴۰۰",
        LETTERHEAD.office_name,
        "کل استان",
        "سال قبل (۱۴۰۰)",
        "سال جاری (۱۴۰۱)",
        "نسبت",
        "درصد تغییر",
        # indicator, unit, last, this, ratio, change — one table row each
        "صدور پروانه فعالیت مورد ۵ ۱۲ ۲٫۴ برابر",
        "موافقت با تأسیس و تمدید مورد ۸ ۳۲ ۴ برابر",
        "همایش‌ها، نشست‌ها و دوره‌های آموزشی مورد ۵ ۱۲ ۲٫۴ برابر",
        "مکاتبات هماهنگی و حمایتی مورد ۳ ۱۸ ۶ برابر",
        "مکاتبات توقیفی و توبیخی مورد ۰ ۰ — —",
        "+۱۴۰٪",
        "به تفکیک شهرستان",
        "بوئین‌زهرا",
        # the county tables' totals: approvals, rejections, licences; events by kind; letters by kind
        "جمع ۸ ۳۲ ۰ ۰ ۵ ۱۲",
        "جمع ۲ ۳ ۰ ۴ ۳ ۵ ۵ ۱۲",
        "جمع ۳ ۱۸ ۰ ۰ ۰ ۵",
        "نمودار شاخص‌های اصلی",
        "شاخص‌های اصلی: سال جاری در برابر سال قبل",
        "موافقت‌ها",
        "پروانه صادرشده",
        "صفحه ۱ از",
    )


def test_every_persian_string_of_the_report_survives_extraction(seeded):
    data = annual_comparison(seeded.uow, 1401)
    pdf = _pdf(data, charts=False)
    expected = [r.label for r in data.rows] + [r.unit for r in data.rows]
    expected += [line for s in summary_sentences(data) for line in wrap(s, FONT, 10, 510)]
    expected += [c.name for c in data.by_county] + [data.period_note]
    assert_pdf_has(pdf, *expected)


def test_one_county_and_same_period(seeded):
    data = annual_comparison(
        seeded.uow,
        1401,
        county_id=seeded.counties["آبیک"],
        same_period=True,
        today=jalali.from_jalali(1403, 9, 1),
    )
    pdf = _pdf(data)
    assert_pdf_has(pdf, "شهرستان آبیک", "۱۴۰۱/۰۱/۰۱ تا ۱۴۰۱/۰۹/۰۱", "صدور پروانه فعالیت مورد ۰ ۴ جدید")
    assert not any("جمع" in line for line in pdf_lines(pdf))


def test_an_empty_year_still_builds(desk):
    pdf = _pdf(annual_comparison(desk.uow, 1390))
    assert_pdf_has(pdf, "در هیچ‌یک از دو دوره موردی ثبت نشده است", "درخواست‌های پروانه دریافت‌شده مورد ۰ ۰ — —")
