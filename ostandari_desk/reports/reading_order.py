"""In what order to draw a shaped line's glyphs, and as what text, so that PDF readers copy it as typed.

PDF readers do not run the Unicode bidi algorithm on extracted text. Each takes a line's characters
in an order of its own and reverses the right-to-left parts with a crude rule of its own:

- **Poppler** (pdftotext, Evince, Okular) orders characters by their position on the line and,
  reading from the right, reverses every stretch that holds no left-to-right letter and no number
  character (digits, and also signs and separators: ``- + % ٪ / : . ، ٫ ٬``). It never mirrors.
- **PDFium** (Chrome, pypdfium2) takes characters in drawing order, cuts them into segments of one
  class (strong right-to-left, strong left-to-right, weak: numbers, separators, marks, ZWNJ;
  neutral) and — only when the line has *more* right-to-left than left-to-right segments — takes the
  segments last to first, reversing and mirroring the right-to-left ones and the neutral ones that
  follow right-to-left text.

So each line gets zero-width LRM/RLM marks (invisible; a copy keeps them harmlessly) that tell both
readers where its runs end — around every left-to-right run, around every bracket of a right-to-left
run (drawn mirrored but reading as the bracket that was typed), after every sign or separator inside
right-to-left text, and at the line's ends when PDFium would otherwise read it left to right — and
is drawn in the order PDFium undoes into the logical text (:func:`_pdfium_order`), each glyph at its
place on the line. A left-to-right run of several PDFium segments («45-B», «NGO Office») is drawn
segment by segment from its right end. A mark drawn off the baseline goes unread (readers would start
a new line there; it is drawn in an empty ActualText span): its letters read as part of the next glyph.

Left over: PDFium puts a space where the pen jumps right, so such a run of several segments that
touches punctuation or a bracket with no space between («45-B،», «(NGO Office)») copies with a space
there in PDFium (poppler copies it right).
"""

from __future__ import annotations

import unicodedata

from bidi.mirror import MIRRORED

__all__ = ["MARK", "Placed", "drawing_order"]

#: ``Placed.gid`` of a zero-width LRM/RLM/ZWNJ mark.
MARK = -1

ZWNJ = "\u200c"
LRM = "\u200e"
RLM = "\u200f"

_PDFIUM = {"L": "L", "R": "R", "AL": "R", **dict.fromkeys(("AN", "EN", "NSM", "CS", "ES", "ET", "BN"), "W")}
_POPPLER_LTR = frozenset(("L", "EN", "AN", "CS", "ES", "ET"))
_SEPARATORS = frozenset(("CS", "ES", "ET"))
_classes: dict[str, str] = {}
#: How far (thousandths of an em) a unit's RLM is drawn left of it when it is drawn last, so that
#: poppler, which orders characters by position, still finds it on the unit's left.
_NUDGE = 0.5
#: How far (thousandths of an em) marks drawn at one place step left of it: see _settle_marks.
_HAIR = 0.5
#: PDFium drops a character drawn again within 0.07 em of itself among its last 7 characters.
_PDFIUM_SAME_PLACE = 80.0
_PDFIUM_DUPLICATES = 7


class Placed:
    """A glyph on the line (thousandths of an em from its left end), or a zero-width mark (``gid`` -1)."""

    __slots__ = ("advance", "chars", "gid", "mark", "x", "x_offset", "y_offset")

    def __init__(
        self,
        gid: int,
        x: float,
        advance: float,
        x_offset: float = 0.0,
        y_offset: float = 0.0,
        chars: range = range(0),
        mark: str = "",
    ):
        self.gid, self.x, self.advance = gid, x, advance
        self.x_offset, self.y_offset = x_offset, y_offset
        self.chars, self.mark = chars, mark


def _pdfium_class(ch: str) -> str:
    found = _classes.get(ch)
    if found is None:
        found = _classes[ch] = _PDFIUM.get(unicodedata.bidirectional(ch), "N")
    return found


def _pdfium_order(atoms: list[str]) -> list[int]:
    """The drawing order of ``atoms`` (one character each, logical order) that PDFium reads back as them.

    The inverse of PDFium's reading: segments last to first, right-to-left ones (and neutral ones
    after right-to-left text) reversed.
    """
    segments: list[list[int]] = []
    kinds: list[str] = []
    for i, ch in enumerate(atoms):
        kind = _pdfium_class(ch)
        if kinds and kinds[-1] == kind:
            segments[-1].append(i)
        else:
            segments.append([i])
            kinds.append(kind)
    current = "R"  # which segments PDFium reverses depends on those before them in logical order
    flips = []
    for kind in kinds:
        if kind == "R" or (kind == "N" and current == "R"):
            current = "R"
            flips.append(True)
        else:
            if kind != "W":
                current = "L"
            flips.append(False)
    order: list[int] = []
    for segment, flip in zip(reversed(segments), reversed(flips)):
        order.extend(reversed(segment) if flip else segment)
    return order


def _balance(chars: list[str]) -> int:
    """PDFium's right-to-left segments minus its left-to-right ones (it reads right to left above 0)."""
    balance, last = 0, ""
    for ch in chars:
        kind = _pdfium_class(ch)
        if kind != last:
            balance += (kind == "R") - (kind == "L")
            last = kind
    return balance


def _with_marks(
    text: str, glyphs: list[Placed], levels: list[int]
) -> tuple[list[tuple[str, Placed | None]], list[tuple[Placed, ...]]]:
    """The line in logical order as (character, glyph) atoms, the marks among them; and each
    left-to-right unit's glyphs, its RLM first."""
    owner: dict[int, Placed] = {}
    for g in glyphs:
        for i in g.chars:
            owner[i] = g
    atoms: list[tuple[str, Placed | None]] = []
    units: list[tuple[Placed, ...]] = []

    def mark(char: str, x: float) -> Placed:
        made = Placed(MARK, x, 0.0, mark=char)
        atoms.append((char, made))
        return made

    n = len(text)
    i = 0
    while i < n:
        if levels[i] >= 2:  # a left-to-right unit (a number, Latin, an identifier): LRM right, RLM left
            j = i
            while j < n and levels[j] >= 2:
                j += 1
            unit = list(dict.fromkeys(owner[k] for k in range(i, j) if k in owner))
            if unicodedata.bidirectional(text[j - 1]) not in _POPPLER_LTR and unit:
                mark(LRM, max(g.x + g.advance for g in unit))
            atoms.extend((text[k], owner.get(k)) for k in range(i, j))
            units.append((mark(RLM, min((g.x for g in unit), default=0.0)), *unit))
            i = j
            continue
        ch, g = text[i], owner.get(i)
        if g is not None and ch in MIRRORED:  # a bracket: reads as typed, kept from PDFium's mirroring
            mark(LRM, g.x + g.advance)
            atoms.append((ch, g))
            mark(RLM, g.x)
        else:
            atoms.append((ch, g))
            if g is not None and unicodedata.bidirectional(ch) in _SEPARATORS:
                mark(RLM, g.x)  # poppler would read a sign or separator left to right
        i += 1
    return atoms, units


def _draw_units_from_the_right(drawn: list[Placed], units: list[tuple[Placed, ...]], texts: dict) -> None:
    """Draw each left-to-right unit of several PDFium segments segment by segment from its right end.

    PDFium, reading segments last to first, then meets them in order. The unit's RLM stays just
    before its first segment, where poppler needs it, with an LRM before it when the unit holds a
    bracket, which PDFium must read after left-to-right text so as not to mirror it.
    """
    for rlm, *unit in units:
        segments: list[list[Placed]] = []
        last = ""
        for g in unit:
            kind = _pdfium_class(texts.get(g, "")[:1] or " ")
            if not segments or kind != last:
                segments.append([])
            segments[-1].append(g)
            last = kind
        if len(segments) < 2:
            continue
        start = drawn.index(rlm)
        end = start + 1 + len(unit)
        tail = [g for g in drawn[end : end + 1] if g.mark == LRM]
        reordered = tail + segments[-1]  # an LRM before a last neutral segment keeps it after the unit
        for segment in reversed(segments[1:-1]):
            reordered.extend(segment)
        reordered.extend(segments[0])
        rlm.x -= _NUDGE
        reordered.append(rlm)
        drawn[start : end + len(tail)] = reordered


def _read_right_to_left(drawn: list[Placed], texts: dict[Placed, str], width: float) -> None:
    """Add RLMs where PDFium would otherwise read the line left to right (not more right-to-left
    segments than left-to-right ones): just after an LRM that a right-to-left letter does not follow
    (poppler still reads it inside the right-to-left stretch on the LRM's right), else beyond the
    line's ends. PDFium drops a character drawn again within 0.07 em of itself, so an RLM is never
    added that close to another."""

    def balance() -> int:
        return _balance([ch for g in drawn for ch in texts.get(g, "")])

    def add(at: int, x: float, mark: str = RLM) -> None:
        made = Placed(MARK, x, 0.0, mark=mark)
        texts[made] = mark
        drawn.insert(at, made)

    def clear(at: int, x: float) -> bool:
        near = drawn[max(0, at - _PDFIUM_DUPLICATES) : at + _PDFIUM_DUPLICATES]
        return all(g.mark != RLM or abs(g.x - x) > _PDFIUM_SAME_PLACE for g in near)

    if not drawn or balance() > 0:
        return
    k = 0
    while k < len(drawn) - 1:
        g, after = drawn[k], drawn[k + 1]
        if g.mark == LRM and _pdfium_class(texts.get(after, " ")[:1] or " ") != "R" and clear(k + 1, g.x):
            add(k + 1, g.x)
            if balance() > 0:
                return
            k += 1
        k += 1
    if _pdfium_class(texts.get(drawn[0], " ")[:1] or " ") != "R":
        add(0, -_PDFIUM_SAME_PLACE)
        if balance() > 0:
            return
    x = width
    while balance() <= 0:  # a line of left-to-right text only: ZWNJ (weak for PDFium) parts more RLMs
        if _pdfium_class(texts.get(drawn[-1], " ")[-1:] or " ") == "R":
            add(len(drawn), x, ZWNJ)
        x += _PDFIUM_SAME_PLACE
        add(len(drawn), x)


def _settle_marks(drawn: list[Placed]) -> None:
    """Move each run of marks drawn at one place a hair left of it, in drawing order.

    Poppler, which orders characters by position, takes a character drawn where the previous one
    starts for a duplicate and sorts the two in no certain order; a mark just before the glyph it
    precedes is read before it.
    """
    k = 0
    while k < len(drawn):
        if drawn[k].gid != MARK:
            k += 1
            continue
        j = k
        while j < len(drawn) and drawn[j].gid == MARK and drawn[j].x == drawn[k].x:
            j += 1
        for i in range(k, j):
            drawn[i].x -= (j - i) * _HAIR
        k = j


def _hide_raised(drawn: list[Placed], texts: dict[Placed, str]) -> set[Placed]:
    """Marks drawn off the baseline: unread; their letters move to the next glyph drawn (or the last)."""
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


def _simple(text: str, glyphs: list[Placed], levels: list[int]) -> bool:
    """A right-to-left line that needs no marks: no number, Latin, bracket, separator or raised mark."""
    return (
        all(level == 1 for level in levels)
        and not any(ch in MIRRORED or unicodedata.bidirectional(ch) in _SEPARATORS for ch in text)
        and not any(g.y_offset for g in glyphs)
    )


def drawing_order(
    text: str, glyphs: list[Placed], levels: list[int], width: float
) -> tuple[list[Placed], dict[Placed, str], set[Placed]]:
    """The glyphs (and marks) of a line in drawing order, what each reads back as, and those unread.

    ``glyphs`` are in visual order, each with the logical characters (of ``text``) it was shaped
    from; ``levels`` are the characters' bidi levels.
    """
    if _simple(text, glyphs, levels):  # glyphs in visual order, each reading its characters reversed
        texts = {g: text[g.chars.start : g.chars.stop][::-1] for g in glyphs if g.chars}
        return list(glyphs), texts, set()
    atoms, units = _with_marks(text, glyphs, levels)
    order = _pdfium_order([a[0] for a in atoms])
    rank: dict[Placed, int] = {}
    parts: dict[Placed, list[str]] = {}
    for k in order:
        char, g = atoms[k]
        if g is None:
            continue
        if g not in parts:
            rank[g], parts[g] = len(rank), []
        parts[g].append(char)
    texts = {g: "".join(chars) for g, chars in parts.items()}
    drawn = sorted(parts, key=lambda g: (g.x, rank[g]))  # poppler reads positions: left to right
    _draw_units_from_the_right(drawn, units, texts)
    _read_right_to_left(drawn, texts, width)
    _settle_marks(drawn)
    drawn.extend(g for g in glyphs if g not in parts)
    return drawn, texts, _hide_raised(drawn, texts)
