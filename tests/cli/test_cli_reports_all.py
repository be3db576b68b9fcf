"""Every report and every one of its options through ``ostandari-desk report`` (cli.main), on a small demo.

The cases cover each (report, option) the registry offers the command line — a new option fails
``test_every_option_of_every_report_has_a_case`` until it has its case. Each case checks the exit status
and what the option puts on the paper (read back as PDF readers copy it). Also: ``report expiring --county``
for every county, as a manager and as the county's own user (it once crashed with DetachedInstanceError),
the refusals, and that a report imports no sheet importer.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from reports.pdftext import assert_pdf_has, pdf_lines

from ostandari_desk.cli import ENV_PASSWORD, ENV_USER, main
from ostandari_desk.domain import jalali
from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.reports.registry import REPORTS

TODAY = jalali.from_jalali(1405, 9, 10)  # the demo's today: its records run up to this day
DEMO_USER, DEMO_PASSWORD = "demo", "demo"
COUNTY_USER, COUNTY_PASSWORD, COUNTY = "qazvin-clerk", "qazvin-secret-1", "قزوین"


@dataclass(frozen=True)
class Case:
    """``report NAME args…``: the exit status and, when 0, strings the paper shows. ``differs_from``: the
    args of another run of the same report whose paper must read otherwise (an option with no label of
    its own on the paper)."""

    name: str
    args: tuple[str, ...]
    shows: tuple[str, ...] = ()
    code: int = 0
    differs_from: tuple[str, ...] | None = None
    options: tuple[str, ...] = ()  # the options the case shows the effect of

    @property
    def id(self) -> str:
        return " ".join((self.name, *self.args)) or self.name


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    """A small demo database (today 1405/09/10), a county user for قزوین, and the values the cases name."""
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services import reference, users
    from ostandari_desk.services.demo import build_demo_file
    from ostandari_desk.services.session import open_desk, unit_of_work

    home = tmp_path_factory.mktemp("home")
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OSTANDARI_DESK_HOME", str(home))
        build_demo_file(path, size="small", today=TODAY)
        engine = open_desk(path)
        try:
            uow = unit_of_work(engine, SYSTEM)
            counties = {c.name: c.id for c in reference.list_counties(uow)}
            users.create_user(uow, COUNTY_USER, "کارشناس قزوین", "county", COUNTY_PASSWORD, counties[COUNTY])
        finally:
            engine.dispose()
    con = sqlite3.connect(path)
    try:

        def one(sql: str) -> tuple:
            return con.execute(sql).fetchone()

        (nid,) = one(
            "SELECT n.national_id FROM ngo n JOIN licence l ON l.ngo_id = n.id WHERE l.state = 'valid' "
            f"AND l.expires_on > '{TODAY.isoformat()}' ORDER BY n.national_id LIMIT 1"
        )
        (name,) = one(f"SELECT name FROM ngo WHERE national_id = '{nid}'")
        year, number, series = one(  # an outgoing letter of a county's series
            "SELECT l.jalali_year, l.number, c.name FROM letter l JOIN county c ON c.id = l.county_id "
            "WHERE l.direction = 'outgoing' ORDER BY l.dated_on DESC, l.number LIMIT 1"
        )
        unique = one(
            "SELECT jalali_year, number FROM letter WHERE direction = 'incoming' "
            "GROUP BY jalali_year, number HAVING count(*) = 1 ORDER BY jalali_year DESC, number LIMIT 1"
        )
        code, visited_at, centre = one(
            "SELECT c.code, i.inspected_at, c.name FROM inspection i JOIN centre c ON c.id = i.centre_id "
            "WHERE i.inspected_on < '2026-11-01' ORDER BY i.inspected_on DESC, c.code LIMIT 1"
        )
        (memo,) = one("SELECT number FROM memorandum ORDER BY signed_on DESC, number LIMIT 1")
        late, ends = one(  # overdue on the demo's today: past its end, short of 100%
            "SELECT number, ends_on FROM memorandum WHERE state = 'active' AND latest_progress < 100 "
            f"AND ends_on < '{TODAY.isoformat()}' ORDER BY ends_on DESC, number LIMIT 1"
        )
        (word,) = one("SELECT name FROM ngo ORDER BY national_id LIMIT 1")
    finally:
        con.close()
    visited = dt.datetime.fromisoformat(visited_at)
    return {
        "db": str(path),
        "home": str(home),
        "nid": nid,
        "ngo": name,
        "letter_year": str(year),
        "letter_number": number,
        "letter_series": series,
        "in_year": str(unique[0]),
        "in_number": unique[1],
        "centre": code,
        "centre_name": centre,
        "visit_date": jalali.format_jalali(visited.date(), persian_digits=False),
        "visit_time": visited.strftime("%H:%M"),
        "memo": memo,
        "late_memo": late,
        "before_its_end": jalali.format_jalali(dt.date.fromisoformat(ends) - dt.timedelta(days=1), False),
        "search": word.split()[-1],
    }


#: ``{name}`` fields are the demo's values (the ``demo`` fixture); ``{name_fa}`` in Persian digits
CASES: tuple[Case, ...] = (
    # annual: a finished year in whole; the year running to date; --same-period for a finished year
    Case(
        "annual",
        ("--year", "1404"),
        (
            "گزارش مقایسه‌ای عملکرد سال ۱۴۰۴ نسبت به ۱۴۰۳",
            "سال کامل ۱۴۰۴ در برابر سال کامل ۱۴۰۳",
            "کل استان",
            "جلسات شورا (روزهای تصمیم‌گیری)",
            "استعلام‌های پاسخ‌داده‌شده",
            "مخالفت با تطبیق",
            "نامه‌های وارده: سایر",
            "به تفکیک شهرستان",
            "تهیه‌کننده",
            "کاربر نمونه",
            "مدیرکل امور اجتماعی و فرهنگی",
        ),
        options=("--year",),
    ),
    Case(
        "annual",
        ("--year", "1405", "--today", "1405/09/10"),
        ("گزارش مقایسه‌ای عملکرد ۱۴۰۵/۰۱/۰۱ تا ۱۴۰۵/۰۹/۱۰ در برابر ۱۴۰۴/۰۱/۰۱ تا ۱۴۰۴/۰۹/۱۰",),
        options=("--year", "--today"),
    ),
    Case(
        "annual",
        ("--year", "1404", "--same-period", "--today", "1405/09/10"),
        ("گزارش مقایسه‌ای عملکرد ۱۴۰۴/۰۱/۰۱ تا ۱۴۰۴/۰۹/۱۰ در برابر ۱۴۰۳/۰۱/۰۱ تا ۱۴۰۳/۰۹/۱۰",),
        options=("--year", "--same-period", "--today"),
    ),
    Case("annual", ("--year", "1404", "--county", "آبیک"), ("شهرستان آبیک",), options=("--year", "--county")),
    Case("annual", ("--year", "1406", "--today", "1405/09/10"), code=2),
    # the register
    Case("register", (), ("همه سازمان‌ها",)),
    Case("register", ("--county", "آبیک"), ("شهرستان: آبیک",), options=("--county",)),
    Case("register", ("--search", "{search}"), ("جست‌وجو: «{search}»",), options=("--search",)),
    Case("register", ("--status", "inactive"), ("وضعیت: غیرفعال",), options=("--status",)),
    # one NGO's papers
    Case(
        "ngo-file", ("--national-id", "{nid}"), ("{ngo}", "شناسه ملی: {nid_fa}"), options=("--national-id",)
    ),
    Case("certificate", ("--national-id", "{nid}"), ("{ngo}", "شماره پروانه:"), options=("--national-id",)),
    Case("certificate", ("--national-id", "10000000000"), code=2),
    # expiring and expired licences
    Case("expiring", (), ("بازه هشدار: ۶۰ روز آینده",)),
    Case("expiring", ("--days", "3650"), ("بازه هشدار: ۳٬۶۵۰ روز آینده",), options=("--days",)),
    Case("expiring", ("--county", "آبیک"), ("محدوده: شهرستان آبیک",), options=("--county",)),
    Case("expiring", ("--today", "1405/01/01"), ("تاریخ مبنا: ۱۴۰۵/۰۱/۰۱",), options=("--today",)),
    # one letter, by its number (and its county's series)
    Case(
        "letter",
        ("--direction", "in", "--year", "{in_year}", "--number", "{in_number}"),
        ("شماره: {in_number_fa}", "جهت: وارده"),
        options=("--direction", "--year", "--number"),
    ),
    Case(
        "letter",
        (
            "--direction",
            "out",
            "--year",
            "{letter_year}",
            "--number",
            "{letter_number}",
            "--county",
            "{letter_series}",
        ),
        ("دبیرخانه: دبیرخانه شهرستان {letter_series}", "جهت: صادره"),
        options=("--direction", "--year", "--number", "--county"),
    ),
    # centres and visits
    Case("inspections", ("--year", "1404"), ("سال: ۱۴۰۴", "محدوده: کل استان"), options=("--year",)),
    Case(
        "inspections",
        ("--year", "1404", "--county", "آبیک"),
        ("محدوده: شهرستان آبیک",),
        options=("--county",),
    ),
    Case(
        "inspections",
        ("--year", "1405", "--today", "1405/03/01"),
        differs_from=("--year", "1405", "--today", "1405/09/10"),
        options=("--today",),
    ),
    Case(
        "inspection",
        ("--centre", "{centre}", "--date", "{visit_date}"),
        ("{centre_name}",),
        options=("--centre", "--date"),
    ),
    Case(
        "inspection",
        ("--centre", "{centre}", "--date", "{visit_date}", "--time", "{visit_time}"),
        ("{centre_name}",),
        options=("--time",),
    ),
    Case("centre-file", ("--centre", "{centre}"), ("{centre_name}",), options=("--centre",)),
    Case("checklist", ("--category", "کشتارگاه"), ("چک‌لیست بازدید کشتارگاه",), options=("--category",)),
    # memoranda, credits and facilitation offices
    Case("credits", ("--year", "1404"), ("سال: ۱۴۰۴", "محدوده: کل استان"), options=("--year",)),
    Case("credits", ("--year", "1404", "--county", "آبیک"), ("محدوده: شهرستان آبیک",), options=("--county",)),
    Case("memorandum", ("--number", "{memo}"), ("شماره: {memo_fa}",), options=("--number",)),
    Case(
        "memorandum",
        ("--number", "{late_memo}", "--today", "{before_its_end}"),
        ("وضعیت: جاری",),
        differs_from=("--number", "{late_memo}", "--today", "1405/09/10"),  # overdue by then
        options=("--today",),
    ),
    Case("offices", (), ("محدوده: کل استان",)),
    Case("offices", ("--county", "آبیک"), ("محدوده: شهرستان آبیک",), options=("--county",)),
    Case("offices", ("--today", "1405/01/01"), ("تاریخ مبنای مهلت‌ها: ۱۴۰۵/۰۱/۰۱",), options=("--today",)),
)


@pytest.fixture
def signed_in(monkeypatch, demo):
    """The demo's manager signed in (a county user with ``as_county()``)."""

    def act_as(user: str, password: str) -> None:
        monkeypatch.setenv(ENV_USER, user)
        monkeypatch.setenv(ENV_PASSWORD, password)

    act_as(DEMO_USER, DEMO_PASSWORD)
    monkeypatch.setenv("OSTANDARI_DESK_HOME", demo["home"])
    return act_as


def _report(demo: dict, out: Path, name: str, *args: str) -> int:
    return main(["report", name, *args, "--out", str(out), "--db", demo["db"]])


def _resolved(texts: tuple[str, ...] | None, demo: dict) -> tuple[str, ...] | None:
    if texts is None:
        return None
    values = {**demo, **{f"{k}_fa": to_persian_digits(v) for k, v in demo.items()}}
    return tuple(t.format(**values) for t in texts)


def test_every_option_of_every_report_has_a_case():
    assert {c.name for c in CASES} == set(REPORTS)
    for name, spec in REPORTS.items():
        offered = {p.option for p in spec.cli_params()}
        covered = {o for c in CASES if c.name == name for o in c.options}
        assert covered == offered, name


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_report_with_its_options(demo, signed_in, tmp_path, capsys, case):
    args = _resolved(case.args, demo)
    out = tmp_path / "paper.pdf"
    code = _report(demo, out, case.name, *args)
    assert code == case.code, (case.id, capsys.readouterr().err)
    if case.code:
        assert not out.exists()
        assert capsys.readouterr().err.startswith("خطا: ")
        return
    assert out.read_bytes().startswith(b"%PDF"), case.id
    if case.shows:
        assert_pdf_has(out, *_resolved(case.shows, demo))
    if case.differs_from is not None:
        other = tmp_path / "other.pdf"
        assert _report(demo, other, case.name, *_resolved(case.differs_from, demo)) == 0
        assert pdf_lines(out) != pdf_lines(other), case.id


# --- report expiring --county X: once DetachedInstanceError for every county ---------------------------


def _county_names(demo: dict) -> list[str]:
    con = sqlite3.connect(demo["db"])
    try:
        return [name for (name,) in con.execute("SELECT name FROM county WHERE active ORDER BY name")]
    finally:
        con.close()


def test_expiring_for_every_county_as_a_manager(demo, signed_in, tmp_path, capsys):
    for name in _county_names(demo):
        out = tmp_path / f"{name}.pdf"
        assert _report(demo, out, "expiring", "--county", name, "--today", "1405/01/01") == 0, (
            name,
            capsys.readouterr().err,
        )
        assert_pdf_has(out, f"محدوده: شهرستان {name}")


def test_expiring_for_every_county_as_a_county_user(demo, signed_in, tmp_path, capsys):
    signed_in(COUNTY_USER, COUNTY_PASSWORD)
    for name in _county_names(demo):
        out = tmp_path / f"{name}.pdf"
        code = _report(demo, out, "expiring", "--county", name)
        if name == COUNTY:
            assert code == 0, capsys.readouterr().err
            assert_pdf_has(out, f"محدوده: شهرستان {name}")
        else:  # another county's list is refused, nothing written
            assert code == 2 and not out.exists(), name
            assert "در دسترس شما نیست" in capsys.readouterr().err


def test_a_county_users_annual_report_is_their_county(demo, signed_in, tmp_path):
    signed_in(COUNTY_USER, COUNTY_PASSWORD)
    out = tmp_path / "x.pdf"
    assert _report(demo, out, "annual", "--year", "1404", "--county", "آبیک") == 2
    assert not out.exists()
    assert _report(demo, out, "annual", "--year", "1404") == 0  # their own county, unasked
    assert_pdf_has(out, f"شهرستان {COUNTY}")


def test_a_year_not_begun_is_refused_in_persian(demo, signed_in, tmp_path, capsys):
    assert _report(demo, tmp_path / "x.pdf", "annual", "--year", "1406", "--today", "1405/09/10") == 2
    assert "سال ۱۴۰۶ هنوز آغاز نشده است" in capsys.readouterr().err


# --- the command line's speed: a report imports what it needs ---------------------------------------------


def test_a_report_imports_no_sheet_importer_and_in_process_callers_keep_the_collector(
    demo, signed_in, tmp_path
):
    probe = (
        "import sys\n"
        "from ostandari_desk.cli import main\n"
        f"code = main(['report', 'annual', '--year', '1404', '--out', {str(tmp_path / 'a.pdf')!r}, "
        f"'--db', {demo['db']!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.startswith(('ostandari_desk.services.transfer', 'openpyxl')))\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=os.environ.copy(), check=False
    )
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stderr
    assert gc.isenabled()
    assert _report(demo, tmp_path / "b.pdf", "annual", "--year", "1404") == 0
    assert gc.isenabled()  # only the process's own entry (main() without arguments) turns it off
