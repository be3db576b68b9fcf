"""The one Persian text pipeline for paper: print-time text, wrapping, then shaping one line at a time.

Every string that reaches the canvas goes through :func:`shape_line` (one line) or
:func:`shaped_lines` (wrapped at a width):

1. **Print-time text** (:func:`print_text`): Persian digits and «٪» in free text
   (``domain.text.print_form``), and identifiers — licence and letter numbers, national IDs, dates,
   plates («45-B»), phone numbers, signed changes («+۵٫۸٪») — wrapped in LRI…PDI so they print as
   left-to-right units exactly as entered (one with a Persian letter keeps the line's right-to-left
   order, as on the screen it was typed on). What is stored is never changed.
2. **Wrap first** (:func:`wrap`), on logical text, at the width the shaped words really take; bidi over
   a whole paragraph would reverse the line order.
3. **Shape each line** (:mod:`ostandari_desk.reports.glyphs`): python-bidi orders its runs, HarfBuzz
   shapes each run from its logical text (marks by GPOS, ligatures, mirrored brackets), and the glyphs
   are drawn so that PDF readers copy the typed text back. The result is a :class:`Shaped` string
   that any ``canvas.draw*String`` draws, in the font it was shaped for.

Without ``uharfbuzz`` the pipeline falls back to arabic-reshaper presentation forms and a visual-order
string (:func:`reshape`, :func:`visual_order`): legible, but marks are not positioned and copied text
comes out in presentation forms.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import arabic_reshaper
from bidi import get_display
from bidi.mirror import MIRRORED
from reportlab.pdfbase import pdfmetrics

from ostandari_desk.domain.text import print_form
from ostandari_desk.reports import glyphs
from ostandari_desk.reports.fonts import FONT, register_fonts
from ostandari_desk.reports.glyphs import BIDI_CONTROLS, LRI, PDI, Shaped

__all__ = [
    "BIDI_CONTROLS",
    "HARFBUZZ",
    "LRI",
    "PDI",
    "Shaped",
    "check_glyphs",
    "isolate_identifiers",
    "print_text",
    "reshape",
    "shape_line",
    "shaped_lines",
    "text_width",
    "visual_order",
    "wrap",
]

#: Shape with HarfBuzz (True when ``uharfbuzz`` imports); tests switch it off to check the fallback.
HARFBUZZ = glyphs.AVAILABLE

ZWNJ = "\u200c"
ZWJ = "\u200d"
LRM = "\u200e"
_DROP_CONTROLS = str.maketrans("", "", BIDI_CONTROLS)
_DROP_JOINERS = str.maketrans("", "", ZWNJ + ZWJ)

_CACHE_SIZE = 20_000

# --- print-time text: identifiers as left-to-right units ---------------------------------------------

_DIGIT = r"0-9\u06f0-\u06f9\u0660-\u0669"
_LATIN = r"A-Za-z"
_PERSIAN = r"\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u0622"
_SEPARATOR = r"\-/._:\u066b\u066c\u2010\u2011\u2013"
# A token: no spaces; its edges are trimmed of punctuation that belongs to the sentence.
_TOKEN = re.compile(r"[^\s\u2066-\u2069]+")
_EDGE = "()[]{}«»\"'،؛,;!؟?…"
_IDENTIFIER = re.compile(
    rf"[+\-\u2212]?[{_DIGIT}{_LATIN}{_PERSIAN}#]+(?:[{_SEPARATOR}][{_DIGIT}{_LATIN}{_PERSIAN}#]+)*[%\u066a]?"
)
_PERSIAN_WORD = re.compile(rf"[{_PERSIAN}]+")
_HAS_DIGIT = re.compile(rf"[{_DIGIT}]")
_HAS_LATIN = re.compile(rf"[{_LATIN}]")
_HAS_SEPARATOR = re.compile(rf"[{_SEPARATOR}%\u066a]")
_ISOLATED = re.compile(f"{LRI}[^{PDI}]*{PDI}")


def _is_identifier(core: str) -> bool:
    """A number-like unit that must not be reordered: «۱۴۰۴/۱۲۳-۴۵», «45-B», «021-12345678», «+۵٫۸٪».

    One with a Persian letter («ت/۱۴۰۵/۰۲۲», «۱۰۰/ص») is left to the line's own right-to-left order:
    the order the clerk saw when typing it, which reads the same from the right, and which readers
    copy back (a right-to-left letter inside a left-to-right unit is more than poppler can unravel).
    """
    if not _HAS_DIGIT.search(core) or not _IDENTIFIER.fullmatch(core) or _PERSIAN_WORD.search(core):
        return False
    return core[0] in "+-\u2212" or bool(_HAS_SEPARATOR.search(core) or _HAS_LATIN.search(core))


def _isolate_token(match: re.Match[str]) -> str:
    token = match.group(0)
    start, end = 0, len(token)
    while start < end and token[start] in _EDGE:
        start += 1
    while end > start and token[end - 1] in _EDGE:
        end -= 1
    core = token[start:end]
    if not _is_identifier(core):
        return token
    return f"{token[:start]}{LRI}{core}{PDI}{token[end:]}"


def isolate_identifiers(text: str) -> str:
    """Wrap every identifier-like token of ``text`` in LRI…PDI (spans already isolated are kept)."""
    parts, last = [], 0
    for m in _ISOLATED.finditer(text):
        parts.append(_TOKEN.sub(_isolate_token, text[last : m.start()]))
        parts.append(m.group(0))
        last = m.end()
    parts.append(_TOKEN.sub(_isolate_token, text[last:]))
    return "".join(parts)


@lru_cache(maxsize=_CACHE_SIZE)
def print_text(text: str) -> str:
    """``text`` as printed: Persian digits and «٪» in free text, identifiers isolated left to right."""
    return isolate_identifiers(print_form(text))


# --- measuring -----------------------------------------------------------------------------------------


@lru_cache(maxsize=_CACHE_SIZE)
def _advance(text: str, font: str) -> float:
    """The shaped advance of ``text`` (one line) in thousandths of the font size."""
    if not HARFBUZZ:
        return pdfmetrics.stringWidth(reshape(text), font, 1000)
    return glyphs.advance(text, font)


def text_width(text: str, font: str, size: float) -> float:
    """The width ``text`` (one logical line of print-time text) takes once shaped, in points."""
    return _advance(text, font) * size / 1000


# --- the fallback: arabic-reshaper and a visual-order string ------------------------------------------

_RESHAPER = arabic_reshaper.ArabicReshaper(
    configuration={
        "delete_harakat": False,
        "use_unshaped_instead_of_isolated": True,
        "support_ligatures": True,
        "ARABIC LIGATURE ALLAH": False,
        "ARABIC LIGATURE LAM WITH ALEF": True,
        "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA ABOVE": True,
        "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA BELOW": True,
        "ARABIC LIGATURE LAM WITH ALEF WITH MADDA ABOVE": True,
    }
)

_LINE_WS = frozenset(("WS", "BN", "LRI", "RLI", "FSI", "PDI", "LRE", "RLE", "LRO", "RLO", "PDF"))
_NEEDS_LEVELS = frozenset(MIRRORED) | {"\t"}
# A run of digits joined by hyphens/dashes, not already protected by an LRM.
_HYPHENATED_NUMBER = re.compile(r"(?<![\d\u200e])\d+(?:[-\u2010\u2011\u2013]\d+)+")


def _protect_numbers(text: str) -> str:
    return _HYPHENATED_NUMBER.sub(lambda m: LRM + m.group(0), text)


@lru_cache(maxsize=_CACHE_SIZE)
def reshape(text: str) -> str:
    """Contextual letter forms for ``text`` in logical order, joiners removed (the fallback's shaping)."""
    return _RESHAPER.reshape(text).translate(_DROP_JOINERS)


def _reorder_by_levels(text: str, levels: list[int]) -> str:
    """Rules L1-L4 of UAX #9 for one right-to-left line, combining marks kept after their base."""
    classes = [unicodedata.bidirectional(ch) for ch in text]
    levels = list(levels)
    trailing = True
    for i in range(len(text) - 1, -1, -1):
        if classes[i] == "S":
            levels[i] = 1
            trailing = True
        elif trailing and classes[i] in _LINE_WS:
            levels[i] = 1
        else:
            trailing = False
    clusters: list[list[int]] = []
    for i, ch in enumerate(text):
        if clusters and unicodedata.category(ch) == "Mn" and levels[i] == levels[clusters[-1][0]]:
            clusters[-1].append(i)
        else:
            clusters.append([i])
    cl_levels = [levels[c[0]] for c in clusters]
    order = list(range(len(clusters)))
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
            out.append(MIRRORED.get(ch, ch) if levels[i] % 2 else ch)
    return "".join(out)


@lru_cache(maxsize=_CACHE_SIZE)
def visual_order(text: str) -> str:
    """Reorder one line for drawing left to right, base direction right-to-left (the fallback's bidi).

    Applies the LRM protection of hyphenated numbers, the bidi algorithm, bracket mirroring and
    mark placement, then drops bidi controls (not ZWNJ).  It is its own inverse on plain lines.
    """
    text = _protect_numbers(text)
    if _NEEDS_LEVELS.isdisjoint(text) and not any(unicodedata.category(c) == "Mn" for c in text):
        shown = get_display(text, base_dir="R")
    else:
        levels = glyphs.bidi_levels(text)
        shown = _reorder_by_levels(text, levels) if levels else get_display(text, base_dir="R")
    return shown.translate(_DROP_CONTROLS)


class _Line(str):
    """The fallback's drawn string (presentation forms, visual order) with its ``logical`` text."""

    logical: str


# --- the public pipeline ------------------------------------------------------------------------------


@lru_cache(maxsize=_CACHE_SIZE)
def _shape(text: str, font: str) -> str:
    prepared = print_text(text)
    logical = prepared.translate(_DROP_CONTROLS)
    if HARFBUZZ:
        return glyphs.shape(prepared, font, logical)
    line = _Line(visual_order(reshape(prepared)))
    line.logical = logical
    return line


def shape_line(text: str, font: str = FONT) -> str:
    """One logical line, ready to draw left to right with ``font`` by any ``canvas.draw*String``.

    The result is a :class:`Shaped` string (its ``logical`` attribute is the printed text); draw it in
    the same font it was shaped for.
    """
    return _shape(text, font)


def _split_word(word: str, font: str, size: float, width: float) -> list[str]:
    """Break a word wider than ``width``: at ZWNJ if possible, else between characters."""
    pieces: list[str] = []
    rest = word
    while rest and text_width(rest, font, size) > width:
        cut = 0
        for i, ch in enumerate(rest):
            if ch == ZWNJ and text_width(rest[: i + 1], font, size) <= width:
                cut = i + 1
        if not cut:
            cut = 1
            while cut < len(rest) and text_width(rest[: cut + 1], font, size) <= width:
                cut += 1
            # keep combining marks with their letter
            while cut < len(rest) and unicodedata.category(rest[cut]) == "Mn":
                cut += 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        pieces.append(rest)
    return pieces


_SPACES = re.compile(r"[ \t\u00a0]+")


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Split ``text`` into print-time logical lines no wider than ``width`` points once shaped.

    Breaks at spaces; a single word that does not fit is broken at a ZWNJ, or as a last resort
    between characters.  Newlines are hard breaks.  Runs of spaces collapse to one.
    """
    return list(_wrap(text, font, size, width))


@lru_cache(maxsize=_CACHE_SIZE)
def _wrap(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    lines: list[str] = []
    space = text_width(" ", font, size)
    for paragraph in print_text(text).split("\n"):
        words = [w for w in _SPACES.split(paragraph) if w]
        if not words:
            lines.append("")
            continue
        current: list[str] = []
        used = 0.0
        for word in words:
            w = text_width(word, font, size)
            if current and used + space + w <= width:
                current.append(word)
                used += space + w
                continue
            if current:
                lines.append(" ".join(current))
            if w > width:
                *full, last = _split_word(word, font, size, width)
                lines.extend(full)
                word, w = last, text_width(last, font, size)
            current, used = [word], w
        lines.append(" ".join(current))
    return tuple(lines)


def shaped_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """:func:`wrap` then :func:`shape_line` each line: the strings to draw, top to bottom."""
    return [shape_line(line, font) for line in wrap(text, font, size, width)]


def check_glyphs(text: str, font_name: str) -> None:
    """Raise ValueError if shaping ``text`` needs a glyph the registered font lacks."""
    register_fonts()
    if HARFBUZZ:
        missing = sorted(
            set().union(*(glyphs.missing_glyphs(print_text(line), font_name) for line in text.split("\n")))
        )
    else:
        face = pdfmetrics.getFont(font_name).face
        shaped = "".join(visual_order(reshape(print_text(line))) for line in text.split("\n"))
        missing = sorted({ch for ch in shaped if ord(ch) not in face.charToGlyph})
    if missing:
        listed = ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for ch in missing)
        raise ValueError(f"font {font_name!r} has no glyph for: {listed} (in {text!r})")
