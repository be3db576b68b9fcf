"""The inspection papers of one centre: a visit's form (the checklist answered, findings, actions, signature
lines), a centre's file, and a category's blank checklist for field use (boxes to tick, lines to write).
Frozen data from services/inspections/papers.py; no database here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable

from ostandari_desk.domain.inspections import ANSWER_LABELS, RESULT_LABELS, SEVERITY_LABELS, AnswerType
from ostandari_desk.domain.jalali import format_jalali
from ostandari_desk.domain.text import format_number, protect_hyphenated_numbers, to_persian_digits
from ostandari_desk.reports.document import (
    GRID,
    HEADER_BG,
    LEADING,
    PAD,
    TOTALS_BG,
    Column,
    Letterhead,
    ReportDocument,
)
from ostandari_desk.reports.fonts import FONT, FONT_BOLD, register_fonts
from ostandari_desk.reports.persian import shape_line, shaped_lines
from ostandari_desk.services.inspections.centre_file import CentreFile
from ostandari_desk.services.inspections.papers import ChecklistData, VisitPaperData

__all__ = ["ChecklistForm", "Signatures", "build_centre_file", "build_checklist", "build_visit_form"]

DASH = "—"
CRITICAL = "حیاتی"
FAILED = "ناموفق"
STATE_LABELS = {"open": "باز", "closed": "بسته"}


def _digits(value: str) -> str:
    return protect_hyphenated_numbers(to_persian_digits(value)) if value else DASH


def _date(value) -> str:
    return format_jalali(value) if value else DASH


# --- flowables ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    number: int
    text: str
    critical: bool
    answer_type: str
    max_score: int


class ChecklistForm(Flowable):
    """A blank checklist, right to left: a section's title row, then per item its number, text, a «حیاتی»
    mark and boxes to tick (بله / خیر / مورد ندارد) or a line to write on, and room for a remark.
    Repeats its header on every page; splits between rows."""

    TITLES = ("ردیف", "بند", CRITICAL, "پاسخ", "توضیحات")
    WEIGHTS = (0.55, 5.2, 0.75, 3.4, 2.3)
    BOX = 8.0

    def __init__(self, rows: Sequence[str | _Item], size: float = 9.0):
        super().__init__()
        register_fonts()
        self.rows, self.size, self.leading = list(rows), size, size * LEADING
        self.spaceBefore, self.spaceAfter = 4, 8
        self._laid: list[tuple[str | _Item, list[str], float]] = []
        self._widths: list[float] = []

    def _layout(self, width: float) -> None:
        total = sum(self.WEIGHTS)
        self._widths = [width * w / total for w in self.WEIGHTS]
        self._laid = []
        for row in self.rows:
            if isinstance(row, str):
                lines = shaped_lines(row, FONT_BOLD, self.size, width - 2 * PAD)
            else:
                lines = shaped_lines(row.text, FONT, self.size, self._widths[1] - 2 * PAD)
            height = max(len(lines) * self.leading, self.leading * (1 if isinstance(row, str) else 1.6))
            self._laid.append((row, lines, height + 2 * PAD))

    def _header_height(self) -> float:
        return self.leading + 2 * PAD

    def wrap(self, availWidth, availHeight):
        if not self._laid or getattr(self, "width", None) != availWidth:
            self._layout(availWidth)
        self.width = availWidth
        self.height = self._header_height() + sum(h for _r, _l, h in self._laid)
        return availWidth, self.height

    def split(self, availWidth, availHeight):
        self.wrap(availWidth, availHeight)
        room, fit = availHeight - self._header_height(), 0
        for _row, _lines, height in self._laid:
            if height > room:
                break
            room -= height
            fit += 1
        if fit == 0 or fit == len(self._laid):
            return []
        return [ChecklistForm(self.rows[:fit], self.size), ChecklistForm(self.rows[fit:], self.size)]

    def _edges(self) -> list[float]:
        edges = [self.width]
        for w in self._widths:
            edges.append(edges[-1] - w)
        return edges

    def _box(self, x_right: float, base: float, label: str) -> float:
        """A box with its label to its left, from ``x_right`` leftwards; returns where the next one starts."""
        canv = self.canv
        canv.rect(x_right - self.BOX, base - 1, self.BOX, self.BOX, stroke=1, fill=0)
        x = x_right - self.BOX - 3
        canv.drawRightString(x, base, shape_line(label))
        return x - stringWidth(shape_line(label), FONT, self.size) - 9

    def _answer(self, item: _Item, left: float, right: float, base: float) -> None:
        canv = self.canv
        canv.setFont(FONT, self.size)
        if item.answer_type == AnswerType.YES_NO:
            x = right - PAD
            for key in ("yes", "no", "na"):
                x = self._box(x, base, ANSWER_LABELS[key])
            return
        if item.answer_type == AnswerType.SCORE:
            label = f"امتیاز (۰ تا {to_persian_digits(item.max_score)}):"
        elif item.answer_type == AnswerType.NUMBER:
            label = "عدد:"
        else:
            label = "پاسخ:"
        shaped = shape_line(label)
        canv.drawRightString(right - PAD, base, shaped)
        end = right - PAD - stringWidth(shaped, FONT, self.size) - 4
        canv.setDash(1, 2)
        canv.line(left + PAD, base - 1, end, base - 1)
        canv.setDash()

    def draw(self) -> None:
        canv = self.canv
        edges = self._edges()
        canv.setStrokeColor(GRID)
        canv.setLineWidth(0.4)
        y = self.height
        head = self._header_height()
        canv.setFillColor(HEADER_BG)
        canv.rect(0, y - head, self.width, head, stroke=0, fill=1)
        canv.setFillColor(colors.black)
        canv.setFont(FONT_BOLD, self.size)
        for i, title in enumerate(self.TITLES):
            canv.drawCentredString((edges[i] + edges[i + 1]) / 2, y - PAD - self.size, shape_line(title))
        y -= head
        canv.line(0, y, self.width, y)
        for row, lines, height in self._laid:
            base = y - PAD - self.size
            if isinstance(row, str):
                canv.setFillColor(TOTALS_BG)
                canv.rect(0, y - height, self.width, height, stroke=0, fill=1)
                canv.setFillColor(colors.black)
                canv.setFont(FONT_BOLD, self.size)
                for line in lines:
                    canv.drawRightString(self.width - PAD, base, line)
                    base -= self.leading
            else:
                canv.setFont(FONT, self.size)
                canv.drawCentredString((edges[0] + edges[1]) / 2, base, to_persian_digits(row.number))
                for line in lines:
                    canv.drawRightString(edges[1] - PAD, base, line)
                    base -= self.leading
                if row.critical:
                    canv.setFont(FONT_BOLD, self.size)
                    canv.drawCentredString(
                        (edges[2] + edges[3]) / 2, y - PAD - self.size, shape_line(CRITICAL)
                    )
                self._answer(row, edges[4], edges[3], y - PAD - self.size)
                for x in edges[1:-1]:
                    canv.line(x, y, x, y - height)
            y -= height
            canv.line(0, y, self.width, y)
        for x in edges[1:-1]:
            canv.line(x, self.height, x, self.height - head)
        canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)


class Signatures(Flowable):
    """Signature boxes, right to left, three to a row: each a role, a name (or a line to write it) and a line
    to sign on."""

    PER_ROW = 3
    BOX_HEIGHT = 62.0

    def __init__(self, signers: Sequence[tuple[str, str]], size: float = 9.5):
        super().__init__()
        register_fonts()
        self.signers, self.size = list(signers), size
        self.spaceBefore, self.spaceAfter = 10, 4

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        rows = (len(self.signers) + self.PER_ROW - 1) // self.PER_ROW
        self.height = rows * (self.BOX_HEIGHT + 8)
        return availWidth, self.height

    def draw(self) -> None:
        canv = self.canv
        box_w = (self.width - 10 * (self.PER_ROW - 1)) / self.PER_ROW
        canv.setStrokeColor(GRID)
        canv.setLineWidth(0.6)
        for n, (role, name) in enumerate(self.signers):
            row, col = divmod(n, self.PER_ROW)
            right = self.width - col * (box_w + 10)
            top = self.height - row * (self.BOX_HEIGHT + 8)
            left = right - box_w
            canv.rect(left, top - self.BOX_HEIGHT, box_w, self.BOX_HEIGHT, stroke=1, fill=0)
            canv.setFont(FONT_BOLD, self.size)
            canv.drawRightString(right - 6, top - 14, shape_line(role))
            canv.setFont(FONT, self.size)
            name_label = shape_line("نام و نام خانوادگی:")
            canv.drawRightString(right - 6, top - 30, name_label)
            name_end = right - 6 - stringWidth(name_label, FONT, self.size) - 4
            if name:
                canv.drawRightString(name_end, top - 30, shape_line(name))
            else:
                canv.setDash(1, 2)
                canv.line(left + 6, top - 31, name_end, top - 31)
                canv.setDash()
            sign = shape_line("امضا:")
            canv.drawRightString(right - 6, top - 50, sign)
            canv.setDash(1, 2)
            canv.line(left + 6, top - 51, right - 6 - stringWidth(sign, FONT, self.size) - 4, top - 51)
            canv.setDash()


# --- the visit's form ---------------------------------------------------------------------------------


def build_visit_form(
    data: VisitPaperData, letterhead: Letterhead, printed_on: str, target: str | Path | IO[bytes]
) -> None:
    v = data.visit
    doc = ReportDocument(f"برگه بازدید از «{v.centre_name}»", letterhead, printed_on)
    if data.note:
        doc.add_paragraph(data.note, 9)
    when = format_jalali(v.inspected_on) + (f"، ساعت {v.time_text}" if v.time_text else "")
    pairs = [
        ("مرکز", v.centre_name),
        ("کد مرکز", _digits(v.centre_code)),
        ("رده", v.category_name or DASH),
        ("شهرستان", v.county_name),
        ("دستگاه صدور مجوز", v.licensing_agency or DASH),
        ("تاریخ و ساعت", when),
        ("نوع بازدید", v.kind_label),
        ("بازرسان", "، ".join(v.inspectors) or DASH),
    ]
    if v.template_title:
        pairs.append(("چک‌لیست", f"{v.template_title} (نسخه {to_persian_digits(v.template_version or 0)})"))
    score = f"{format_number(v.score)}٪" if v.score is not None else DASH
    if v.pass_score is not None:
        score += f" (حد قبولی {format_number(v.pass_score)}٪)"
    pairs += [("امتیاز", score), ("نتیجه", v.result_label)]
    if v.computed_result:
        pairs.append(("نتیجه برآمده از پاسخ‌ها", RESULT_LABELS.get(v.computed_result, v.computed_result)))
        pairs.append(("دلیل تغییر نتیجه", v.override_reason or DASH))
    if v.correction_deadline:
        pairs.append(("مهلت اصلاح", format_jalali(v.correction_deadline)))
    pairs.append(("وضعیت برگه", STATE_LABELS.get(v.state, v.state)))
    doc.add_key_values(pairs)

    if v.answers:
        doc.add_heading("چک‌لیست", 12)
        sections: dict[str, list] = {}
        for a in v.answers:
            sections.setdefault(a.section, []).append(a)
        columns = [
            Column("ردیف", 0.55, "center", True),
            Column("بند", 5.6),
            Column(CRITICAL, 0.8, "center"),
            Column("پاسخ", 1.6, "center"),
            Column("ارزیابی", 1.0, "center"),
        ]
        for section, answers in sections.items():
            doc.add_flowable(CondPageBreak(90))
            doc.add_heading(section, 10.5)
            doc.add_table(
                columns,
                [
                    [
                        to_persian_digits(a.position),
                        to_persian_digits(a.text),
                        CRITICAL if a.critical else "",
                        to_persian_digits(a.value_text) if a.value is not None else DASH,
                        FAILED if a.failed else "",
                    ]
                    for a in answers
                ],
            )

    doc.add_heading("یافته‌ها و اقدام‌های اصلاحی", 12)
    if v.findings:
        rows = []
        for i, f in enumerate(v.findings, start=1):
            actions = [
                f"{a.action} (مهلت {_date(a.deadline)}"
                + (f"، انجام {_date(a.done_on)}" if a.done_on else "")
                + (f"، ارجاع با نامه {_digits(a.referral_number)}" if a.referral_number else "")
                + ")"
                for a in f.actions
            ]
            rows.append(
                [
                    to_persian_digits(i),
                    to_persian_digits(f.text),
                    SEVERITY_LABELS.get(f.severity, f.severity),
                    "؛ ".join(to_persian_digits(a) for a in actions) or DASH,
                ]
            )
        doc.add_table(
            [
                Column("ردیف", 0.55, "center", True),
                Column("یافته", 4.2),
                Column("شدت", 0.9, "center"),
                Column("اقدام اصلاحی و مهلت", 4.4),
            ],
            rows,
        )
    else:
        doc.add_paragraph("یافته‌ای ثبت نشده است.")
    if v.notes:
        doc.add_heading("توضیحات", 12)
        doc.add_paragraph(to_persian_digits(v.notes))
    if v.visit_notes:
        doc.add_heading("اصلاحیه‌ها", 12)
        for note in v.visit_notes:
            doc.add_paragraph(f"{_date(note.at.date())} — {note.author}: {to_persian_digits(note.text)}")
    doc.add_flowable(CondPageBreak(160))
    doc.add_heading("امضاها", 12)
    inspectors = list(v.inspectors) or [""]
    signers = [("بازرس", name) for name in inspectors] + [("نماینده مرکز", "")]
    doc.add_flowable(Signatures(signers))
    doc.build(target)


# --- the centre's file --------------------------------------------------------------------------------


def build_centre_file(
    data: CentreFile, letterhead: Letterhead, printed_on: str, target: str | Path | IO[bytes]
) -> None:
    c = data.centre
    doc = ReportDocument(f"پرونده مرکز «{c.name}»", letterhead, printed_on)
    doc.add_heading("مشخصات", 12)
    doc.add_key_values(
        [
            ("نام مرکز", c.name),
            ("کد مرکز", _digits(c.code)),
            ("رده", c.category_name or DASH),
            ("شهرستان", c.county_name),
            ("دستگاه صدور مجوز", c.licensing_agency or DASH),
            ("شماره مجوز", _digits(c.licence_number)),
            ("بهره‌بردار", c.operator or DASH),
            ("تلفن", _digits(c.phone)),
            ("نشانی", to_persian_digits(c.address) if c.address else DASH),
            ("وضعیت", "فعال" if c.active else "غیرفعال"),
        ]
    )
    doc.add_heading(f"بازدیدها ({format_number(len(data.visits))})", 12)
    if data.visits:
        doc.add_table(
            [
                Column("تاریخ", 1.2, "center", True),
                Column("نوع", 1.0, "center"),
                Column("بازرسان", 3.2),
                Column("امتیاز", 0.8, "center", True),
                Column("نتیجه", 1.3, "center"),
                Column("یافته‌ها", 0.8, "center", True),
                Column("وضعیت", 0.8, "center"),
                Column("پیگیری", 0.9, "center"),
            ],
            [
                [
                    v.date_text,
                    v.kind_label,
                    v.inspectors or DASH,
                    format_number(v.score) if v.score is not None else DASH,
                    v.result_label,
                    format_number(v.finding_count),
                    STATE_LABELS.get(v.state, v.state),
                    "بازدید مجدد" if v.reinspection_of_id else "",
                ]
                for v in data.visits
            ],
        )
    else:
        doc.add_paragraph("بازدیدی ثبت نشده است.")
    doc.add_heading("یافته‌های باز", 12)
    if data.open_findings:
        doc.add_table(
            [
                Column("تاریخ بازدید", 1.2, "center", True),
                Column("یافته", 4.2),
                Column("شدت", 0.9, "center"),
                Column("اقدام اصلاحی و مهلت", 4.2),
            ],
            [
                [
                    format_jalali(f.inspected_on),
                    to_persian_digits(f.text),
                    f.severity_label,
                    "؛ ".join(
                        to_persian_digits(
                            f"{a.action} (مهلت {_date(a.deadline)}"
                            + (f"، انجام {_date(a.done_on)}" if a.done_on else "")
                            + ")"
                        )
                        for a in f.actions
                    )
                    or DASH,
                ]
                for f in data.open_findings
            ],
        )
    else:
        doc.add_paragraph("یافته بازی نمانده است.")
    doc.add_heading("ارجاع‌ها به دستگاه صدور مجوز", 12)
    if data.referrals:
        doc.add_table(
            [
                Column("تاریخ نامه", 1.2, "center", True),
                Column("شماره", 1.2, "center", True),
                Column("گیرنده", 2.2),
                Column("یافته", 3.4),
                Column("تاریخ بازدید", 1.2, "center", True),
                Column("انجام", 1.1, "center", True),
            ],
            [
                [
                    format_jalali(r.letter_dated_on),
                    _digits(r.letter_number),
                    r.party or DASH,
                    to_persian_digits(r.finding_text),
                    format_jalali(r.inspected_on),
                    _date(r.done_on),
                ]
                for r in data.referrals
            ],
        )
    else:
        doc.add_paragraph("ارجاعی ثبت نشده است.")
    doc.build(target)


# --- the blank checklist ------------------------------------------------------------------------------


class _FillIns(Flowable):
    """«label: ......» blanks, two to a row, right to left."""

    def __init__(self, labels: Sequence[str], size: float = 10.0):
        super().__init__()
        register_fonts()
        self.labels, self.size = list(labels), size
        self.row_h = size * 2.2
        self.spaceAfter = 6

    def wrap(self, availWidth, availHeight):
        self.width = availWidth
        self.height = ((len(self.labels) + 1) // 2) * self.row_h
        return availWidth, self.height

    def draw(self) -> None:
        canv = self.canv
        half = self.width / 2
        canv.setStrokeColor(colors.black)
        canv.setLineWidth(0.5)
        for n, label in enumerate(self.labels):
            row, col = divmod(n, 2)
            right = self.width - col * half
            base = self.height - (row + 1) * self.row_h + 6
            shaped = shape_line(f"{label}:")
            canv.setFont(FONT_BOLD, self.size)
            canv.drawRightString(right, base, shaped)
            canv.setDash(1, 2)
            canv.line(
                right - half + 14, base - 1, right - stringWidth(shaped, FONT_BOLD, self.size) - 4, base - 1
            )
            canv.setDash()


def build_checklist(
    data: ChecklistData, letterhead: Letterhead, printed_on: str, target: str | Path | IO[bytes]
) -> None:
    t = data.template
    doc = ReportDocument(f"چک‌لیست بازدید {t.category_name}", letterhead, printed_on)
    doc.add_paragraph(
        f"{t.title} — نسخه {to_persian_digits(t.version)}؛ حد قبولی {format_number(t.pass_score)}٪. "
        "پاسخ «خیر» به بند حیاتی، نتیجه بازدید را «تخلف جدی» می‌کند.",
        9,
    )
    doc.add_flowable(
        _FillIns(
            [
                "مرکز",
                "کد مرکز",
                "شهرستان",
                "تاریخ",
                "ساعت",
                "نوع بازدید (سرزده / اعلام‌شده)",
                "بازرسان",
                "نماینده مرکز",
            ]
        )
    )
    rows: list[str | _Item] = []
    for section, items in t.sections:
        rows.append(section)
        rows.extend(
            _Item(i.position, to_persian_digits(i.text), i.critical, i.answer_type, i.max_score)
            for i in items
        )
    doc.add_flowable(ChecklistForm(rows))
    doc.add_heading("یافته‌ها و اقدام‌های اصلاحی", 12)
    doc.add_flowable(_FillIns(["یافته", "مهلت اصلاح"] * 3))
    doc.add_flowable(CondPageBreak(160))
    doc.add_heading("امضاها", 12)
    doc.add_flowable(Signatures([("بازرس", ""), ("بازرس", ""), ("نماینده مرکز", "")]))
    doc.build(target)
