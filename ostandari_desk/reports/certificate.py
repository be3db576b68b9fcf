"""The licence certificate (پروانه فعالیت): a formal A4 page with the letterhead and a signature block."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from reportlab.lib import colors
from reportlab.platypus import Flowable

from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.reports.document import Letterhead, ReportDocument
from ostandari_desk.reports.fonts import FONT, FONT_BOLD
from ostandari_desk.reports.persian import shape_line, shaped_lines
from ostandari_desk.services.reporting import CertificateData

__all__ = ["build_certificate"]

BORDER = colors.HexColor("#1f5f99")


class _Framed(Flowable):
    """Centred lines inside a double border: the certificate's body."""

    def __init__(self, blocks: list[tuple[str, str, float]], height: float):
        super().__init__()
        self.blocks, self.box_height = blocks, height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        self._lines = []
        for text, font, size in self.blocks:
            for line in shaped_lines(text, font, size, availWidth - 80) if text else [""]:
                self._lines.append((line, font, size))
        return availWidth, self.box_height

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(BORDER)
        c.setLineWidth(2)
        c.rect(0, 0, self.width, self.box_height)
        c.setLineWidth(0.6)
        c.rect(5, 5, self.width - 10, self.box_height - 10)
        y = self.box_height - 40
        c.setFillColor(colors.black)
        for line, font, size in self._lines:
            c.setFont(font, size)
            if line:
                c.drawCentredString(self.width / 2, y, line)
            y -= size * 1.9


class _Signature(Flowable):
    """The signature block on the left of the page (the issuer's side in Persian letters)."""

    def __init__(self, lines: list[str]):
        super().__init__()
        self.lines = lines

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, 20 * len(self.lines) + 50

    def draw(self) -> None:
        c = self.canv
        x = 110
        y = 20 * len(self.lines) + 30
        for i, line in enumerate(self.lines):
            c.setFont(FONT_BOLD if i == 0 else FONT, 11)
            c.drawCentredString(x, y, shape_line(line))
            y -= 20
        c.setFont(FONT, 9)
        c.setFillColor(colors.grey)
        c.drawCentredString(x, 8, shape_line("مهر و امضا"))


def build_certificate(
    data: CertificateData,
    letterhead: Letterhead,
    printed_on: str,
    target: str | Path | IO[bytes],
    *,
    signer: str = "مدیرکل امور اجتماعی و فرهنگی",
) -> None:
    doc = ReportDocument("پروانه فعالیت سازمان مردم‌نهاد", letterhead, printed_on)
    years = to_persian_digits(data.validity_years)
    statement = (
        f"بدین‌وسیله گواهی می‌شود سازمان مردم‌نهاد «{data.ngo_name}» به شناسه ملی {data.national_id} "
        f"و شماره ثبت {data.registration_no or '—'}، در سطح {data.level_label}، بر اساس آیین‌نامه تأسیس و "
        f"فعالیت سازمان‌های مردم‌نهاد مجاز به فعالیت است. اعتبار این پروانه {years} سال از تاریخ صدور است."
    )
    blocks = [
        (f"شماره پروانه: {data.licence_number}", FONT_BOLD, 13),
        ("", FONT, 6),
        (data.ngo_name, FONT_BOLD, 18),
        ("", FONT, 6),
        (f"شناسه ملی: {data.national_id}؛ سطح فعالیت: {data.level_label}", FONT, 12),
        (f"شهرستان: {data.county_name}؛ مدیرعامل: {data.ceo_name or '—'}", FONT, 12),
        (f"حوزه فعالیت: {'، '.join(data.fields) or '—'}", FONT, 12),
        ("", FONT, 6),
        (f"تاریخ صدور: {data.issued_on}؛ تاریخ انقضا: {data.expires_on}", FONT_BOLD, 12),
        ("", FONT, 6),
        (statement, FONT, 11),
    ]
    doc.add_spacer(20)
    doc.add_flowable(_Framed(blocks, 340))
    doc.add_spacer(40)
    doc.add_flowable(_Signature([signer, data.issuer]))
    doc.build(target)
