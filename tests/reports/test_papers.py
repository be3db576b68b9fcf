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
    from ostandari_desk.store.uow import UnitOfWork

    ngo_id = make_ngo(
        name="انجمن حمایت از کودکان کار قزوین",
        county="آبیک",
        registration_no="۱۲۳۴",
        address="قزوین، خیابان پیروزی (کوچه ۱۲)",
    )
    uow = UnitOfWork(desk.engine)
    with uow:
        licences.apply_licence_step(uow, ngo_id, "approval", d(1401, 5, 1), desk.clerk, imported=True)
        licences.apply_licence_step(
            uow,
            ngo_id,
            "issue",
            d(1401, 6, 9),
            desk.clerk,
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
        desk.clerk,
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
        desk.clerk,
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
        "مدیرکل امور اجتماعی و فرهنگی",
        "فرمانداری آبیک",
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


def _cli(engine, *argv: str) -> int:
    import argparse

    from ostandari_desk import cli_report

    parser = argparse.ArgumentParser()
    cli_report.register(parser.add_subparsers(dest="command"))
    return cli_report.run(parser.parse_args(list(argv)), engine)


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
        assert _cli(desk.engine, "report", *argv, "--out", str(out)) == 0, capsys.readouterr().err
        assert out.read_bytes().startswith(b"%PDF")
    assert_pdf_has(str(tmp_path / "annual.pdf"), "شهرستان آبیک")
    assert_pdf_has(str(tmp_path / "cert.pdf"), "شماره پروانه: ۱۴۰۱-۱۷")
    assert "ذخیره شد" in capsys.readouterr().out


def test_cli_errors_are_persian_and_non_zero(desk, make_ngo, tmp_path, capsys):
    out = str(tmp_path / "x.pdf")
    assert _cli(desk.engine, "report", "annual", "--year", "1401", "--county", "ناکجا", "--out", out) == 1
    assert "شهرستان «ناکجا» در فهرست شهرستان‌ها نیست" in capsys.readouterr().err
    assert _cli(desk.engine, "report", "certificate", "--national-id", "12345678901", "--out", out) == 1
    assert "ثبت نشده است" in capsys.readouterr().err
    assert _cli(desk.engine, "report", "annual", "--year", "سال", "--out", out) == 1
    missing = str(tmp_path / "no" / "x.pdf")
    assert _cli(desk.engine, "report", "register", "--out", missing) == 2
    assert "وجود ندارد" in capsys.readouterr().err
