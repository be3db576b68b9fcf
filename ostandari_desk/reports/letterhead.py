"""The official letterhead and signature block every paper shares.

The letterhead heads each page: the optional emblem (setting ``logo_path``), «بسمه تعالی», the office with
its province («استانداری قزوین — اداره کل امور اجتماعی و فرهنگی») or, for a county-level record's paper,
the county governorate («فرمانداری شهرستان آبیک»), the شماره / تاریخ / پیوست block of a letter or a
certificate (the print date on other papers), and the paper's title wrapped to the page width. Its height
follows what it holds, so the body frame starts below it (``ReportDocument`` asks :meth:`header_height`).

:class:`SignatureBlock` is the signer's name, title and office on the issuer's side (the left), with room
for the stamp; :func:`licence_signer` names who signs a licence of a given level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Flowable

from ostandari_desk.domain import text
from ostandari_desk.reports.document import Letterhead
from ostandari_desk.reports.fonts import FONT, FONT_BOLD, register_fonts
from ostandari_desk.reports.persian import shaped_lines

__all__ = [
    "BLESSING",
    "OfficialLetterhead",
    "Reference",
    "Signatory",
    "SignatureBlock",
    "licence_signer",
    "official",
]

BLESSING = "بسمه تعالی"
EMBLEM_HEIGHT = 1.5 * cm
EMBLEM_MAX_WIDTH = 3.0 * cm
RULE = colors.HexColor("#b0b7c0")
_OFFICE_SIZE, _UNIT_SIZE, _REF_SIZE, _TITLE_SIZE, _BLESSING_SIZE = 12.0, 10.0, 9.5, 14.0, 11.0
_LEADING = 1.45
_GOVERNORATE_TAIL = re.compile(r"\s*استانداری(\s+\S+)?\s*$")


@dataclass(frozen=True)
class Reference:
    """The شماره / تاریخ / پیوست block of a letter or a certificate (already in print form)."""

    number: str
    dated: str
    attachments: str = "ندارد"


@dataclass(frozen=True)
class Signatory:
    """Who signs: a name (empty: a line to sign on), a title and the office it speaks for."""

    name: str
    title: str
    office: str = ""


@dataclass(frozen=True)
class OfficialLetterhead(Letterhead):
    """The letterhead of an office of a province; ``county`` set: the county governorate's letterhead.

    ``signer_name`` / ``signer_title`` are the settings' signer (the province office's), used by
    :func:`licence_signer` and the papers' signature blocks.
    """

    province: str = ""
    county: str | None = None
    reference: Reference | None = None
    signer_name: str = ""
    signer_title: str = ""

    # --- what it says ------------------------------------------------------------------------------

    @property
    def unit(self) -> str:
        """The office's own name without a trailing «استانداری [province]» (the settings' default has one)."""
        return _GOVERNORATE_TAIL.sub("", text.clean(self.office_name)) or text.clean(self.office_name)

    @property
    def governorate(self) -> str:
        """«استانداری قزوین» (or «استانداری» when the province is unknown)."""
        province = text.clean(self.province)
        return f"استانداری {province}" if province else "استانداری"

    @property
    def authority(self) -> str:
        """The office a county paper speaks for, or the province's governorate."""
        county = text.clean(self.county or "")
        return f"فرمانداری شهرستان {county}" if county else self.governorate

    def office_lines(self) -> list[tuple[str, str, float]]:
        """(text, font, size) of the office's lines, top to bottom."""
        if text.clean(self.county or ""):
            return (
                [
                    (self.authority, FONT_BOLD, _OFFICE_SIZE),
                    (f"استان {text.clean(self.province)}", FONT, _UNIT_SIZE),
                ]
                if text.clean(self.province)
                else [(self.authority, FONT_BOLD, _OFFICE_SIZE)]
            )
        unit = self.unit
        if not text.clean(self.province):  # the province unknown: the office as the settings name it
            return [(text.clean(self.office_name) or self.governorate, FONT_BOLD, _OFFICE_SIZE)]
        head = f"{self.governorate} — {unit}" if unit and unit != self.governorate else self.governorate
        return [(head, FONT_BOLD, _OFFICE_SIZE)]

    def reference_lines(self, printed_on: str) -> list[str]:
        """The شماره / تاریخ / پیوست block, or the print date alone."""
        if self.reference is None:
            return [f"تاریخ چاپ: {printed_on}"]
        ref = self.reference
        return [
            f"شماره: {ref.number or '—'}",
            f"تاریخ: {ref.dated or '—'}",
            f"پیوست: {ref.attachments or 'ندارد'}",
        ]

    def for_county(self, county: str | None) -> OfficialLetterhead:
        """This letterhead for a paper of ``county`` (None or empty: the province's own)."""
        return replace(self, county=text.clean(county or "") or None)

    def with_reference(self, reference: Reference | None) -> OfficialLetterhead:
        return replace(self, reference=reference)

    # --- layout ------------------------------------------------------------------------------------

    def _emblem(self) -> tuple[ImageReader, float, float] | None:
        return _emblem(self.logo_path) if self.logo_path else None

    def _layout(self, title: str, printed_on: str, width: float) -> _HeadLayout:
        register_fonts()
        emblem = self._emblem()
        emblem_w = emblem[1] + 0.3 * cm if emblem else 0.0
        ref_w = width * 0.3
        office_w = max(width - ref_w - 16 - emblem_w, width * 0.3)
        office = [
            (line, font, size)
            for value, font, size in self.office_lines()
            for line in shaped_lines(value, font, size, office_w)
        ]
        refs = [
            line
            for value in self.reference_lines(printed_on)
            for line in shaped_lines(value, FONT, _REF_SIZE, ref_w)
        ]
        titles = shaped_lines(title, FONT_BOLD, _TITLE_SIZE, width) if title else []
        top_gap = _BLESSING_SIZE * _LEADING + 4
        office_h = top_gap + sum(size * _LEADING for _, _, size in office)
        ref_h = top_gap + len(refs) * _REF_SIZE * _LEADING
        block_h = max(emblem[2] if emblem else 0.0, office_h, ref_h)
        title_h = len(titles) * _TITLE_SIZE * _LEADING
        height = block_h + (6 + title_h if titles else 0) + 10
        return _HeadLayout(emblem, emblem_w, office, refs, ref_w, titles, top_gap, block_h, height)

    def header_height(self, title: str, printed_on: str, width: float) -> float:
        """The height the letterhead takes at the top of each page (page ``width`` less the margins)."""
        return self._layout(title, printed_on, width).height

    def draw_header(self, canv, title: str, printed_on: str, left: float, right: float, top: float) -> None:
        """Draw the letterhead between ``left`` and ``right``, from ``top`` down."""
        lay = self._layout(title, printed_on, right - left)
        canv.saveState()
        canv.setFillColor(colors.black)
        canv.setFont(FONT_BOLD, _BLESSING_SIZE)
        canv.drawCentredString(
            (left + right) / 2,
            top - _BLESSING_SIZE,
            shaped_lines(BLESSING, FONT_BOLD, _BLESSING_SIZE, right - left)[0],
        )
        x = right
        if lay.emblem is not None:
            image, w, h = lay.emblem
            canv.drawImage(image, right - w, top - h, w, h, mask="auto")
            x = right - lay.emblem_w
        y = top - lay.top_gap
        for line, font, size in lay.office:
            y -= size
            canv.setFont(font, size)
            canv.drawRightString(x, y, line)
            y -= size * (_LEADING - 1)
        y = top - lay.top_gap
        canv.setFont(FONT, _REF_SIZE)
        for line in lay.refs:
            y -= _REF_SIZE
            canv.drawRightString(left + lay.ref_w, y, line)
            y -= _REF_SIZE * (_LEADING - 1)
        y = top - lay.block_h - 6
        canv.setFont(FONT_BOLD, _TITLE_SIZE)
        for line in lay.titles:
            y -= _TITLE_SIZE
            canv.drawCentredString((left + right) / 2, y, line)
            y -= _TITLE_SIZE * (_LEADING - 1)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.6)
        rule_y = top - lay.height + 4
        canv.line(left, rule_y, right, rule_y)
        canv.restoreState()


@dataclass(frozen=True)
class _HeadLayout:
    emblem: tuple[ImageReader, float, float] | None
    emblem_w: float
    office: list[tuple[str, str, float]]
    refs: list[str]
    ref_w: float
    titles: list[str]
    top_gap: float
    block_h: float
    height: float


@lru_cache(maxsize=8)
def _emblem(path: str) -> tuple[ImageReader, float, float] | None:
    """The emblem image scaled to the letterhead; None when the file cannot be read (the paper still prints)."""
    try:
        image = ImageReader(path)
        iw, ih = image.getSize()
    except (OSError, ValueError):
        return None
    if not iw or not ih:
        return None
    h = EMBLEM_HEIGHT
    w = h * iw / ih
    if w > EMBLEM_MAX_WIDTH:
        w, h = EMBLEM_MAX_WIDTH, EMBLEM_MAX_WIDTH * ih / iw
    return image, w, h


def official(letterhead: Letterhead) -> OfficialLetterhead:
    """``letterhead`` as an official one (a plain :class:`Letterhead` keeps its office and emblem)."""
    if isinstance(letterhead, OfficialLetterhead):
        return letterhead
    return OfficialLetterhead(letterhead.office_name, letterhead.logo_path)


def licence_signer(letterhead: Letterhead, level: str, county: str | None) -> Signatory:
    """Who signs a licence of ``level``: the settings' signer for the province's own licences, the county
    governor for a county-level one, the ministry for a national one (services.licences.issuing_authority)."""
    from ostandari_desk.services.licences import issuing_authority

    head = official(letterhead)
    try:
        office, title = issuing_authority(level, county, head.province)
    except ValueError:  # an unknown level: the province's
        office, title = head.governorate, ""
    if office == head.governorate:
        return Signatory(head.signer_name, head.signer_title or title, head.governorate)
    return Signatory("", title, office)


class SignatureBlock(Flowable):
    """The signer's name (or a line to sign on), title and office on the left, then «مهر و امضا»."""

    def __init__(self, signer: Signatory, *, width: float = 7 * cm, stamp: bool = True):
        super().__init__()
        register_fonts()
        self.signer, self.block_width, self.stamp = signer, width, stamp
        self.spaceBefore = 18
        self._lines: list[tuple[str, str, float]] = []

    def _wanted(self) -> list[tuple[str, str, float]]:
        s = self.signer
        wanted = [(text.clean(s.name) or "", FONT_BOLD, 11.0), (s.title, FONT, 10.5), (s.office, FONT, 10.5)]
        return [(value, font, size) for value, font, size in wanted if value or font == FONT_BOLD]

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        inner = min(self.block_width, availWidth)
        self._inner = inner
        self._lines = []
        for value, font, size in self._wanted():
            if not value:  # no name: a line to sign on
                self._lines.append(("", font, size))
                continue
            self._lines.extend((line, font, size) for line in shaped_lines(value, font, size, inner))
        self.height = sum(size * _LEADING for _, _, size in self._lines) + (30 if self.stamp else 4)
        return availWidth, self.height

    def draw(self) -> None:
        c = self.canv
        x = self._inner / 2
        y = self.height
        c.setFillColor(colors.black)
        for line, font, size in self._lines:
            y -= size * _LEADING
            if line:
                c.setFont(font, size)
                c.drawCentredString(x, y + size * (_LEADING - 1), line)
            else:
                c.setStrokeColor(colors.grey)
                c.setDash(1, 2)
                c.line(x - self._inner * 0.35, y + 3, x + self._inner * 0.35, y + 3)
                c.setDash()
        if self.stamp:
            c.setFont(FONT, 9)
            c.setFillColor(colors.grey)
            c.drawCentredString(x, 6, shaped_lines("مهر و امضا", FONT, 9, self._inner)[0])
