"""The official letterhead and signature block: «بسمه تعالی», the office with its province, the county
governorate's letterhead on a county paper, the شماره / تاریخ / پیوست block, the emblem, and who signs."""

from __future__ import annotations

import io

import pdfplumber
import pytest

from ostandari_desk.reports.document import Letterhead, ReportDocument
from ostandari_desk.reports.letterhead import (
    OfficialLetterhead,
    Reference,
    Signatory,
    SignatureBlock,
    licence_signer,
    official,
)
from ostandari_desk.services.reporting import ReportRequest

from .pdftext import assert_pdf_has, pdf_lines

HEAD = OfficialLetterhead(
    "اداره کل امور اجتماعی و فرهنگی استانداری",
    province="قزوین",
    signer_name="علی رضایی",
    signer_title="مدیرکل امور اجتماعی و فرهنگی",
)


def _pdf(head: Letterhead, title: str = "آزمون", *flowables) -> bytes:
    doc = ReportDocument(title, head, "۱۴۰۵/۰۲/۰۱")
    doc.add_paragraph("متن")
    for f in flowables:
        doc.add_flowable(f)
    out = io.BytesIO()
    doc.build(out)
    return out.getvalue()


def test_the_province_letterhead_names_the_office_with_its_province():
    assert HEAD.office_lines()[0][0] == "استانداری قزوین — اداره کل امور اجتماعی و فرهنگی"
    pdf = _pdf(HEAD)
    assert_pdf_has(
        pdf, "بسمه تعالی", "استانداری قزوین — اداره کل امور اجتماعی و فرهنگی", "تاریخ چاپ: ۱۴۰۵/۰۲/۰۱"
    )
    assert not any("پیوست" in line for line in pdf_lines(pdf))  # a list has no reference block


def test_a_county_paper_goes_under_its_governorate():
    head = HEAD.for_county("آبیک")
    assert [text for text, _, _ in head.office_lines()] == ["فرمانداری شهرستان آبیک", "استان قزوین"]
    pdf = _pdf(head)
    assert_pdf_has(pdf, "فرمانداری شهرستان آبیک", "استان قزوین")
    assert not any("استانداری" in line for line in pdf_lines(pdf))
    assert HEAD.for_county("").county is None and HEAD.for_county(None).office_lines() == HEAD.office_lines()


def test_letters_and_certificates_carry_number_date_and_attachments():
    head = HEAD.with_reference(Reference("۱۴۰۴/۱۲۳-۴۵", "۱۴۰۴/۰۶/۰۹", "دارد (۲)"))
    assert head.reference_lines("x") == ["شماره: ۱۴۰۴/۱۲۳-۴۵", "تاریخ: ۱۴۰۴/۰۶/۰۹", "پیوست: دارد (۲)"]
    assert_pdf_has(_pdf(head), "شماره: ۱۴۰۴/۱۲۳-۴۵", "تاریخ: ۱۴۰۴/۰۶/۰۹", "پیوست: دارد (۲)")


def test_a_plain_letterhead_becomes_official():
    head = official(Letterhead("اداره کل امور اجتماعی و فرهنگی استانداری قزوین"))
    assert head.office_lines()[0][0] == "اداره کل امور اجتماعی و فرهنگی استانداری قزوین"  # as named
    assert official(HEAD) is HEAD


def test_the_header_grows_with_its_title_and_the_body_starts_below_it():
    short = HEAD.header_height("عنوان", "۱۴۰۵/۰۱/۰۱", 510)
    long = HEAD.header_height("عنوان بسیار بلند " * 30, "۱۴۰۵/۰۱/۰۱", 510)
    assert long > short + 3 * 14
    with pdfplumber.open(io.BytesIO(_pdf(HEAD, "عنوان بسیار بلند " * 30))) as pdf:
        page = pdf.pages[0]
        body = [c for c in page.chars if c["size"] == 10.0]  # «متن», the body's first paragraph
        title = [c for c in page.chars if c["size"] == 14.0]
        assert body and title and min(c["top"] for c in body) > max(c["bottom"] for c in title)


def test_the_emblem_is_drawn_and_a_missing_one_is_left_out(tmp_path):
    from PIL import Image

    logo = tmp_path / "emblem.png"
    Image.new("RGB", (60, 80), (20, 90, 150)).save(logo)
    with pdfplumber.open(
        io.BytesIO(_pdf(HEAD.__class__(**{**HEAD.__dict__, "logo_path": str(logo)})))
    ) as pdf:
        (image,) = pdf.pages[0].images
        assert image["x1"] > pdf.pages[0].width - 60  # on the right, the letterhead's side
    missing = HEAD.__class__(**{**HEAD.__dict__, "logo_path": str(tmp_path / "gone.png")})
    assert_pdf_has(_pdf(missing), "بسمه تعالی")


@pytest.mark.parametrize(
    ("level", "county", "expected"),
    [
        ("county", "آبیک", Signatory("", "فرماندار شهرستان آبیک", "فرمانداری شهرستان آبیک")),
        ("county", None, Signatory("علی رضایی", "مدیرکل امور اجتماعی و فرهنگی", "استانداری قزوین")),
        ("province", "آبیک", Signatory("علی رضایی", "مدیرکل امور اجتماعی و فرهنگی", "استانداری قزوین")),
        ("national", "آبیک", Signatory("", "وزیر کشور", "وزارت کشور")),
    ],
)
def test_who_signs_a_licence(level, county, expected):
    assert licence_signer(HEAD, level, county) == expected


def test_the_signature_block_prints_name_title_and_office():
    block = SignatureBlock(Signatory("علی رضایی", "مدیرکل امور اجتماعی و فرهنگی", "استانداری قزوین"))
    assert_pdf_has(
        _pdf(HEAD, "آزمون", block),
        "علی رضایی",
        "مدیرکل امور اجتماعی و فرهنگی",
        "استانداری قزوین",
        "مهر و امضا",
    )


def test_make_paper_heads_papers_with_the_province_of_the_settings(desk, make_ngo):
    """Through the one door: the province from the settings heads a provincial NGO's file; a county NGO's
    file is under its county governorate."""
    from ostandari_desk.reports.papers import make_paper

    provincial = make_ngo(county=None, level="province")
    county = make_ngo(county="آبیک")
    out = io.BytesIO()
    make_paper(desk.uow, ReportRequest("ngo-file", ngo_id=provincial), out)
    assert_pdf_has(
        out.getvalue(), "بسمه تعالی", "استانداری قزوین — اداره کل امور اجتماعی"
    )  # the desk's office
    out = io.BytesIO()
    make_paper(desk.uow, ReportRequest("ngo-file", ngo_id=county), out)
    assert_pdf_has(out.getvalue(), "فرمانداری شهرستان آبیک")


def _letter(direction: str, county: str | None):
    from datetime import date

    from ostandari_desk.services.letter_papers import LetterPaperData

    return LetterPaperData(
        number="۱۲۳/الف",
        jalali_year=1405,
        dated_on=date(2026, 4, 21),
        direction_label="صادره" if direction == "out" else "وارده",
        kind_label="عادی",
        series="دبیرخانه شهرستان آبیک" if county else "دبیرخانه استان",
        party="اداره کل ورزش و جوانان",
        subject="دعوت به نشست",
        ngo_name="",
        attachments=(),
        county_name=county,
        direction={"out": "outgoing", "in": "incoming"}[direction],
    )


@pytest.mark.parametrize(
    ("county", "signs"),
    [
        (None, ["علی رضایی", "مدیرکل امور اجتماعی و فرهنگی", "استانداری قزوین", "مهر و امضا"]),
        ("آبیک", ["فرماندار شهرستان آبیک", "فرمانداری شهرستان آبیک", "مهر و امضا"]),
    ],
    ids=["province series", "county series"],
)
def test_an_outgoing_letter_ends_with_its_signers_block(county, signs):
    from ostandari_desk.reports.letter_paper import build_letter, letter_signer

    out = io.BytesIO()
    build_letter(_letter("out", county), HEAD, "۱۴۰۵/۰۲/۰۱", out)
    lines = pdf_lines(out.getvalue())
    assert_pdf_has(out.getvalue(), *signs)
    # the block is the paper's end: after the attachments' line
    assert max(i for i, line in enumerate(lines) if "مهر و امضا" in line) > max(
        i for i, line in enumerate(lines) if "پیوستی ندارد" in line
    )
    if county:  # the governor signs a county series' letter, not the province's signer
        assert not any("علی رضایی" in line for line in lines)
        assert letter_signer(HEAD.for_county(county)).name == ""


def test_a_received_letter_is_not_signed_by_the_office():
    from ostandari_desk.reports.letter_paper import build_letter

    out = io.BytesIO()
    build_letter(_letter("in", None), HEAD, "۱۴۰۵/۰۲/۰۱", out)
    assert not any("مهر و امضا" in line or "علی رضایی" in line for line in pdf_lines(out.getvalue()))


def test_a_stored_outgoing_letter_prints_with_its_signers_block(desk):
    """Through the one door, from a letter as the letters service stores it (direction «outgoing»)."""
    from ostandari_desk.domain.jalali import from_jalali
    from ostandari_desk.reports.papers import make_paper
    from ostandari_desk.services import letters

    letter_id = letters.create_letter(
        desk.uow,
        letters.LetterInput("outgoing", "۱۲", from_jalali(1405, 2, 1), "اداره کل ورزش", "دعوت", "other"),
    )
    out = io.BytesIO()
    make_paper(desk.uow, ReportRequest("letter", letter_id=letter_id), out)
    assert_pdf_has(out.getvalue(), "مهر و امضا")
