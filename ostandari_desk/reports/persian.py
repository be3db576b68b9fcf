"""The one Persian text pipeline for paper: wrap logical text, reshape, reorder, mirror.

ReportLab draws a string left to right, glyph by glyph, with no shaping and no bidi. So every
string that reaches the canvas goes through :func:`shape_line`:

1. put an LRM before ``1402-17``-like tokens (they flip after Persian text otherwise);
2. reshape with arabic-reshaper (harakat kept — the ezafe «ٔ» is a haraka; isolated forms left
   unshaped because Vazirmatn lacks some of them, e.g. U+FBA4 for «ۀ»; only lam-alef ligatures);
3. drop ZWNJ/ZWJ (the reshaper already chose the joining forms from them);
4. reorder with the Unicode bidi algorithm, base direction right-to-left, then mirror brackets at
   odd levels (python-bidi >= 0.5 does not) and keep combining marks after their base letter;
5. drop the bidi controls.

Wrapping happens on *logical* text before all that (:func:`wrap`); bidi over a paragraph would
reverse the line order. :func:`visual_order` (steps 1, 4, 5) is its own inverse on a line, which
the PDF text tests use to read drawn lines back in logical order.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import arabic_reshaper
from bidi import get_display
from bidi.mirror import MIRRORED
from reportlab.pdfbase import pdfmetrics

__all__ = [
    "BIDI_CONTROLS",
    "check_glyphs",
    "reshape",
    "shape_line",
    "shaped_lines",
    "visual_order",
    "wrap",
]

ZWNJ = "\u200c"
ZWJ = "\u200d"
LRM = "\u200e"
#: Directional controls: marks, embeddings/overrides, isolates.  Never drawn.
BIDI_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_DROP_CONTROLS = str.maketrans("", "", BIDI_CONTROLS)
_DROP_JOINERS = str.maketrans("", "", ZWNJ + ZWJ)

_CACHE_SIZE = 20_000

_RESHAPER = arabic_reshaper.ArabicReshaper(
    configuration={
        "delete_harakat": False,
        "use_unshaped_instead_of_isolated": True,
        "support_ligatures": True,
        # Only the lam-alef family; word ligatures such as «الله» -> U+FDF2 read badly in
        # office letters and do not survive text extraction.
        "ARABIC LIGATURE ALLAH": False,
        "ARABIC LIGATURE LAM WITH ALEF": True,
        "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA ABOVE": True,
        "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA BELOW": True,
        "ARABIC LIGATURE LAM WITH ALEF WITH MADDA ABOVE": True,
    }
)

# A run of digits joined by hyphens/dashes, not already protected by an LRM.
_HYPHENATED_NUMBER = re.compile(r"(?<![\d\u200e])\d+(?:[-\u2010\u2011\u2013]\d+)+")
_NEEDS_LEVELS = frozenset(MIRRORED) | {"\t"}
_LINE_WS = frozenset(("WS", "BN", "LRI", "RLI", "FSI", "PDI", "LRE", "RLE", "LRO", "RLO", "PDF"))
_SPACES = re.compile(r"[ \t\u00a0]+")


def _protect_numbers(text: str) -> str:
    return _HYPHENATED_NUMBER.sub(lambda m: LRM + m.group(0), text)


@lru_cache(maxsize=_CACHE_SIZE)
def reshape(text: str) -> str:
    """Contextual letter forms for ``text`` in logical order, joiners removed."""
    return _RESHAPER.reshape(text).translate(_DROP_JOINERS)


def _levels(text: str) -> list[int] | None:
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


def _reorder_by_levels(text: str, levels: list[int]) -> str:
    """Rules L1-L4 of UAX #9 for one right-to-left line, combining marks kept after their base."""
    classes = [unicodedata.bidirectional(ch) for ch in text]
    levels = list(levels)
    # L1: segment separators, and whitespace before them or at the end of the line -> base level.
    trailing = True
    for i in range(len(text) - 1, -1, -1):
        if classes[i] == "S":
            levels[i] = 1
            trailing = True
        elif trailing and classes[i] in _LINE_WS:
            levels[i] = 1
        else:
            trailing = False
    # Clusters: a character and the combining marks that follow it move together (rule L3).
    clusters: list[list[int]] = []
    for i, ch in enumerate(text):
        if clusters and unicodedata.category(ch) == "Mn" and levels[i] == levels[clusters[-1][0]]:
            clusters[-1].append(i)
        else:
            clusters.append([i])
    cl_levels = [levels[c[0]] for c in clusters]
    order = list(range(len(clusters)))
    # L2: from the highest level down to the lowest odd one, reverse each run at or above it.
    for level in range(max(cl_levels, default=1), 0, -1):
        i = 0
        while i < len(order):
            if cl_levels[order[i]] >= level:
                j = i
                while j < len(order) and cl_levels[order[j]] >= level:
                    j += 1
                order[i:j] = order[i:j][::-1]
                i = j
            else:
                i += 1
    out = []
    for k in order:
        for i in clusters[k]:
            ch = text[i]
            # L4: mirror at odd (right-to-left) levels.
            out.append(MIRRORED.get(ch, ch) if levels[i] % 2 else ch)
    return "".join(out)


@lru_cache(maxsize=_CACHE_SIZE)
def visual_order(text: str) -> str:
    """Reorder one line for drawing left to right, base direction right-to-left.

    Applies the LRM protection of hyphenated numbers, the bidi algorithm, bracket mirroring and
    mark placement, then drops bidi controls (not ZWNJ).  It is its own inverse on the lines this
    app draws, so the tests also use it to turn extracted PDF lines back into logical order.
    """
    text = _protect_numbers(text)
    if _NEEDS_LEVELS.isdisjoint(text) and not any(unicodedata.category(c) == "Mn" for c in text):
        shown = get_display(text, base_dir="R")
    else:
        levels = _levels(text)
        shown = _reorder_by_levels(text, levels) if levels else get_display(text, base_dir="R")
    return shown.translate(_DROP_CONTROLS)


@lru_cache(maxsize=_CACHE_SIZE)
def shape_line(text: str) -> str:
    """Shape one logical line into the string to draw left to right with a TrueType font."""
    return visual_order(reshape(_protect_numbers(text)))


def _width(word: str, font: str, size: float) -> float:
    return pdfmetrics.stringWidth(reshape(word), font, size)


def _split_word(word: str, font: str, size: float, width: float) -> list[str]:
    """Break a word wider than ``width``: at ZWNJ if possible, else between characters."""
    pieces: list[str] = []
    rest = word
    while rest and _width(rest, font, size) > width:
        cut = 0
        for i, ch in enumerate(rest):
            if ch == ZWNJ and _width(rest[: i + 1], font, size) <= width:
                cut = i + 1
        if not cut:
            cut = 1
            while cut < len(rest) and _width(rest[: cut + 1], font, size) <= width:
                cut += 1
            # keep combining marks with their letter
            while cut < len(rest) and unicodedata.category(rest[cut]) == "Mn":
                cut += 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        pieces.append(rest)
    return pieces


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Split logical ``text`` into logical lines no wider than ``width`` points once shaped.

    Breaks at spaces; a single word that does not fit is broken at a ZWNJ, or as a last resort
    between characters.  Newlines are hard breaks.  Runs of spaces collapse to one.
    """
    return list(_wrap(text, font, size, width))


@lru_cache(maxsize=_CACHE_SIZE)
def _wrap(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    lines: list[str] = []
    space = pdfmetrics.stringWidth(" ", font, size)
    for paragraph in text.split("\n"):
        words = [w for w in _SPACES.split(paragraph) if w]
        if not words:
            lines.append("")
            continue
        current: list[str] = []
        used = 0.0
        for word in words:
            w = _width(word, font, size)
            if current and used + space + w <= width:
                current.append(word)
                used += space + w
                continue
            if current:
                lines.append(" ".join(current))
            if w > width:
                *full, last = _split_word(word, font, size, width)
                lines.extend(full)
                word, w = last, _width(last, font, size)
            current, used = [word], w
        lines.append(" ".join(current))
    return tuple(lines)


def shaped_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """:func:`wrap` then :func:`shape_line` each line: the strings to draw, top to bottom."""
    return [shape_line(line) for line in wrap(text, font, size, width)]


def check_glyphs(text: str, font_name: str) -> None:
    """Raise ValueError if the shaped ``text`` uses a character the registered TTF lacks."""
    face = pdfmetrics.getFont(font_name).face
    shaped = "".join(shape_line(line) for line in text.split("\n"))
    missing = sorted({ch for ch in shaped if ord(ch) not in face.charToGlyph})
    if missing:
        listed = ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in missing)
        raise ValueError(f"font {font_name!r} has no glyph for: {listed} (in {text!r})")
