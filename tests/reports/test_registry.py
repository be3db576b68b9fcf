"""The report registry: the reports page and ``ostandari-desk report`` offer the same reports by the same
names, with the declared options, and each report made through either door is a PDF with its audit entry.
A report declared once (a spec added to the registry) is offered and made by both, with nothing else."""

from __future__ import annotations

import argparse

import pytest

from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.reports import registry
from ostandari_desk.reports.registry import REPORTS, ReportSpec
from ostandari_desk.services import reporting

from . import test_papers
from .pdftext import assert_pdf_has, pdf_pages
from .test_inspection_papers import inspection_samples
from .test_memoranda_papers import memoranda_samples

licensed = test_papers.licensed  # a fixture (an NGO of آبیک with a licence, an event and a letter)

# showing and hiding option rows resizes the window; the offscreen platform cannot pass that on
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _cli_reports() -> dict[str, argparse.ArgumentParser]:
    from ostandari_desk.cli import build_parser

    return _subcommands(_subcommands(build_parser())["report"])


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions for o in a.option_strings if o.startswith("--")} - {
        "--help",
        "--db",
        "--user",
        "--out",
    }


@pytest.fixture
def page(desk, qtbot):
    from ostandari_desk.domain.roles import Actor, Role
    from ostandari_desk.ui.context import AppContext
    from ostandari_desk.ui.reports import ReportsPage
    from ostandari_desk.ui.style import prepare_application

    prepare_application(qtbot._request.getfixturevalue("qapp"))

    def make() -> ReportsPage:
        actor = Actor(username="tester", full_name=desk.clerk, role=Role.ADMIN)
        widget = ReportsPage(AppContext(engine=desk.engine, actor=actor, db_path=None))
        qtbot.addWidget(widget)
        widget.show()
        return widget

    return make


def _run_cli(uow, *argv: str) -> int:
    """The real parser (cli.build_parser) and the report command, acting for ``uow``."""
    from ostandari_desk.cli import build_parser
    from ostandari_desk.cli.reports import run

    return run(build_parser().parse_args(["report", *argv]), uow)


def _from_page(page, qtbot, filters: dict) -> bytes:
    page.apply_filter(filters)
    with qtbot.waitSignal(page.generated, timeout=20000) as blocker:
        page.generate()
    assert blocker.args[0] >= 1
    return page.pdf_bytes()


def _printed(desk) -> list[str]:
    from ostandari_desk.services.audit import AuditFilter, audit_lines

    return [line.detail for line in reversed(list(audit_lines(desk.uow, AuditFilter(action="report"))))]


# --- the same reports, the same names ---------------------------------------------------------------


def test_the_page_and_the_command_line_offer_every_registered_report_by_its_name(page):
    cli = _cli_reports()
    assert list(cli) == list(REPORTS) == page().offered_reports()
    for name, spec in REPORTS.items():
        assert _options(cli[name]) == {p.option for p in spec.cli_params()}, name
        required = {a.option_strings[0] for a in cli[name]._actions if a.required}
        assert required == {p.option for p in spec.cli_params() if p.required} | {"--out"}, name


def test_the_page_shows_the_declared_inputs_of_each_report(page):
    p = page()
    for row, (name, spec) in enumerate(REPORTS.items()):
        p.report_list.setCurrentRow(row)
        assert p.current_kind() == name
        wanted = {param.key for param in spec.page_params()}
        for key, made in p.inputs.items():
            assert p.form.isRowVisible(made.widget) == (key in wanted), (name, key)


def test_the_names_are_the_documented_command_lines():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "resources" / "docs" / "CLI.md").read_text(encoding="utf-8")
    for name in REPORTS:
        assert f"ostandari-desk report {name}" in doc or f"|{name}" in doc, name


# --- each report through each door: a PDF and its audit entry -------------------------------------------


def _letter_of(desk, ngo_id: str) -> str:
    from ostandari_desk.services.letters import letters_of_ngo

    (letter,) = letters_of_ngo(desk.uow, ngo_id)
    return letter.id


def _samples(desk, licensed_id: str) -> dict[str, tuple[dict, tuple[str, ...]]]:
    """Per report: the page's filters and the command line's options. A report registered without a
    sample here fails test_every_report_is_made_through_the_page_and_the_command_line: add one."""
    from ostandari_desk.services.ngos import get_ngo

    ngo = get_ngo(desk.uow, licensed_id)
    abyek = desk.counties["آبیک"]
    one_ngo = {"ngo_id": licensed_id, "ngo_name": ngo.name}
    return {
        "annual": ({"year": 1401, "county_id": abyek}, ("--year", "1401", "--county", "آبیک")),
        "register": ({"county_id": abyek, "search": "کودکان"}, ("--county", "آبیک", "--search", "کودکان")),
        "ngo-file": (one_ngo, ("--national-id", ngo.national_id)),
        "certificate": (one_ngo, ("--national-id", ngo.national_id)),
        "expiring": (
            {"county_id": abyek, "days": 3650},
            ("--county", "آبیک", "--days", "3650", "--today", "1405/02/01"),
        ),
        "letter": (
            {"letter_id": _letter_of(desk, licensed_id)},
            ("--direction", "out", "--year", "1402", "--number", "۴۵۶/۱۲"),
        ),
        **inspection_samples(desk),  # inspections, inspection, centre-file, checklist
        **memoranda_samples(desk, licensed_id),  # credits, memorandum, offices
    }


def test_every_report_is_made_through_the_page_and_the_command_line(desk, licensed, page, qtbot, tmp_path):
    samples = _samples(desk, licensed)
    assert set(samples) == set(REPORTS), "a registered report has no sample in _samples"
    p = page()
    for name, (filters, argv) in samples.items():
        title = REPORTS[name].title
        pdf = _from_page(p, qtbot, {"report": name, **filters})
        assert pdf.startswith(b"%PDF") and pdf_pages(pdf), name
        assert _printed(desk)[-1].startswith(title), name

        out = tmp_path / f"{name}.pdf"
        assert _run_cli(desk.uow, name, *argv, "--out", str(out)) == 0, name
        assert out.read_bytes().startswith(b"%PDF") and pdf_pages(str(out)), name
        assert _printed(desk)[-1].startswith(title), name
    assert_pdf_has(str(tmp_path / "annual.pdf"), "شهرستان آبیک")
    assert_pdf_has(str(tmp_path / "expiring.pdf"), "انجمن حمایت از کودکان کار قزوین")


# --- issue 11: report expiring --county X --------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "county"])
def test_expiring_for_a_county_from_the_command_line(desk, licensed, uow_as, tmp_path, capsys, role):
    """Once crashed with DetachedInstanceError for every county; each county's list is made and scoped."""
    for county_name, county_id in desk.counties.items():
        uow = uow_as(role, county_id if role == "county" else None)
        out = tmp_path / f"{county_id}.pdf"
        code = _run_cli(uow, "expiring", "--county", county_name, "--today", "1405/02/01", "--out", str(out))
        assert code == 0, (county_name, capsys.readouterr().err)
        assert_pdf_has(str(out), f"شهرستان {county_name}")
    assert_pdf_has(str(tmp_path / f"{desk.counties['آبیک']}.pdf"), "انجمن حمایت از کودکان کار قزوین")
    if role == "county":  # another county's list is refused, exit status 2
        uow = uow_as("county", desk.counties["قزوین"])
        assert _run_cli(uow, "expiring", "--county", "آبیک", "--out", str(tmp_path / "x.pdf")) == 2
        assert not (tmp_path / "x.pdf").exists()


def test_command_line_values_are_parsed_and_refused_in_persian(desk, capsys, tmp_path):
    out = str(tmp_path / "x.pdf")
    assert _run_cli(desk.uow, "expiring", "--days", "دو", "--out", out) == 2
    assert "بازه هشدار (روز) باید عدد باشد" in capsys.readouterr().err
    assert _run_cli(desk.uow, "expiring", "--today", "1405/13/01", "--out", out) == 2
    assert _run_cli(desk.uow, "annual", "--year", "1401", "--county", "ناکجا", "--out", out) == 2
    assert "شهرستان «ناکجا» در فهرست شهرستان‌ها نیست" in capsys.readouterr().err
    request = registry.request_from_text(desk.uow, "annual", {"year": "۱۴۰۱", "county_id": "آبیک"})
    assert request == reporting.ReportRequest(
        "annual", year=1401, county_id=desk.counties["آبیک"], same_period=False, today=None
    )


# --- adding a report is one declaration ---------------------------------------------------------------


def _month_register(uow, request):
    """A stand-in gather function: the register, titled by the requested month."""
    assert isinstance(request.month, int)
    month = to_persian_digits(request.month)
    return reporting.Gathered(reporting.RegisterData(f"ماه {month}", ()), (f"ماه {month}",))


def test_one_declaration_adds_a_report_to_the_page_and_the_command_line(
    desk, page, qtbot, tmp_path, monkeypatch
):
    spec = ReportSpec(
        name="monthly",
        title="گزارش ماهانه آزمون",
        params=(
            registry.number("month", "--month", "ماه", minimum=1, maximum=12, required=True),
            registry.county(),
        ),
        gather=f"{__name__}:_month_register",
        paper="ostandari_desk.reports.register:build_register",
        file_name="ماهانه-{month}",
    )
    monkeypatch.setitem(registry.REPORTS, spec.name, spec)

    assert "monthly" in _cli_reports()
    out = tmp_path / "m.pdf"
    assert _run_cli(desk.uow, "monthly", "--month", "7", "--out", str(out)) == 0
    assert_pdf_has(str(out), "ماه ۷")
    assert _run_cli(desk.uow, "monthly", "--month", "13", "--out", str(out)) == 2

    p = page()
    assert p.offered_reports()[-1] == "monthly"
    pdf = _from_page(p, qtbot, {"report": "monthly", "month": 9})
    assert_pdf_has(pdf, "ماه ۹")
    assert p.suggested_file_name() == "ماهانه-9.pdf"
    assert _printed(desk) == ["گزارش ماهانه آزمون؛ ماه ۷", "گزارش ماهانه آزمون؛ ماه ۹"]
