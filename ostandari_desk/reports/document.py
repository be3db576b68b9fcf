"""A4 report documents: letterhead, title, print date and «صفحه x از y» on every page; RTL flowables.

All Persian text is wrapped and shaped by :mod:`ostandari_desk.reports.persian` and drawn as
ready strings; no ReportLab ``Paragraph`` ever re-wraps reordered text. Pages are drawn on a
:class:`PaperCanvas`, which draws shaped lines with their own text operators.

Example::

    doc = ReportDocument("گزارش ماهانه", Letterhead("اداره کل امور اجتماعی"), printed_on="۱۴۰۵/۰۹/۰۲")
    doc.add_table([Column("نام", 3), Column("تعداد", 1, align="left", numeric=True)], rows)
    doc.build("report.pdf")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.pagesizes import landscape as to_landscape
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Spacer

from ostandari_desk.domain.text import to_persian_digits
from ostandari_desk.reports.fonts import FONT, FONT_BOLD, register_fonts
from ostandari_desk.reports.glyphs import Shaped, pdf_operators, shaped_for
from ostandari_desk.reports.persian import shape_line, shaped_lines, wrap
from ostandari_desk.services import files

__all__ = ["Column", "KeyValues", "Letterhead", "PaperCanvas", "ReportDocument", "RtlLines", "RtlTable"]

MARGIN = 1.5 * cm
HEADER_HEIGHT = 2.0 * cm
FOOTER_HEIGHT = 0.9 * cm
BODY_SIZE = 10.0
LEADING = 1.45
PAD = 3.0
GRID = colors.HexColor("#b0b7c0")
_ALIASES = "\U000f0000"  # glyph codes of shaped lines (fonts.PaperFont) start here
HEADER_BG = colors.HexColor("#dde4ec")
ZEBRA_BG = colors.HexColor("#f4f6f8")
TOTALS_BG = colors.HexColor("#e8ecf0")


@dataclass(frozen=True)
class Letterhead:
    """What heads every page: the office name and, optionally, its logo (any image ReportLab reads)."""

    office_name: str
    logo_path: str | None = None


@dataclass(frozen=True)
class Column:
    """A table column.

    ``width`` is a relative weight.  ``align`` is "right" (text), "left" or "center" (use one of
    the latter consistently for numbers).  ``numeric`` cells are never broken at spaces, so an
    amount like «۱۲٬۰۰۰ ریال» stays on one line unless it is wider than the column.
    """

    title: str
    width: float
    align: str = "right"
    numeric: bool = False


def _draw(canv: rl_canvas.Canvas, align: str, x0: float, x1: float, y: float, text: str) -> None:
    """Draw a shaped string inside [x0, x1] with the given alignment."""
    if align == "left":
        canv.drawString(x0, y, text)
    elif align == "center":
        canv.drawCentredString((x0 + x1) / 2, y, text)
    else:
        canv.drawRightString(x1, y, text)


class RtlLines(Flowable):
    """Right-aligned Persian text wrapped at the frame width; splits between lines."""

    def __init__(
        self,
        text: str,
        font: str = FONT,
        size: float = BODY_SIZE,
        *,
        align: str = "right",
        space_before: float = 0,
        space_after: float = 4,
        lines: list[str] | None = None,
    ):
        super().__init__()
        register_fonts()
        self.text, self.font, self.size, self.align = text, font, size, align
        self.leading = size * LEADING
        self.spaceBefore, self.spaceAfter = space_before, space_after
        self._fixed = lines
        self._lines: list[str] = lines or []

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._fixed is None:
            self._lines = shaped_lines(self.text, self.font, self.size, availWidth)
        self.width = availWidth
        return availWidth, len(self._lines) * self.leading

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        fit = int(availHeight // self.leading)
        if fit <= 0 or fit >= len(self._lines):
            return []
        kw = {"align": self.align, "space_before": self.spaceBefore, "space_after": self.spaceAfter}
        return [
            RtlLines(self.text, self.font, self.size, **{**kw, "space_after": 0}, lines=self._lines[:fit]),
            RtlLines(self.text, self.font, self.size, **{**kw, "space_before": 0}, lines=self._lines[fit:]),
        ]

    def draw(self) -> None:
        self.canv.setFont(self.font, self.size)
        y = len(self._lines) * self.leading - self.size
        for line in self._lines:
            _draw(self.canv, self.align, 0, self.width, y, line)
            y -= self.leading


class KeyValues(Flowable):
    """«label: value» rows, labels in bold on the right, values wrapped to their left."""

    def __init__(self, pairs: Sequence[tuple[str, str]], size: float = BODY_SIZE):
        super().__init__()
        register_fonts()
        self.pairs, self.size, self.leading = list(pairs), size, size * LEADING
        self.spaceAfter = 6
        self._rows: list[tuple[str, list[str]]] = []
        self._label_w = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        labels = [shape_line(f"{k}:", FONT_BOLD) for k, _ in self.pairs]
        widest = max((stringWidth(s, FONT_BOLD, self.size) for s in labels), default=0)
        self._label_w = min(widest + 8, availWidth * 0.4)
        value_w = availWidth - self._label_w
        self._rows = [
            (label, shaped_lines(v, FONT, self.size, value_w) or [""])
            for label, (_, v) in zip(labels, self.pairs)
        ]
        self.width = availWidth
        return availWidth, sum(len(v) for _, v in self._rows) * self.leading

    def draw(self) -> None:
        canv = self.canv
        y = sum(len(v) for _, v in self._rows) * self.leading - self.size
        for label, values in self._rows:
            canv.setFont(FONT_BOLD, self.size)
            canv.drawRightString(self.width, y, label)
            canv.setFont(FONT, self.size)
            for line in values:
                canv.drawRightString(self.width - self._label_w, y, line)
                y -= self.leading


@dataclass(frozen=True)
class _Spec:
    texts: tuple[str, ...]
    font: str
    background: colors.Color | None
    header: bool = False


@dataclass
class _Row:
    cells: list[list[str]]  # shaped lines per logical column
    height: float
    spec: _Spec


class RtlTable(Flowable):
    """A right-to-left table drawn from pre-shaped strings; repeats its header on every page.

    The first logical column is on the right.  Cell text is wrapped by :func:`persian.wrap` at the
    real column width.  Splits between rows; the totals row (bold) ends the last part.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[str]],
        totals: Sequence[str] | None = None,
        size: float = 9.0,
    ):
        super().__init__()
        register_fonts()
        if any(len(r) != len(columns) for r in rows) or (totals is not None and len(totals) != len(columns)):
            raise ValueError("every row and the totals must have one cell per column")
        self.columns = list(columns)
        self.size, self.leading = size, size * LEADING
        self.spaceBefore, self.spaceAfter = 4, 8
        self._head = _Spec(tuple(c.title for c in self.columns), FONT_BOLD, HEADER_BG, header=True)
        self._specs = [_Spec(tuple(r), FONT, ZEBRA_BG if i % 2 else None) for i, r in enumerate(rows)]
        if totals is not None:
            self._specs.append(_Spec(tuple(totals), FONT_BOLD, TOTALS_BG))
        self._layout_width: float | None = None
        self._widths: list[float] = []
        self._header: _Row | None = None
        self._body: list[_Row] = []

    def _make_row(self, spec: _Spec) -> _Row:
        cells = []
        for text, col, width in zip(spec.texts, self.columns, self._widths):
            inner = max(width - 2 * PAD, 1.0)
            if col.numeric and not spec.header and _fits(text, spec.font, self.size, inner):
                logical = [text]
            else:
                logical = wrap(text, spec.font, self.size, inner)
            cells.append([shape_line(line, spec.font) for line in logical])
        lines = max((len(c) for c in cells), default=1) or 1
        return _Row(cells, lines * self.leading + 2 * PAD, spec)

    def _layout(self, width: float) -> None:
        if self._layout_width == width:
            return
        total = sum(c.width for c in self.columns)
        self._widths = [width * c.width / total for c in self.columns]
        self._header = self._make_row(self._head)
        self._body = [self._make_row(spec) for spec in self._specs]
        self._layout_width = width

    def _child(self, body: list[_Row]) -> RtlTable:
        part = RtlTable.__new__(RtlTable)
        Flowable.__init__(part)
        for name in (
            "columns",
            "size",
            "leading",
            "spaceBefore",
            "spaceAfter",
            "_head",
            "_layout_width",
            "_widths",
            "_header",
        ):
            setattr(part, name, getattr(self, name))
        part._body = body
        part._specs = [row.spec for row in body]
        return part

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._layout(availWidth)
        assert self._header is not None
        self.width = availWidth
        self.height = self._header.height + sum(r.height for r in self._body)
        return availWidth, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        assert self._header is not None
        room, fit = availHeight - self._header.height, 0
        for row in self._body:
            if row.height > room:
                break
            room -= row.height
            fit += 1
        if fit == 0 or fit == len(self._body):
            return []
        return [self._child(self._body[:fit]), self._child(self._body[fit:])]

    def draw(self) -> None:
        assert self._header is not None
        canv = self.canv
        edges = [self.width]
        for w in self._widths:  # logical column i spans [edges[i + 1], edges[i]], right to left
            edges.append(edges[-1] - w)
        y = self.height
        canv.setStrokeColor(GRID)
        canv.setLineWidth(0.4)
        for row in [self._header, *self._body]:
            if row.spec.background is not None:
                canv.setFillColor(row.spec.background)
                canv.rect(0, y - row.height, self.width, row.height, stroke=0, fill=1)
            canv.setFillColor(colors.black)
            canv.setFont(row.spec.font, self.size)
            header = row is self._header
            for i, (lines, col) in enumerate(zip(row.cells, self.columns)):
                align = "center" if header else col.align
                base = y - PAD - self.size
                for line in lines:
                    _draw(canv, align, edges[i + 1] + PAD, edges[i] - PAD, base, line)
                    base -= self.leading
            y -= row.height
            canv.line(0, y, self.width, y)
        canv.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        for x in edges[1:-1]:
            canv.line(x, 0, x, self.height)


def _fits(text: str, font: str, size: float, width: float) -> bool:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(shape_line(text, font), font, size) <= width


class ReportDocument:
    """Collects flowables and builds the PDF with letterhead, title, print date and page numbers."""

    def __init__(self, title: str, letterhead: Letterhead, printed_on: str, *, landscape: bool = False):
        register_fonts()
        self.title, self.letterhead, self.printed_on = title, letterhead, printed_on
        self.pagesize = to_landscape(A4) if landscape else A4
        self.story: list[Flowable] = []

    def add_heading(self, text: str, size: float = 13.0) -> None:
        self.story.append(RtlLines(text, FONT_BOLD, size, space_before=6, space_after=4))

    def add_paragraph(self, text: str, size: float = BODY_SIZE) -> None:
        self.story.append(RtlLines(text, FONT, size))

    def add_table(
        self, columns: Sequence[Column], rows: Sequence[Sequence[str]], totals: Sequence[str] | None = None
    ) -> None:
        self.story.append(RtlTable(columns, rows, totals))

    def add_key_values(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.story.append(KeyValues(pairs))

    def add_spacer(self, height: float) -> None:
        self.story.append(Spacer(1, height))

    def add_flowable(self, flowable: Flowable) -> None:
        """Any ReportLab flowable, e.g. a ``reportlab.graphics.shapes.Drawing`` chart."""
        self.story.append(flowable)

    def build(self, target: str | Path | IO[bytes]) -> None:
        """Write the PDF to a path or a binary file object.

        A path is written atomically (``services.files.atomic_path``): a temporary file beside it,
        fsynced and renamed, so a failure half-way leaves the old PDF or none, never a cut-off one.
        """
        if isinstance(target, (str, Path)):
            with files.atomic_path(Path(target)) as temp:
                self._build_to(str(temp))
            return
        self._build_to(target)

    def _build_to(self, target: str | IO[bytes]) -> None:
        width, height = self.pagesize
        top = MARGIN + self._head().header_height(self.title, self.printed_on, width - 2 * MARGIN) + 0.2 * cm
        bottom = MARGIN + FOOTER_HEIGHT
        frame = Frame(
            MARGIN,
            bottom,
            width - 2 * MARGIN,
            height - top - bottom,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="body",
        )
        doc = BaseDocTemplate(
            target,
            pagesize=self.pagesize,
            title=self.title,
            author=self.letterhead.office_name,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=top,
            bottomMargin=bottom,
        )
        doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
        doc.build(list(self.story), canvasmaker=_numbered_canvas(self._draw_furniture))

    def _head(self):  # -> reports.letterhead.OfficialLetterhead
        """The official letterhead (emblem, «بسمه تعالی», office, شماره/تاریخ/پیوست, wrapped title)."""
        from ostandari_desk.reports.letterhead import official  # that module imports this one

        return official(self.letterhead)

    def _draw_furniture(self, canv: rl_canvas.Canvas, page: int, pages: int) -> None:
        width, height = self.pagesize
        right, top = width - MARGIN, height - MARGIN
        self._head().draw_header(canv, self.title, self.printed_on, MARGIN, right, top)
        canv.setFillColor(colors.black)
        canv.setStrokeColor(GRID)
        canv.setLineWidth(0.6)
        canv.line(
            MARGIN, MARGIN + FOOTER_HEIGHT - 0.3 * cm, width - MARGIN, MARGIN + FOOTER_HEIGHT - 0.3 * cm
        )
        canv.setFont(FONT, 9)
        footer = f"صفحه {to_persian_digits(page)} از {to_persian_digits(pages)}"
        canv.drawCentredString(width / 2, MARGIN, shape_line(footer))


class PaperCanvas(rl_canvas.Canvas):
    """A canvas that draws shaped lines (:class:`~ostandari_desk.reports.glyphs.Shaped`) itself.

    ``drawString``, ``drawRightString`` and ``drawCentredString`` of a shaped line write its text
    object directly (:func:`~ostandari_desk.reports.glyphs.pdf_operators`): marks off the baseline
    stay out of the copied text, and a table of thousands of cells draws as fast as plain strings.
    A line shaped for another font than the current one is shaped again for it.
    """

    def _draw_shaped(self, x: float, y: float, text: Shaped, anchor: float) -> None:
        font, size = self._fontname, self._fontsize
        if text.font != font:
            text = shape_line(text.source, font)  # type: ignore[assignment]
        bodies = self.__dict__.setdefault("_shaped_bodies", {})
        key = (font, size, text)
        body = bodies.get(key)
        if body is None:
            body = bodies[key] = pdf_operators(text, font, size, self._doc, self._escape)
        x -= anchor * text.advance * size / 1000
        self._code.append(f"BT 1 0 0 {'1' if self.bottomup else '-1'} {fp_str(x, y)} Tm {body} ET")

    def _shaped(self, text: str, mode, char_space, word_space) -> Shaped | None:
        """``text`` as a shaped line this canvas draws itself, or None for ReportLab to draw."""
        if mode or char_space or word_space or not text:
            return None
        if isinstance(text, Shaped):
            return text
        return shaped_for(text, self._fontname) if max(text) >= _ALIASES else None

    def drawString(self, x, y, text, mode=None, charSpace=0, direction=None, wordSpace=None, shaping=False):
        shaped = self._shaped(text, mode, charSpace, wordSpace)
        if shaped is not None:
            self._draw_shaped(x, y, shaped, 0.0)
        else:
            super().drawString(x, y, text, mode, charSpace, direction, wordSpace, shaping)

    def drawRightString(
        self, x, y, text, mode=None, charSpace=0, direction=None, wordSpace=None, shaping=False
    ):
        shaped = self._shaped(text, mode, charSpace, wordSpace)
        if shaped is not None:
            self._draw_shaped(x, y, shaped, 1.0)
        else:
            super().drawRightString(x, y, text, mode, charSpace, direction, wordSpace, shaping)

    def drawCentredString(
        self, x, y, text, mode=None, charSpace=0, direction=None, wordSpace=None, shaping=False
    ):
        shaped = self._shaped(text, mode, charSpace, wordSpace)
        if shaped is not None:
            self._draw_shaped(x, y, shaped, 0.5)
        else:
            super().drawCentredString(x, y, text, mode, charSpace, direction, wordSpace, shaping)


def _numbered_canvas(furniture: Callable[[rl_canvas.Canvas, int, int], None]) -> type[rl_canvas.Canvas]:
    """A canvas class that holds pages back until the end, so every page knows the page count."""

    class NumberedCanvas(PaperCanvas):
        def __init__(self, *args: object, **kwargs: object):
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self._pages: list[dict] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                furniture(self, number, len(self._pages))
                super().showPage()
            super().save()

    return NumberedCanvas
