"""The other papers: register, an NGO's file, the licence certificate, expiring licences — built from
services data and read back with the PDF round trip."""

from __future__ import annotations

import io

import pytest

from ostandari_desk.domain import jalali
from ostandari_desk.errors import UserError
from ostandari_desk.reports.certificate import build_certificate
from ostandari_desk.reports.document import Letterhead
from ostandari_desk.reports.expiring import build_expiring
from ostandari_desk.reports.ngo_file import build_ngo_file
from ostandari_desk.reports.register import build_register
from ostandari_desk.reports.registry import REPORTS
from ostandari_desk.services import reporting
from ostandari_desk.services.ngos import NgoFilter

from .pdftext import assert_pdf_has, pdf_pages

LETTERHEAD = Letterhead("اداره کل امور اجتماعی و فرهنگی استانداری قزوین")
PRINTED = "۱۴۰۵/۰۲/۰۱"
d = jalali.from_jalali
TODAY = d(1405, 2, 1)


def _build(builder, data) -> bytes:
    out = io.BytesIO()
    builder(data, LETTERHEAD, PRINTED, out)
    return out.getvalue()


@pytest.fixture
def licensed(desk, make_ngo):
    """An NGO with a board, a licence issued 1401/06/09 for 4 years, an event and a letter."""
    from ostandari_desk.services import licences
    from ostandari_desk.services.events import EventInput, create_event
    from ostandari_desk.services.letters import LetterInput, create_letter

    ngo_id = make_ngo(
        name="انجمن حمایت از کودکان کار قزوین",
        county="آبیک",
        registration_no="۱۲۳۴",
        address="قزوین، خیابان پیروزی (کوچه ۱۲)",
    )
    uow = desk.uow
    with uow:
        licences.apply_licence_step(uow, ngo_id, "approval", d(1401, 5, 1), imported=True)
        licences.apply_licence_step(
            uow,
            ngo_id,
            "issue",
            d(1401, 6, 9),
            licence_number="1401-17",
            expires_on=d(1405, 3, 1),
            imported=True,
        )
        uow.commit()
    create_event(
        desk.uow,
        EventInput(
            kind="course",
            title="دوره آموزش مهارت‌های زندگی",
            starts_on=d(1402, 3, 3),
            county_id=desk.counties["آبیک"],
            ngo_ids=(ngo_id,),
            attendees=30,
            training_hours=12,
        ),
    )
    create_letter(
        desk.uow,
        LetterInput(
            direction="outgoing",
            number="۴۵۶/۱۲",
            dated_on=d(1402, 4, 4),
            party="اداره کل بهزیستی",
            subject="حمایت از طرح توانمندسازی",
            kind="support",
            ngo_id=ngo_id,
            county_id=desk.counties["آبیک"],
        ),
    )
    return ngo_id


def test_register_lists_the_filtered_ngos_across_pages(desk, make_ngo):
    for i in range(45):
        make_ngo(name=f"انجمن خیریه شماره {i + 1}", county="آبیک" if i % 3 else "قزوین")
    data = reporting.register_data(desk.uow, NgoFilter(county_id=desk.counties["آبیک"]))
    assert len(data.rows) == 30
    pdf = _build(build_register, data)
    assert_pdf_has(
        pdf,
        "دفتر ثبت سازمان‌های مردم‌نهاد",
        "فیلتر: شهرستان: آبیک",
        "تعداد: ۳۰ سازمان",
        "ردیف نام سازمان شناسه ملی شماره ثبت شهرستان سطح مدیرعامل وضعیت وضعیت پروانه",
        "انجمن خیریه شماره ۲ ",
        "مدیر آزمایشی فعال بدون پروانه",
    )
    assert len(pdf_pages(pdf)) >= 2  # the header repeats on the next page
    assert_pdf_has(pdf, "صفحه ۲ از")


def test_ngo_file_shows_details_board_timeline_events_and_letters(desk, licensed):
    data = reporting.ngo_file_data(desk.uow, licensed)
    pdf = _build(build_ngo_file, data)
    assert_pdf_has(
        pdf,
        "پرونده سازمان «انجمن حمایت از کودکان کار قزوین»",
        "مشخصات",
        "شهرستان: آبیک",
        "نشانی: قزوین، خیابان پیروزی (کوچه ۱۲)",
        "هیئت مدیره و ارکان",
        "سابقه پروانه",
        "موافقت شورا",
        "صدور پروانه",
        "پروانه شماره ۱۴۰۱-۱۷",
        "۱۴۰۱/۰۶/۰۹",
        "رویدادها",
        "دوره آموزش مهارت‌های زندگی",
        "شرکت‌کننده",
        "مکاتبات",
        "اداره کل بهزیستی",
        "حمایت از طرح توانمندسازی",
    )


def test_certificate(desk, licensed):
    data = reporting.certificate_data(desk.uow, licensed)
    assert data.licence_number == "۱۴۰۱-۱۷"
    pdf = _build(build_certificate, data)
    assert_pdf_has(
        pdf,
        "پروانه فعالیت سازمان مردم‌نهاد",
        "شماره پروانه: ۱۴۰۱-۱۷",
        "انجمن حمایت از کودکان کار قزوین",
        "تاریخ صدور: ۱۴۰۱/۰۶/۰۹",
        "تاریخ انقضا: ۱۴۰۵/۰۳/۰۱",
        "سطح فعالیت: شهرستانی",
        "؛ سطح فعالیت:",  # the two facts on one line are separated, not run together
        "فرماندار شهرستان آبیک",  # a county licence: signed by its county governor,
        "فرمانداری شهرستان آبیک",  # under the county governorate's letterhead
        "پیوست: ندارد",
        "مهر و امضا",
    )


def test_certificate_refuses_an_ngo_without_licence(desk, make_ngo):
    with pytest.raises(UserError, match="پروانه فعالیتی ندارد"):
        reporting.certificate_data(desk.uow, make_ngo())


def test_expiring_and_expired(desk, licensed):
    data = reporting.expiring_data(desk.uow, today=TODAY, within_days=60)
    assert [r.ngo_name for r in data.expiring] == ["انجمن حمایت از کودکان کار قزوین"]
    pdf = _build(build_expiring, data)
    assert_pdf_has(
        pdf,
        "پروانه‌های رو به انقضا و منقضی",
        "بازه هشدار: ۶۰ روز آینده",
        "رو به انقضا",
        "انجمن حمایت از کودکان کار قزوین آبیک",
        "۱۴۰۵/۰۳/۰۱",
        "پروانه منقضی‌شده‌ای نیست",
    )
    later = reporting.expiring_data(desk.uow, today=d(1405, 4, 1), within_days=30)
    assert [r.ngo_name for r in later.expired] == ["انجمن حمایت از کودکان کار قزوین"]
    assert_pdf_has(_build(build_expiring, later), "منقضی‌شده و تمدیدنشده", "۳۱ روز گذشته")


def test_ngo_by_national_id_accepts_persian_digits(desk, make_ngo):
    ngo_id = make_ngo()
    from ostandari_desk.services.ngos import get_ngo

    national = get_ngo(desk.uow, ngo_id).national_id
    persian = national.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert reporting.ngo_id_by_national_id(desk.uow, persian) == ngo_id
    with pytest.raises(UserError):
        reporting.ngo_id_by_national_id(desk.uow, "12345678901")


# --- the command line -------------------------------------------------------------------------------


def _cli(uow, *argv: str) -> int:
    import argparse

    from ostandari_desk.cli import reports

    parser = argparse.ArgumentParser()
    reports.register(parser.add_subparsers(dest="command"))
    return reports.run(parser.parse_args(list(argv)), uow)


def test_cli_builds_each_report(desk, licensed, tmp_path, capsys):
    from ostandari_desk.services.ngos import get_ngo

    national = get_ngo(desk.uow, licensed).national_id
    runs = {
        "annual.pdf": ("annual", "--year", "۱۴۰۱", "--county", "آبیک"),
        "register.pdf": ("register", "--county", "آبيک"),
        "file.pdf": ("ngo-file", "--national-id", national),
        "cert.pdf": ("certificate", "--national-id", national),
        "exp.pdf": ("expiring", "--days", "90", "--today", "1405/02/01"),
    }
    for name, argv in runs.items():
        out = tmp_path / name
        assert _cli(desk.uow, "report", *argv, "--out", str(out)) == 0, capsys.readouterr().err
        assert out.read_bytes().startswith(b"%PDF")
    assert_pdf_has(str(tmp_path / "annual.pdf"), "شهرستان آبیک")
    assert_pdf_has(str(tmp_path / "cert.pdf"), "شماره پروانه: ۱۴۰۱-۱۷")
    assert "ذخیره شد" in capsys.readouterr().out
    printed = [line.detail.split("؛")[0] for line in reversed(_report_lines(desk))]
    assert printed == [
        REPORTS[k].title for k in ("annual", "register", "ngo-file", "certificate", "expiring")
    ]


def test_cli_refuses_a_county_user_another_countys_papers(desk, licensed, uow_as, tmp_path, capsys):
    from ostandari_desk.services.ngos import get_ngo

    national = get_ngo(desk.uow, licensed).national_id  # an NGO of آبیک
    qazvin = uow_as("county", desk.counties["قزوین"])
    out = tmp_path / "x.pdf"
    assert _cli(qazvin, "report", "ngo-file", "--national-id", national, "--out", str(out)) == 2
    assert _cli(qazvin, "report", "annual", "--year", "1401", "--county", "آبیک", "--out", str(out)) == 2
    assert "خطا" in capsys.readouterr().err and not out.exists()
    assert _report_lines(desk) == []
    assert _cli(qazvin, "report", "annual", "--year", "1401", "--out", str(out)) == 0
    assert_pdf_has(str(out), "شهرستان قزوین")


def test_cli_errors_are_persian_and_non_zero(desk, make_ngo, tmp_path, capsys):
    out = str(tmp_path / "x.pdf")
    assert _cli(desk.uow, "report", "annual", "--year", "1401", "--county", "ناکجا", "--out", out) == 2
    assert "شهرستان «ناکجا» در فهرست شهرستان‌ها نیست" in capsys.readouterr().err
    assert _cli(desk.uow, "report", "certificate", "--national-id", "12345678901", "--out", out) == 2
    assert "ثبت نشده است" in capsys.readouterr().err
    assert _cli(desk.uow, "report", "annual", "--year", "سال", "--out", out) == 2
    missing = str(tmp_path / "no" / "x.pdf")
    assert _cli(desk.uow, "report", "register", "--out", missing) == 2
    assert "وجود ندارد" in capsys.readouterr().err


# --- county scope and the audit of printed papers ----------------------------------------------------


def _report_lines(desk):
    from ostandari_desk.services.audit import AuditFilter, audit_lines

    return list(audit_lines(desk.uow, AuditFilter(action="report")))


def test_a_county_users_register_and_expiring_list_hold_their_county_alone(desk, licensed, make_ngo, uow_as):
    from ostandari_desk.errors import PermissionDeniedError

    ab, qz = desk.counties["آبیک"], desk.counties["قزوین"]
    make_ngo(name="انجمن قزوینی", county="قزوین")
    make_ngo(name="انجمن استانی", county=None, level="province")
    abyek = uow_as("county", ab)
    register = reporting.register_data(abyek)
    assert [r.name for r in register.rows] == ["انجمن حمایت از کودکان کار قزوین"]
    assert register.filter_text == "شهرستان: آبیک"
    assert len(reporting.register_data(desk.uow).rows) == 3
    with pytest.raises(PermissionDeniedError):
        reporting.register_data(abyek, NgoFilter(county_id=qz))

    expiring = reporting.expiring_data(abyek, today=TODAY, within_days=60)
    assert expiring.scope_name == "شهرستان آبیک"
    assert [r.ngo_name for r in expiring.expiring] == ["انجمن حمایت از کودکان کار قزوین"]
    assert reporting.expiring_data(uow_as("county", qz), today=TODAY, within_days=60).expiring == ()
    with pytest.raises(PermissionDeniedError):
        reporting.expiring_data(abyek, today=TODAY, county_id=qz)


def test_a_county_user_is_refused_another_countys_ngo_papers(desk, licensed, uow_as):
    from ostandari_desk.errors import PermissionDeniedError
    from ostandari_desk.reports.papers import make_paper

    qazvin = uow_as("county", desk.counties["قزوین"])
    with pytest.raises(PermissionDeniedError, match="شهرستان دیگری"):
        reporting.ngo_file_data(qazvin, licensed)
    with pytest.raises(PermissionDeniedError):
        reporting.certificate_data(qazvin, licensed)
    with pytest.raises(PermissionDeniedError):
        make_paper(qazvin, reporting.ReportRequest("ngo-file", ngo_id=licensed), io.BytesIO())
    assert _report_lines(desk) == []  # refused papers are not recorded as printed
    # the NGO's own county prints it
    own = reporting.ngo_file_data(uow_as("county", desk.counties["آبیک"]), licensed)
    assert own.ngo.name == "انجمن حمایت از کودکان کار قزوین"


def test_making_a_paper_writes_a_report_audit_entry(desk, licensed, make_ngo, uow_as):
    from ostandari_desk.reports.papers import make_paper
    from ostandari_desk.services.audit import history_of

    out = io.BytesIO()
    paper = make_paper(desk.uow, reporting.ReportRequest("annual", year=1401), out)
    assert out.getvalue().startswith(b"%PDF") and paper.table == "report"
    [line] = _report_lines(desk)
    assert line.action == "report" and line.action_label == "چاپ گزارش"
    assert line.table_name == "report" and line.record_id == ""
    assert line.detail == "گزارش مقایسه‌ای سالانه؛ سال ۱۴۰۱؛ کل استان"
    assert line.username == "tester"

    county_user = uow_as("county", desk.counties["آبیک"], username="abyek")
    make_paper(county_user, reporting.ReportRequest("certificate", ngo_id=licensed), io.BytesIO())
    printed = [h for h in history_of(desk.uow, licensed) if h.action == "report"]
    assert len(printed) == 1
    assert printed[0].username == "abyek" and printed[0].table_name == "ngo"
    assert printed[0].detail.startswith("چاپ پروانه فعالیت؛ «انجمن حمایت از کودکان کار قزوین»؛ شناسه ملی ")

    make_paper(county_user, reporting.ReportRequest("register"), io.BytesIO())
    assert _report_lines(desk)[0].detail == "دفتر ثبت سازمان‌ها؛ شهرستان: آبیک؛ ۱ سازمان"

    # a paper that could not be made leaves no entry
    with pytest.raises(UserError):
        make_paper(desk.uow, reporting.ReportRequest("certificate", ngo_id=make_ngo()), io.BytesIO())
    assert len(_report_lines(desk)) == 3
