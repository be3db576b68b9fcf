"""One line of print-time text as HarfBuzz glyphs that draw right and copy as the typed text.

:func:`shape` turns a logical line into a :class:`Shaped` string (a ReportLab ``ShapedStr``) that any
``canvas.draw*String`` draws glyph by glyph:

- **Runs.** python-bidi resolves the line's embedding levels (base direction right-to-left); an
  isolated identifier (LRI…PDI, see :mod:`ostandari_desk.reports.persian`) is one left-to-right unit
  whose Persian letters only are right-to-left («ت-1404-1»). Each level run is shaped by HarfBuzz from
  its logical text in its own direction (joining forms, ligatures, GPOS marks, mirrored brackets) and
  the runs are laid out in visual order (UAX #9, L2).
- **Text that copies.** Each glyph is drawn with a code whose ToUnicode text is the logical text it
  came from (``fonts.PaperFont.glyph_char``). PDF readers do not run the Unicode bidi algorithm: they
  take a line's characters in an order of their own and reverse its right-to-left parts with a crude
  rule of their own. Poppler (pdftotext, Evince) orders the characters by position and treats a
  neutral as part of the run on its right; PDFium (Chrome, pypdfium2) takes them in drawing order,
  mirrors brackets it reverses, and reads a line right to left only when it counts more
  right-to-left than left-to-right segments. So the line is drawn in the order PDFium undoes into the
  logical text (:func:`_reader_order`), each glyph at its visual position, and zero-width LRM/RLM
  marks tell both readers where the runs end: around every left-to-right run, around every bracket
  of a right-to-left run (whose glyph is mirrored but reads as the bracket that was typed), after
  every number sign or separator inside right-to-left text, and at the line's ends when PDFium would
  otherwise read it left to right. Bidi controls are invisible and a copy keeps them harmlessly.

HarfBuzz comes from ``uharfbuzz``; :data:`AVAILABLE` is False without it.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field

from bidi import get_display
from bidi.mirror import MIRRORED
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapeData, ShapedStr

from ostandari_desk.reports.fonts import register_fonts

try:
    import uharfbuzz
except ImportError:  # pragma: no cover - the fallback is tested by switching persian.HARFBUZZ off
    uharfbuzz = None

__all__ = [
    "AVAILABLE",
    "BIDI_CONTROLS",
    "Shaped",
    "advance",
    "line_levels",
    "missing_glyphs",
    "pdf_operators",
    "shape",
]

AVAILABLE = uharfbuzz is not None

ZWNJ = "\u200c"
LRM = "\u200e"
RLM = "\u200f"
LRI = "\u2066"
PDI = "\u2069"
#: Directional controls: marks, embeddings/overrides, isolates.  Never drawn as text.
BIDI_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

#: How far (thousandths of an em) a mark sits outside the glyph it bounds, so readers sort it right.
_EPS = 0.0


# --- levels -------------------------------------------------------------------------------------------

_NEEDS_BIDI = frozenset(("L", "EN", "AN", "LRE", "LRO", "LRI", "RLI", "FSI", "PDI", "RLE", "RLO"))
_LINE_WS = frozenset(("WS", "BN", "LRI", "RLI", "FSI", "PDI", "LRE", "RLE", "LRO", "RLO", "PDF"))


def bidi_levels(text: str) -> list[int] | None:
    """Resolved embedding levels per character (before rule L1), or None if unavailable.

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


def line_levels(text: str) -> list[int]:
    """Levels of one right-to-left line: bidi, identifiers as left-to-right units, then rule L1."""
    classes = [unicodedata.bidirectional(ch) for ch in text]
    if _NEEDS_BIDI.isdisjoint(classes):
        return [1] * len(text)  # right-to-left letters and neutrals only: one run
    levels = bidi_levels(text) or [1] * len(text)
    depth, base = 0, 0
    for i, ch in enumerate(text):  # LRI…PDI: the identifier's own letters only run right to left
        if ch == LRI:
            depth, base = depth + 1, levels[i] + (1 if levels[i] % 2 else 2)
        elif ch == PDI and depth:
            depth -= 1
        elif depth:
            levels[i] = base + 1 if classes[i] in ("R", "AL") else base
            if classes[i] == "NSM" and i and classes[i - 1] in ("R", "AL"):
                levels[i] = base + 1
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
    order = list(range(len(runs)))
    for level in range(max((r[2] for r in runs), default=1), 0, -1):
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

_hb_fonts: dict[str, object] = {}
_hb_lock = threading.Lock()


def _hb_font(font: str):
    found = _hb_fonts.get(font)
    if found is None:
        with _hb_lock:
            found = _hb_fonts.get(font)
            if found is None:
                register_fonts()
                data = pdfmetrics.getFont(font).face._ttf_data
                found = _hb_fonts[font] = uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob(data)))
    return found


@dataclass(eq=False)
class _Glyph:
    """A glyph laid out on the line (thousandths of an em), or a zero-width mark (``gid`` -1)."""

    gid: int
    x: float  # the pen position in the visual layout
    advance: float
    x_offset: float = 0.0
    y_offset: float = 0.0
    chars: list[int] = field(default_factory=list)  # the logical characters it reads back as
    mark: str = ""  # LRM or RLM for a mark


def _shape_run(text: str, start: int, end: int, rtl: bool, font: str, x: float) -> list[_Glyph]:
    """HarfBuzz glyphs of ``text[start:end]`` (the rest as context), in visual order from pen ``x``."""
    hb = uharfbuzz
    buf = hb.Buffer()
    buf.add_str(text, start, end - start)
    buf.direction = "rtl" if rtl else "ltr"
    if rtl:
        buf.script = "Arab"
        buf.language = "fa"
    buf.guess_segment_properties()
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    buf.flags = hb.BufferFlags.PRESERVE_DEFAULT_IGNORABLES
    hbfont = _hb_font(font)
    hb.shape(hbfont, buf)
    scale = 1000 / hbfont.face.upem
    infos, positions = buf.glyph_infos, buf.glyph_positions
    bounds = sorted({info.cluster for info in infos} | {end})
    after = {c: bounds[i + 1] for i, c in enumerate(bounds[:-1])}
    glyphs = []
    for info, pos in zip(infos, positions):
        advance = pos.x_advance * scale
        glyphs.append(_Glyph(info.codepoint, x, advance, pos.x_offset * scale, pos.y_offset * scale))
        x += advance
    owned: set[int] = set()
    for g, info in sorted(zip(glyphs, infos), key=lambda p: (p[1].cluster, p[0].x if not rtl else -p[0].x)):
        if info.cluster not in owned:  # the first glyph of a cluster reads as the cluster's text
            owned.add(info.cluster)
            g.chars = list(range(info.cluster, after[info.cluster]))
    return glyphs


# --- what PDF readers make of a line ------------------------------------------------------------------

# PDFium's classes: L strong left, W weak (numbers, separators, marks, ZWNJ), R right, N neutral.
_PDFIUM = {"L": "L", "R": "R", "AL": "R", **dict.fromkeys(("AN", "EN", "NSM", "CS", "ES", "ET", "BN"), "W")}
# Poppler reads numbers and their separators and signs as left-to-right.
_POPPLER_LTR = frozenset(("L", "EN", "AN", "CS", "ES", "ET"))


def _pdfium_class(ch: str) -> str:
    return _PDFIUM.get(unicodedata.bidirectional(ch), "N")


def _reader_order(atoms: list[str]) -> list[int]:
    """The drawing order of ``atoms`` (one character each, logical order) that PDFium reads back as them.

    PDFium cuts a line into segments of one class and, reading right to left, takes the segments
    last to first, reversing (and mirroring) the right-to-left ones and neutral ones that follow
    right-to-left text; this is the inverse.
    """
    segments: list[tuple[int, int, str]] = []
    for i, ch in enumerate(atoms):
        kind = _pdfium_class(ch)
        if segments and segments[-1][2] == kind:
            segments[-1] = (segments[-1][0], i + 1, kind)
        else:
            segments.append((i, i + 1, kind))
    current = "R"
    drawn: list[list[int]] = []
    for start, end, kind in segments:
        if kind == "R" or (kind == "N" and current == "R"):
            current = "R"
            drawn.append(list(range(end - 1, start - 1, -1)))
        else:
            if kind != "W":
                current = "L"
            drawn.append(list(range(start, end)))
    return [i for part in reversed(drawn) for i in part]


def _segment_balance(atoms: list[str]) -> int:
    """PDFium's right-to-left segments minus its left-to-right ones (it needs > 0 to read RTL)."""
    balance, last = 0, ""
    for ch in atoms:
        kind = _pdfium_class(ch)
        if kind != last:
            balance += (kind == "R") - (kind == "L")
            last = kind
    return balance


# --- the line -----------------------------------------------------------------------------------------


class Shaped(ShapedStr):
    """A shaped line: glyph codes in drawing order with their positions, and the ``logical`` text.

    ``advance`` is its width in thousandths of the font size; ``before``, ``pieces`` and ``cuts`` are
    what :func:`pdf_operators` draws it with. Its glyph codes are ``font``'s: ``source`` (the
    print-time text) is kept to shape it again for another font.
    """

    logical: str
    source: str
    font: str
    advance: float
    before: tuple[str, ...]
    pieces: tuple[_Piece, ...]
    cuts: tuple[int, ...]


def _layout(text: str, font: str) -> tuple[str, list[_Glyph], list[int], float]:
    """(visible text, glyphs in visual order, level per visible character, line width)."""
    levels_all = line_levels(text) if text else []
    visible = [i for i, ch in enumerate(text) if ch not in BIDI_CONTROLS]
    stripped = "".join(text[i] for i in visible)
    levels = [levels_all[i] for i in visible]
    glyphs: list[_Glyph] = []
    x = 0.0
    for start, end, level in _visual_runs(levels):
        run = _shape_run(stripped, start, end, bool(level % 2), font, x)
        glyphs.extend(run)
        x = run[-1].x + run[-1].advance if run else x
    return stripped, glyphs, levels, x


def advance(text: str, font: str) -> float:
    """The shaped advance of one line of print-time text, in thousandths of the font size."""
    return _layout(text, font)[3]


def _with_marks(
    stripped: str, glyphs: list[_Glyph], levels: list[int], width: float
) -> tuple[list[tuple[str, _Glyph | None]], list[tuple[_Glyph, ...]]]:
    """The line in logical order as atoms (character, owner): a glyph's characters, and the marks;
    and the glyphs of each left-to-right run, its RLM first."""
    owner: dict[int, _Glyph] = {}
    for g in glyphs:
        for i in g.chars:
            owner[i] = g
    atoms: list[tuple[str, _Glyph | None]] = []
    ltr_runs: list[tuple[_Glyph, ...]] = []

    def mark(char: str, x: float) -> _Glyph:
        made = _Glyph(-1, x, 0.0, mark=char)
        atoms.append((char, made))
        return made

    n = len(stripped)
    i = 0
    while i < n:
        if levels[i] % 2 == 0:  # a left-to-right run: LRM on its right, RLM on its left
            j = i
            while j < n and levels[j] % 2 == 0:
                j += 1
            run = [owner[k] for k in range(i, j) if k in owner]
            left = min(g.x for g in run) if run else 0.0
            right = max(g.x + g.advance for g in run) if run else 0.0
            if unicodedata.bidirectional(stripped[j - 1]) not in _POPPLER_LTR:
                mark(LRM, right + _EPS)
            atoms.extend((stripped[k], owner.get(k)) for k in range(i, j))
            ltr_runs.append((mark(RLM, left - _EPS), *dict.fromkeys(run)))
            i = j
            continue
        ch, g = stripped[i], owner.get(i)
        if ch in MIRRORED and g is not None:  # a bracket: reads as typed, kept from PDFium's mirroring
            mark(LRM, g.x + g.advance + _EPS)
            atoms.append((ch, g))
            mark(RLM, g.x - _EPS)
        else:
            atoms.append((ch, g))
            if g is not None and unicodedata.bidirectional(ch) in ("CS", "ES", "ET", "AN", "EN"):
                mark(RLM, g.x - _EPS)  # poppler would read a sign or separator left to right
        i += 1
    chars = [a[0] for a in atoms]
    if _segment_balance(chars) <= 0 and chars and _pdfium_class(chars[0]) != "R":
        atoms.insert(0, (RLM, _Glyph(-1, width + _EPS, 0.0, mark=RLM)))
        chars.insert(0, RLM)
    if _segment_balance(chars) <= 0 and chars and _pdfium_class(chars[-1]) != "R":
        mark(RLM, -_EPS)
    return atoms, ltr_runs


def _drawing_order(
    atoms: list[tuple[str, _Glyph | None]], ltr_runs: list[tuple[_Glyph, ...]]
) -> tuple[list[_Glyph], dict[_Glyph, str]]:
    """The glyphs in the order they are drawn, and what each one reads back as.

    Left to right on the line (poppler reads positions), ties in PDFium's reading order; then each
    left-to-right run of several PDFium segments («45-B», «NGO Office») is drawn segment by
    segment from its right end, so that PDFium, which takes a line's segments last to first, reads
    them in order (its RLM stays just before its first segment, where poppler needs it).
    """
    order = _reader_order([a[0] for a in atoms])
    rank: dict[_Glyph, int] = {}
    texts: dict[_Glyph, list[str]] = {}
    for k in order:
        char, g = atoms[k]
        if g is None:
            continue
        if g not in texts:
            rank[g], texts[g] = len(rank), []
        texts[g].append(char)
    drawn = sorted(texts, key=lambda g: (g.x, rank[g]))
    for rlm, *run in ltr_runs:
        segments: list[list[_Glyph]] = []
        last = ""
        for g in run:
            kind = _pdfium_class(("".join(texts.get(g, ())) or " ")[0])
            if not segments or kind != last or any(ch in MIRRORED for ch in texts.get(g, ())):
                segments.append([])
            segments[-1].append(g)
            last = kind
        if len(segments) < 2 or any(ch in MIRRORED for g in run for ch in texts.get(g, ())):
            continue
        start = drawn.index(rlm)
        end = start + 1 + len(run)
        tail = [g for g in drawn[end : end + 1] if g.gid < 0 and g.mark == LRM and g.x >= run[-1].x]
        reordered = segments[-1] + tail
        for segment in reversed(segments[1:-1]):
            reordered.extend(segment)
        reordered.append(rlm)
        reordered.extend(segments[0])
        drawn[start : end + len(tail)] = reordered
    return drawn, {g: "".join(chars) for g, chars in texts.items()}


def _hide_raised(drawn: list[_Glyph], texts: dict[_Glyph, str]) -> set[_Glyph]:
    """Marks drawn above or below the line (GPOS): hidden from readers, their text moved to a neighbour.

    A reader that met a mark 0.5 em off the baseline would start a new line there; the mark is drawn
    inside an empty ActualText span instead and its letters read as part of the next glyph drawn.
    """
    hidden = {g for g in drawn if g.gid >= 0 and g.y_offset}
    for k, g in enumerate(drawn):
        if g not in hidden or not texts.get(g):
            continue
        after = next((h for h in drawn[k + 1 :] if h not in hidden and h.gid >= 0), None)
        before = next((h for h in reversed(drawn[:k]) if h not in hidden and h.gid >= 0), None)
        if after is not None:
            texts[after] = texts[g] + texts.get(after, "")
        elif before is not None:
            texts[before] = texts.get(before, "") + texts[g]
        else:
            continue
        texts[g] = ""
    return hidden


@dataclass(frozen=True)
class _Piece:
    """Consecutive glyphs of a shaped line drawn alike: one TJ, raised by ``rise``, maybe hidden."""

    start: int
    end: int
    rise: float  # thousandths of the font size
    hidden: bool


def shape(text: str, font: str, logical: str) -> Shaped:
    """``text`` (one line of print-time text) as a :class:`Shaped` string for ``font``."""
    stripped, glyphs, levels, width = _layout(text, font)
    atoms, ltr_runs = _with_marks(stripped, glyphs, levels, width)
    drawn, texts = _drawing_order(atoms, ltr_runs)
    drawn.extend(g for g in glyphs if not g.chars and g not in texts)
    hidden = _hide_raised(drawn, texts)
    face_font = pdfmetrics.getFont(font)
    chars: list[str] = []
    data: list[ShapeData] = []
    before: list[str] = []
    pieces: list[_Piece] = []
    pens = [0.0] + [g.x for g in drawn[1:]] + [width]
    at = 0.0  # where the text position is in a TJ: after the previous glyph's natural width
    for k, g in enumerate(drawn):
        if g.gid < 0:
            char = g.mark
        elif g in hidden:
            char = face_font.hidden_char(g.gid)
        else:
            char = face_font.glyph_char(g.gid, texts.get(g) or ZWNJ)
        natural = face_font.face.charWidths.get(ord(char), 0.0)
        target = g.x + g.x_offset
        chars.append(char)
        data.append(ShapeData(k, pens[k + 1] - pens[k], 0, target - pens[k], g.y_offset, natural))
        shift = at - target
        before.append(fp_str(shift) if abs(shift) > 0.005 else "")
        at = target + natural
        if pieces and pieces[-1].rise == g.y_offset and pieces[-1].hidden == (g in hidden):
            pieces[-1] = _Piece(pieces[-1].start, k + 1, g.y_offset, g in hidden)
        else:
            pieces.append(_Piece(k, k + 1, g.y_offset, g in hidden))
    shaped = Shaped("".join(chars), shapeData=data)
    shaped.logical, shaped.source, shaped.font = logical, text, font
    shaped.advance = width
    shaped.before = tuple(before)
    shaped.pieces = tuple(pieces)
    shaped.cuts = tuple(k for k, number in enumerate(before) if number)
    return shaped


_NOTHING = "/Span <</ActualText <FEFF0000>>> BDC"


def pdf_operators(shaped: Shaped, font: str, size: float, doc, escape) -> str:
    """The operators that draw ``shaped`` inside a text object (between «BT … Tm» and «ET»).

    What ReportLab's ``ShapedStr`` path draws, without its per-glyph bookkeeping: one TJ per piece,
    numbers only where a glyph is not where the previous one left the text position. Glyph codes are
    ``doc``'s, so the result holds for that document only.
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
    piece = cut = 0
    k = 0
    for subset, data in chunks:
        code.append(f"{face_font.getSubsetInternalName(subset, doc)} {size_text} Tf")
        base, end = k, k + len(data)
        while k < end:
            p = pieces[piece]
            stop = min(p.end, end)
            parts = [before[k]] if before[k] else []
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
            tj = f"[{' '.join(parts)}] TJ"
            if p.rise:
                tj = f"{fp_str(p.rise * size / 1000)} Ts {tj} 0 Ts"
            if p.hidden:
                tj = f"{_NOTHING} {tj} EMC"
            code.append(tj)
            k = stop
            if k == p.end:
                piece += 1
    return " ".join(code)


def missing_glyphs(text: str, font: str) -> set[str]:
    """The characters of ``text`` that ``font`` draws as .notdef."""
    return {ch for ch in text if ch not in BIDI_CONTROLS and any(g.gid == 0 for g in _layout(ch, font)[1])}
