"""One line of print-time text as HarfBuzz glyphs: bidi runs, shaping, and the PDF operators that draw it.

:func:`shape` turns a logical line into a :class:`Shaped` string (a ReportLab ``ShapedStr``):

- **Runs.** The line's bidi levels (base direction right-to-left) come from python-bidi, or, for the
  common line of Persian words and plain numbers, from the same rules applied here directly. An
  isolated identifier (LRI…PDI, see :mod:`ostandari_desk.reports.persian`) is one left-to-right unit
  whose Persian letters only run right to left («ت-1404-1»).
- **Shaping.** Each level run is shaped by HarfBuzz from its logical text in its own direction
  (joining forms, the lam-alef and «الله» ligatures, GPOS mark positioning, mirrored brackets); the
  runs are laid out in visual order (UAX #9, L2).
- **Copying.** :mod:`ostandari_desk.reports.reading_order` decides the drawing order and what each
  glyph reads back as; ``fonts.PaperFont`` gives each (glyph, text) a code whose ToUnicode is that
  text.

``canvas.draw*String`` draws a :class:`Shaped` string through ReportLab's own ``ShapedStr`` path;
``document.PaperCanvas`` draws it faster with :func:`pdf_operators`, which also keeps marks drawn off
the baseline out of the copied text. HarfBuzz comes from ``uharfbuzz``; :data:`AVAILABLE` is False
without it.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

from bidi import get_display
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapeData, ShapedStr

from ostandari_desk.reports.fonts import register_fonts
from ostandari_desk.reports.reading_order import MARK, Placed, drawing_order

try:
    import uharfbuzz
except ImportError:  # pragma: no cover - the fallback is tested by switching persian.HARFBUZZ off
    uharfbuzz = None

__all__ = [
    "AVAILABLE",
    "BIDI_CONTROLS",
    "Shaped",
    "advance",
    "bidi_levels",
    "line_levels",
    "missing_glyphs",
    "pdf_operators",
    "shape",
    "shaped_for",
]

AVAILABLE = uharfbuzz is not None

ZWNJ = "\u200c"
LRI = "\u2066"
PDI = "\u2069"
#: Directional controls: marks, embeddings/overrides, isolates.  Never drawn as text.
BIDI_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROLS = frozenset(BIDI_CONTROLS)


# --- levels -------------------------------------------------------------------------------------------

# Classes the direct rules below handle; a line with any other (Latin, signs, embeddings) outside an
# isolate goes to python-bidi.
_DIRECT = frozenset(("R", "AL", "NSM", "WS", "ON", "EN", "AN", "BN", "CS"))
_NUMBER = frozenset(("EN", "AN"))
_LINE_WS = frozenset(("WS", "BN", "LRI", "RLI", "FSI", "PDI", "LRE", "RLE", "LRO", "RLO", "PDF"))
_bidi_classes: dict[str, str] = {}


def _classes(text: str) -> list[str]:
    out = []
    for ch in text:
        found = _bidi_classes.get(ch)
        if found is None:
            found = _bidi_classes[ch] = unicodedata.bidirectional(ch)
        out.append(found)
    return out


def bidi_levels(text: str) -> list[int] | None:
    """Resolved embedding levels per character by python-bidi (before rule L1), or None if unavailable.

    python-bidi 0.6 exposes the levels only through its debug dump of the Rust ``BidiInfo``
    (one level per UTF-8 byte).  A test pins this format.
    """
    dump = get_display(text, base_dir="R", debug=True)
    try:
        start = dump.index("\n    levels: [")
        end = dump.index("\n    paragraphs:", start)
    except ValueError:
        return None
    per_byte = [int(n) for n in re.findall(r"Level\(\s*(\d+)", dump[start:end])]
    levels: list[int] = []
    offset = 0
    for ch in text:
        if offset >= len(per_byte):
            return None
        levels.append(per_byte[offset])
        offset += len(ch.encode("utf-8"))
    return levels if offset == len(per_byte) else None


def _direct_levels(classes: list[str]) -> list[int] | None:
    """Levels of a right-to-left line of letters, neutrals and plain numbers, or None for other lines.

    Numbers (EN/AN, with a comma-like separator between two digits) go up to level 2 and everything
    else stays at 1 — what UAX #9 resolves for such a line (W2, W4, N1, I1); isolates are
    levelled by the caller.
    """
    levels = [1] * len(classes)
    depth = 0
    for i, kind in enumerate(classes):
        if kind == "LRI":
            depth += 1
        elif kind == "PDI" and depth:
            depth -= 1
        elif depth:
            continue
        elif kind in _NUMBER:
            levels[i] = 2
        elif kind == "CS":
            if 0 < i < len(classes) - 1 and classes[i - 1] in _NUMBER and classes[i + 1] in _NUMBER:
                levels[i] = 2
        elif kind == "NSM":
            levels[i] = levels[i - 1] if i else 1
        elif kind not in _DIRECT:
            return None
    return levels


def line_levels(text: str) -> list[int]:
    """Levels of one right-to-left line: bidi, identifiers as left-to-right units, then rule L1."""
    classes = _classes(text)
    levels = _direct_levels(classes)
    if levels is None:
        levels = bidi_levels(text) or [1] * len(text)
    depth, base = 0, 0
    for i, kind in enumerate(classes):  # LRI…PDI: the identifier's own letters only run right to left
        if kind == "LRI":
            depth, base = depth + 1, levels[i] + (1 if levels[i] % 2 else 2)
        elif kind == "PDI" and depth:
            depth -= 1
        elif depth:
            if kind in ("R", "AL") or (kind == "NSM" and i and classes[i - 1] in ("R", "AL")):
                levels[i] = base + 1
            else:
                levels[i] = base
    trailing = True
    for i in range(len(text) - 1, -1, -1):
        if classes[i] == "S":
            levels[i] = 1
            trailing = True
        elif trailing and classes[i] in _LINE_WS:
            levels[i] = 1
        else:
            trailing = False
    return levels


def _visual_runs(levels: list[int]) -> list[tuple[int, int, int]]:
    """(start, end, level) of each level run, in visual order left to right (rule L2)."""
    runs: list[tuple[int, int, int]] = []
    start = 0
    for i in range(1, len(levels) + 1):
        if i == len(levels) or levels[i] != levels[start]:
            runs.append((start, i, levels[start]))
            start = i
    if len(runs) < 2:
        return runs
    order = list(range(len(runs)))
    for level in range(max(r[2] for r in runs), 0, -1):
        i = 0
        while i < len(order):
            if runs[order[i]][2] >= level:
                j = i
                while j < len(order) and runs[order[j]][2] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    return [runs[k] for k in order]


# --- HarfBuzz -----------------------------------------------------------------------------------------

_hb_fonts: dict[str, tuple[object, float]] = {}
_hb_lock = threading.Lock()


def _hb_font(font: str) -> tuple[object, float]:
    """The HarfBuzz font for a registered font name, and its scale to thousandths of an em."""
    found = _hb_fonts.get(font)
    if found is None:
        with _hb_lock:
            found = _hb_fonts.get(font)
            if found is None:
                register_fonts()
                hb = uharfbuzz
                face = hb.Face(hb.Blob(pdfmetrics.getFont(font).face._ttf_data))
                found = _hb_fonts[font] = (hb.Font(face), 1000 / face.upem)
    return found


def _shape_run(text: str, start: int, end: int, rtl: bool, font: str, x: float, out: list[Placed]) -> float:
    """Append the glyphs of ``text[start:end]`` (the rest as context) in visual order from pen ``x``;
    return the pen after them. Each glyph gets the characters of its cluster (the first glyph of it)."""
    hb = uharfbuzz
    hbfont, scale = _hb_font(font)
    buf = hb.Buffer()
    buf.add_str(text, start, end - start)
    if rtl:
        buf.direction, buf.script, buf.language = "rtl", "Arab", "fa"
    else:
        buf.direction = "ltr"
        buf.guess_segment_properties()
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    buf.flags = hb.BufferFlags.PRESERVE_DEFAULT_IGNORABLES
    hb.shape(hbfont, buf)
    infos, positions = buf.glyph_infos, buf.glyph_positions
    first = len(out)
    for info, pos in zip(infos, positions):
        advance = pos.x_advance * scale
        out.append(Placed(info.codepoint, x, advance, pos.x_offset * scale, pos.y_offset * scale))
        x += advance
    run = out[first:]
    bound = end  # clusters fall along a right-to-left run and rise along a left-to-right one
    for g, info in zip(run if rtl else reversed(run), infos if rtl else reversed(infos)):
        if info.cluster < bound:
            g.chars = range(info.cluster, bound)
            bound = info.cluster
    return x


def _layout(text: str, font: str) -> tuple[str, list[Placed], list[int], float]:
    """(visible text, glyphs in visual order, level per visible character, line width)."""
    levels_all = line_levels(text) if text else []
    if _CONTROLS.isdisjoint(text):
        stripped, levels = text, levels_all
    else:
        visible = [i for i, ch in enumerate(text) if ch not in _CONTROLS]
        stripped = "".join(text[i] for i in visible)
        levels = [levels_all[i] for i in visible]
    placed: list[Placed] = []
    x = 0.0
    for start, end, level in _visual_runs(levels):
        x = _shape_run(stripped, start, end, bool(level % 2), font, x, placed)
    return stripped, placed, levels, x


def advance(text: str, font: str) -> float:
    """The shaped advance of one line of print-time text, in thousandths of the font size."""
    return _layout(text, font)[3]


def missing_glyphs(text: str, font: str) -> set[str]:
    """The characters of ``text`` that ``font`` draws as .notdef."""
    return {ch for ch in text if ch not in _CONTROLS and any(g.gid == 0 for g in _layout(ch, font)[1])}


# --- the shaped line and its operators ----------------------------------------------------------------


@dataclass(frozen=True)
class _Piece:
    """Consecutive glyphs of a shaped line drawn alike: one TJ, raised by ``rise``, maybe unread."""

    start: int
    end: int
    rise: float  # thousandths of the font size
    hidden: bool


class Shaped(ShapedStr):
    """A shaped line: glyph codes in drawing order with their positions, and the ``logical`` text.

    ``advance`` is its width in thousandths of the font size; ``before``, ``cuts`` and ``pieces`` are
    what :func:`pdf_operators` draws it with. Its glyph codes are ``font``'s: ``source`` (the
    print-time text) is kept to shape it again for another font.
    """

    logical: str
    source: str
    font: str
    advance: float
    before: tuple[str, ...]  # the TJ number before each glyph ("" for none)
    cuts: tuple[int, ...]  # the glyphs with a number before them
    pieces: tuple[_Piece, ...]


def shape(text: str, font: str, logical: str) -> Shaped:
    """``text`` (one line of print-time text) as a :class:`Shaped` string for ``font``."""
    stripped, placed, levels, width = _layout(text, font)
    drawn, texts, hidden = drawing_order(stripped, placed, levels, width)
    face_font = pdfmetrics.getFont(font)
    char_widths = face_font.face.charWidths
    chars: list[str] = []
    data: list[ShapeData] = []
    before: list[str] = []
    pieces: list[_Piece] = []
    piece_start, piece_rise, piece_hidden = 0, 0.0, False
    pen = 0.0
    at = 0.0  # where the previous glyph left the text position (its natural width after it)
    last = len(drawn) - 1
    for k, g in enumerate(drawn):
        if g.gid == MARK:
            char = g.mark
        elif g in hidden:
            char = face_font.hidden_char(g.gid)
        else:
            char = face_font.glyph_char(g.gid, texts.get(g) or ZWNJ)
        natural = char_widths.get(ord(char), 0.0)
        target = g.x + g.x_offset
        next_pen = drawn[k + 1].x if k < last else width
        chars.append(char)
        data.append(ShapeData(k, next_pen - pen, 0, target - pen, g.y_offset, natural))
        shift = at - target
        before.append(fp_str(shift) if abs(shift) > 0.005 else "")
        at, pen = target + natural, next_pen
        is_hidden = g in hidden
        if k and (g.y_offset != piece_rise or is_hidden != piece_hidden):
            pieces.append(_Piece(piece_start, k, piece_rise, piece_hidden))
            piece_start = k
        piece_rise, piece_hidden = g.y_offset, is_hidden
    if drawn:
        pieces.append(_Piece(piece_start, len(drawn), piece_rise, piece_hidden))
    shaped = Shaped("".join(chars), shapeData=data)
    shaped.logical, shaped.source, shaped.font = logical, text, font
    shaped.advance = width
    shaped.before = tuple(before)
    shaped.cuts = tuple(k for k, number in enumerate(before) if number)
    shaped.pieces = tuple(pieces)
    if len(_by_text) > _REMEMBERED:
        _by_text.clear()
    _by_text.setdefault(str(shaped), {})[font] = shaped
    return shaped


_by_text: dict[str, dict[str, Shaped]] = {}
_REMEMBERED = 50_000


def shaped_for(text: str, font: str) -> Shaped | None:
    """The shaped line drawn as ``text``: a plain copy of a :class:`Shaped` string (ReportLab's chart
    labels split and copy their strings) gets its positions back. Glyph codes are unique to a font,
    so a copy names one line; a line of digits alone may have been shaped for another font."""
    fonts = _by_text.get(text)
    if not fonts:
        return None
    return fonts.get(font) or next(iter(fonts.values()))


#: Marked content whose text is nothing: both poppler and PDFium skip what it holds.
_UNREAD = "/Span <</ActualText <FEFF0000>>> BDC"


def pdf_operators(shaped: Shaped, font: str, size: float, doc, escape) -> str:
    """The operators that draw ``shaped`` inside a text object (between «BT … Tm» and «ET»).

    What ReportLab's ``ShapedStr`` path draws, without its per-glyph bookkeeping: one TJ per piece,
    numbers only where a glyph is not where the previous one left the text position, and raised
    marks inside an unread span (their letters read with a neighbour). Glyph codes are ``doc``'s.
    """
    face_font = pdfmetrics.getFont(font)
    chunks = face_font.splitString(shaped, doc)
    before, pieces, cuts = shaped.before, shaped.pieces, shaped.cuts
    size_text = fp_str(size)
    if len(chunks) == 1 and len(pieces) == 1 and not cuts and not pieces[0].rise:
        subset, data = chunks[0]
        shown = f"[{before[0]} ({escape(data)})] TJ" if before[0] else f"({escape(data)}) Tj"
        return f"{face_font.getSubsetInternalName(subset, doc)} {size_text} Tf {shown}"
    code = []
    piece = cut = k = 0
    for subset, data in chunks:
        code.append(f"{face_font.getSubsetInternalName(subset, doc)} {size_text} Tf")
        base, end = k, k + len(data)
        while k < end:
            p = pieces[piece]
            stop = min(p.end, end)
            # a TJ starts at its first glyph (PDFium orders a line's TJs by where they start): the
            # move to it ends the TJ before, except for the line's first
            parts = [before[k]] if before[k] and k == 0 else []
            run = k
            while cut < len(cuts) and cuts[cut] <= k:
                cut += 1
            while cut < len(cuts) and cuts[cut] < stop:
                i = cuts[cut]
                parts.append(f"({escape(data[run - base : i - base])})")
                parts.append(before[i])
                run = i
                cut += 1
            parts.append(f"({escape(data[run - base : stop - base])})")
            if stop < len(before) and before[stop]:
                parts.append(before[stop])
            shown = f"[{' '.join(parts)}] TJ"
            if p.rise:
                shown = f"{fp_str(p.rise * size / 1000)} Ts {shown} 0 Ts"
            if p.hidden:
                shown = f"{_UNREAD} {shown} EMC"
            code.append(shown)
            k = stop
            if k == p.end:
                piece += 1
    return " ".join(code)
