"""The inspection papers (the year's grid, a visit's form, a centre's file, a blank checklist) and the
monthly plan on the command line: made through the registry's doors, read back from the PDF, scoped to the
user's county."""

from __future__ import annotations

import argparse
from datetime import time

import pytest

from ostandari_desk.domain import jalali
from ostandari_desk.services.inspections import papers, templates, visits
from ostandari_desk.services.inspections.visits import FindingInput, VisitInput
from tests.services.inspection_fixtures import all_passing, item_of
from tests.services.inspection_seed import categories, make_centre

from .pdftext import assert_pdf_has, pdf_lines

TODAY = jalali.from_jalali(1403, 6, 1)
ON = jalali.from_jalali(1403, 5, 10)
ABYEK_CENTRE = "کشتارگاه صنعتی آبیک"
QAZVIN_CENTRE = "فروشگاه مواد غذایی قزوین"
FINDING = "سردخانه خاموش بود"
ACTION = "تعمیر سردخانه و گزارش دمای روزانه"


def _visit(centre_id, answers, **changes) -> VisitInput:
    values = {
        "centre_id": centre_id,
        "on": ON,
        "at": time(10, 30),
        "announced": False,
        "inspectors": ("علی رضایی", "مریم احمدی"),
        "answers": answers,
    }
    values.update(changes)
    return VisitInput(**values)


def seed_inspections(desk) -> dict:
    """A slaughterhouse of آبیک visited on 1403/05/10 at 10:30 (a failed critical item: «تخلف جدی», with a
    finding and its action) and a food shop of قزوین visited announced (good). Returns codes and ids."""
    uow = desk.uow
    cats = categories(uow)
    abyek = make_centre(uow, desk.counties["آبیک"], cats["کشتارگاه"], name=ABYEK_CENTRE)
    qazvin = make_centre(uow, desk.counties["قزوین"], cats["مرکز عرضه مواد غذایی"], name=QAZVIN_CENTRE)
    slaughter = templates.active_template(uow, cats["کشتارگاه"])
    food = templates.active_template(uow, cats["مرکز عرضه مواد غذایی"])
    critical = item_of(slaughter, critical=True)
    serious = visits.create_visit(
        uow,
        _visit(
            abyek,
            all_passing(slaughter) | {critical.id: "خیر"},
            correction_deadline=jalali.from_jalali(1403, 5, 30),
            findings=(
                FindingInput(FINDING, "major", action=ACTION, deadline=jalali.from_jalali(1403, 5, 25)),
            ),
            notes="مسئول مرکز حاضر بود",
        ),
        today=TODAY,
    )
    good = visits.create_visit(uow, _visit(qazvin, all_passing(food), announced=True), today=TODAY)
    return {
        "abyek": abyek,
        "abyek_code": visits.get_visit(uow, serious).centre_code,
        "qazvin": qazvin,
        "qazvin_code": visits.get_visit(uow, good).centre_code,
        "serious": serious,
        "good": good,
        "critical_text": critical.text,
        "category": cats["کشتارگاه"],
        "first_item": slaughter.items[0].text,
    }


def inspection_samples(desk) -> dict[str, tuple[dict, tuple[str, ...]]]:
    """The registry test's page filters and command-line options of the inspection papers."""
    seeded = seed_inspections(desk)
    centre = {"centre_id": seeded["abyek"], "centre_name": ABYEK_CENTRE}
    return {
        "inspections": (
            {"year": 1403, "county_id": desk.counties["آبیک"]},
            ("--year", "1403", "--county", "آبیک", "--today", "1403/06/01"),
        ),
        "inspection": ({**centre, "on": ON}, ("--centre", seeded["abyek_code"], "--date", "1403/05/10")),
        "centre-file": (centre, ("--centre", seeded["abyek_code"])),
        "checklist": ({"category_id": seeded["category"]}, ("--category", "کشتارگاه")),
    }


@pytest.fixture
def seeded(desk):
    return seed_inspections(desk)


def _report(uow, *argv: str) -> int:
    from ostandari_desk.cli import build_parser
    from ostandari_desk.cli.reports import run

    return run(build_parser().parse_args(["report", *argv]), uow)


def _plan(uow, *argv: str) -> int:
    from ostandari_desk.cli import build_parser
    from ostandari_desk.cli.plan import run

    args = build_parser().parse_args(["plan", *argv])
    assert isinstance(args, argparse.Namespace) and args.command == "plan"
    return run(args, uow)


# --- the year's grid ----------------------------------------------------------------------------------


def test_the_grid_counts_visits_unannounced_and_results_per_county(desk, seeded):
    data = papers.grid_paper_data(desk.uow, 1403, today=TODAY)
    by_name = {r.name: r for r in data.results}
    abyek, qazvin = by_name["آبیک"], by_name["قزوین"]
    assert (abyek.visits, abyek.unannounced, abyek.by_result) == (1, 1, (0, 0, 1))
    assert (qazvin.visits, qazvin.unannounced, qazvin.by_result) == (1, 0, (1, 0, 0))
    assert (data.total.visits, data.total.unannounced, data.total.by_result) == (2, 1, (1, 0, 1))
    assert data.month_visits[4] == 2 and sum(data.month_visits) == 2  # مرداد
    assert data.serious_count == 1 and [v.centre_name for v in data.serious] == [ABYEK_CENTRE]
    assert data.serious[0].findings and FINDING in data.serious[0].findings
    assert data.scope_name == "کل استان"
    one = papers.grid_paper_data(desk.uow, 1403, desk.counties["قزوین"], TODAY)
    assert [r.name for r in one.grid.rows] == ["قزوین"] and one.serious == () and one.total.visits == 1


def test_the_grid_paper_shows_counties_results_and_serious_violations(desk, seeded, tmp_path):
    out = tmp_path / "grid.pdf"
    assert _report(desk.uow, "inspections", "--year", "1403", "--today", "1403/06/01", "--out", str(out)) == 0
    assert_pdf_has(
        str(out),
        "بازدیدهای مراکز در سال ۱۴۰۳ — کل استان",
        "آبیک",
        "قزوین",
        "تخلف جدی",
        "نیازمند اصلاح",
        "مطلوب",
        "سهم سرزده",
        ABYEK_CENTRE,
        "پاسخ: خیر",  # the failed critical item's finding says what failed (the free one wraps after it)
        "ماه‌های بی‌بازدید",
    )
    lines = pdf_lines(str(out))
    assert not any(ch.isascii() and ch.isdigit() for line in lines for ch in line), (
        "a Latin digit on the paper"
    )


# --- one visit's form -------------------------------------------------------------------------------------


def test_the_visit_form_has_the_answered_checklist_findings_and_signature_lines(desk, seeded, tmp_path):
    out = tmp_path / "visit.pdf"
    code = seeded["abyek_code"]
    assert _report(desk.uow, "inspection", "--centre", code, "--date", "1403/05/10", "--out", str(out)) == 0
    assert_pdf_has(
        str(out),
        ABYEK_CENTRE,
        "۱۴۰۳/۰۵/۱۰، ساعت ۱۰:۳۰",
        "سرزده",
        "علی رضایی، مریم احمدی",
        seeded["critical_text"],
        "حیاتی",
        "ناموفق",
        "تخلف جدی",
        "۱۴۰۳/۰۵/۳۰",  # the correction deadline
        FINDING,
        ACTION,
        "مهلت ۱۴۰۳/۰۵/۲۵",
        "مسئول مرکز حاضر بود",
        "نماینده مرکز",
        "امضا:",
    )


def test_of_two_visits_on_one_day_the_latest_is_printed_unless_a_time_is_given(desk, seeded, tmp_path):
    slaughter = templates.active_template(desk.uow, seeded["category"])
    visits.create_visit(
        desk.uow,
        _visit(seeded["abyek"], all_passing(slaughter), at=time(14, 5), inspectors=("حسن کریمی",)),
        today=TODAY,
    )
    code = seeded["abyek_code"]
    latest, earlier = tmp_path / "latest.pdf", tmp_path / "earlier.pdf"
    assert (
        _report(desk.uow, "inspection", "--centre", code, "--date", "1403/05/10", "--out", str(latest)) == 0
    )
    assert_pdf_has(str(latest), "حسن کریمی", "۲ بازدید دارد", "آخرین آن چاپ شده است")
    argv = ("--centre", code, "--date", "1403/05/10", "--time", "10:30", "--out", str(earlier))
    assert _report(desk.uow, "inspection", *argv) == 0
    assert_pdf_has(str(earlier), "علی رضایی", "تخلف جدی")
    bad = ("--centre", code, "--date", "1403/05/10", "--time", "09:00", "--out", str(tmp_path / "x.pdf"))
    assert _report(desk.uow, "inspection", *bad) == 2
    assert not (tmp_path / "x.pdf").exists()


# --- a centre's file and a blank checklist ------------------------------------------------------------


def test_the_centre_file_lists_its_visits_and_open_findings(desk, seeded, tmp_path):
    out = tmp_path / "file.pdf"
    assert _report(desk.uow, "centre-file", "--centre", seeded["abyek_code"], "--out", str(out)) == 0
    assert_pdf_has(
        str(out), f"پرونده مرکز «{ABYEK_CENTRE}»", "آبیک", "۱۴۰۳/۰۵/۱۰", "تخلف جدی", FINDING, ACTION
    )


def test_the_blank_checklist_has_every_item_and_boxes_to_tick(desk, seeded, tmp_path):
    out = tmp_path / "checklist.pdf"
    assert _report(desk.uow, "checklist", "--category", "كشتارگاه", "--out", str(out)) == 0  # Arabic kaf too
    assert_pdf_has(
        str(out),
        "چک‌لیست بازدید کشتارگاه",
        seeded["first_item"],
        seeded["critical_text"],
        "مورد ندارد",
        "حیاتی",
    )
    assert _report(desk.uow, "checklist", "--category", "نانوایی", "--out", str(out)) == 2


# --- county scope ---------------------------------------------------------------------------------------


def test_another_countys_papers_are_refused(desk, seeded, uow_as, tmp_path, capsys):
    qazvin_user = uow_as("county", desk.counties["قزوین"])
    out = tmp_path / "x.pdf"
    code = seeded["abyek_code"]
    for argv in (
        ("inspection", "--centre", code, "--date", "1403/05/10"),
        ("centre-file", "--centre", code),
        ("inspections", "--year", "1403", "--county", "آبیک"),
    ):
        assert _report(qazvin_user, *argv, "--out", str(out)) == 2, argv
        assert "خطا:" in capsys.readouterr().err
    assert not out.exists()
    # their own county's grid is theirs without asking
    assert _report(qazvin_user, "inspections", "--year", "1403", "--out", str(out)) == 0
    assert_pdf_has(str(out), "شهرستان قزوین")
    assert "آبیک" not in " ".join(pdf_lines(str(out)))


# --- the monthly plan on the command line -------------------------------------------------------------


def test_plan_prints_the_month_on_stdout_and_writes_a_pdf(desk, seeded, uow_as, tmp_path, capsys):
    assert _plan(desk.uow, "--year", "1403", "--month", "5", "--county", "آبیک") == 0
    printed = capsys.readouterr().out
    assert "برنامه بازدیدهای سرزده شهرستان آبیک — مرداد ۱۴۰۳" in printed
    assert ABYEK_CENTRE in printed and "انجام‌شده" in printed and "۱۴۰۳/۰۵/۱۰" in printed
    assert not any(ch.isascii() and ch.isdigit() for ch in printed.replace("\t", ""))

    out = tmp_path / "plan.pdf"
    manager = uow_as("manager")
    assert _plan(manager, "--year", "1403", "--month", "5", "--out", str(out)) == 0  # every county
    assert_pdf_has(
        str(out), "شهرستان آبیک — مرداد ۱۴۰۳", "شهرستان قزوین — مرداد ۱۴۰۳", ABYEK_CENTRE, QAZVIN_CENTRE
    )

    county_user = uow_as("county", desk.counties["قزوین"])
    assert _plan(county_user, "--year", "1403", "--month", "5") == 0  # their own county, unasked
    assert QAZVIN_CENTRE in capsys.readouterr().out
    assert _plan(county_user, "--year", "1403", "--month", "5", "--county", "آبیک") == 2
    assert "شهرستان دیگر" in capsys.readouterr().err
    assert _plan(uow_as("clerk"), "--year", "1403", "--month", "5", "--county", "آبیک") == 2
    assert "اجازه دیدن برنامه" in capsys.readouterr().err
    assert _plan(desk.uow, "--year", "1403", "--month", "13") == 2
