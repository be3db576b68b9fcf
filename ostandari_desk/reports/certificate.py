"""The licence certificate (پروانه فعالیت): the official letterhead with its شماره / تاریخ / پیوست block, the
framed body, and the signature of the licence's authority (a county-level licence: the county governor's,
under the county governorate's letterhead).

The frame grows with its text (a long name wraps inside it) and the signature block follows the frame; a
body taller than the page continues in a second frame on the next page.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from reportlab.lib import colors
from reportlab.platypus import Flowable

from ostandari_desk.domain.lifecycle import Level
from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.reports.document import Letterhead, ReportDocument
from ostandari_desk.reports.fonts import FONT, FONT_BOLD
from ostandari_desk.reports.letterhead import Reference, SignatureBlock, licence_signer, official
from ostandari_desk.reports.persian import shaped_lines
from ostandari_desk.services.reporting import CertificateData

__all__ = ["FRAME_PAD", "build_certificate"]

BORDER = colors.HexColor("#1f5f99")
FRAME_PAD = 28.0  # from the outer border to the text, on every side
LEADING = 1.6
_PROVINCE_LABEL = "استان"  # services' county name of a record of the province itself


class _Framed(Flowable):
    """Centred lines inside a double border, as tall as its lines: the certificate's body."""

    def __init__(
        self, blocks: list[tuple[str, str, float]], lines: list[tuple[str, str, float]] | None = None
    ):
        super().__init__()
        self.blocks = blocks
        self._fixed = lines
        self._lines: list[tuple[str, str, float]] = lines or []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        if self._fixed is None:
            self._lines = []
            for text, font, size in self.blocks:
                for line in shaped_lines(text, font, size, availWidth - 2 * FRAME_PAD) if text else [""]:
                    self._lines.append((line, font, size))
        self.height = sum(size * LEADING for _, _, size in self._lines) + 2 * FRAME_PAD
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        room, fit = availHeight - 2 * FRAME_PAD, 0
        for _, _, size in self._lines:
            if size * LEADING > room:
                break
            room -= size * LEADING
            fit += 1
        if fit == 0 or fit >= len(self._lines):
            return []
        return [_Framed(self.blocks, self._lines[:fit]), _Framed(self.blocks, self._lines[fit:])]

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(BORDER)
        c.setLineWidth(2)
        c.rect(0, 0, self.width, self.height)
        c.setLineWidth(0.6)
        c.rect(5, 5, self.width - 10, self.height - 10)
        y = self.height - FRAME_PAD
        c.setFillColor(colors.black)
        for line, font, size in self._lines:
            y -= size * LEADING
            if line:
                c.setFont(font, size)
                c.drawCentredString(self.width / 2, y + size * (LEADING - 1) * 0.6, line)


def _is_county_licence(data: CertificateData) -> bool:
    return data.level == Level.COUNTY and bool(data.county_name) and data.county_name != _PROVINCE_LABEL


def build_certificate(
    data: CertificateData, letterhead: Letterhead, printed_on: str, target: str | Path | IO[bytes]
) -> None:
    """The certificate of ``data``'s licence; ``letterhead`` the province's (a county licence turns it
    into its county governorate's)."""
    head = official(letterhead)
    county = data.county_name if _is_county_licence(data) else None
    head = head.for_county(county).with_reference(Reference(data.licence_number, data.issued_on))
    doc = ReportDocument("پروانه فعالیت سازمان مردم‌نهاد", head, printed_on)
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
    doc.add_spacer(12)
    doc.add_flowable(_Framed(blocks))
    signer = licence_signer(head, data.level or Level.PROVINCE, county)
    doc.add_flowable(SignatureBlock(signer))
    doc.build(target)
