"""Read a report PDF back as logical Persian lines, for assertions in report tests.

pdftotext scrambles mixed Persian/Latin lines, so this goes character by character with
pdfplumber: group characters into lines by their top, order them left to right, restore the
spaces and the ZWNJs the drawing dropped, undo the presentation forms, and run the same per-line
reorder as :func:`ostandari_desk.reports.persian.visual_order` (its own inverse) to get the logical
text back.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pdfplumber

from ostandari_desk.reports.persian import BIDI_CONTROLS, visual_order

__all__ = ["assert_pdf_has", "pdf_lines", "pdf_pages"]

LINE_TOLERANCE = 2.0
GAP_FACTOR = 0.25
ZWNJ = "\u200c"

# Lam-alef ligatures in *visual* order (alef on the left), so the reorder turns them into «لا».
_LAM_ALEF = {
    0xFEF5: "\u0622\u0644",
    0xFEF6: "\u0622\u0644",
    0xFEF7: "\u0623\u0644",
    0xFEF8: "\u0623\u0644",
    0xFEF9: "\u0625\u0644",
    0xFEFA: "\u0625\u0644",
    0xFEFB: "\u0627\u0644",
    0xFEFC: "\u0627\u0644",
}


def _forms() -> tuple[dict[str, str], set[str], set[str]]:
    """Presentation form -> form name, and the base letters that can join on each side."""
    form_of: dict[str, str] = {}
    joins_next: set[str] = set()  # dual-joining: has initial/medial forms
    joins_prev: set[str] = set()  # has a final form
    for cp in list(range(0xFB50, 0xFDFF)) + list(range(0xFE70, 0xFEFF)):
        parts = unicodedata.decomposition(chr(cp)).split()
        if len(parts) == 2 and parts[0] in ("<isolated>", "<final>", "<initial>", "<medial>"):
            base = chr(int(parts[1], 16))
            form_of[chr(cp)] = parts[0]
            if parts[0] in ("<initial>", "<medial>"):
                joins_next.add(base)
            if parts[0] in ("<final>", "<medial>"):
                joins_prev.add(base)
    return form_of, joins_next, joins_prev


_FORM_OF, _JOINS_NEXT, _JOINS_PREV = _forms()


def _base(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch) if ch in _FORM_OF else ch


def _zwnj_between(left: str, right: str) -> bool:
    """Visual neighbours: ``right`` comes first logically.  A ZWNJ kept them from joining."""
    right_form = _FORM_OF.get(right, "<isolated>")
    left_form = _FORM_OF.get(left, "<isolated>")
    return (
        _base(right) in _JOINS_NEXT
        and right_form in ("<isolated>", "<final>")
        and _base(left) in _JOINS_PREV
        and left_form in ("<isolated>", "<initial>")
    )


def _restore_zwnj(chars: list[str]) -> list[str]:
    out: list[str] = []
    letters = [i for i, ch in enumerate(chars) if unicodedata.category(ch) != "Mn"]
    for n, i in enumerate(letters):
        end = letters[n + 1] if n + 1 < len(letters) else len(chars)
        out.extend(chars[i:end])
        if n + 1 < len(letters) and _zwnj_between(chars[i], chars[letters[n + 1]]):
            out.append(ZWNJ)
    return chars[: letters[0]] + out if letters else chars


def _line_text(chars: list[dict]) -> str:
    chars = sorted(chars, key=lambda c: round(c["x0"], 2))  # stable: ties keep drawing order
    visual: list[str] = []
    prev = None
    for c in chars:
        if (
            prev is not None
            and c["x0"] - prev["x1"] > GAP_FACTOR * c["size"]
            and c["text"] != " "
            and visual
            and visual[-1] != " "
        ):
            visual.append(" ")
        visual.append(c["text"])
        prev = c
    visual = _restore_zwnj(visual)
    text = "".join(_LAM_ALEF.get(ord(ch), ch) for ch in visual)
    text = unicodedata.normalize("NFKC", text)
    text = visual_order(text)
    return text.translate(str.maketrans("", "", BIDI_CONTROLS)).strip()


def _open(pdf: bytes | str | Path):
    return pdfplumber.open(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)


def pdf_pages(pdf: bytes | str | Path) -> list[list[str]]:
    """Logical lines per page, top to bottom."""
    pages: list[list[str]] = []
    with _open(pdf) as doc:
        for page in doc.pages:
            groups: list[list[dict]] = []
            for c in sorted(page.chars, key=lambda c: c["top"]):
                if groups and abs(c["top"] - groups[-1][0]["top"]) <= LINE_TOLERANCE:
                    groups[-1].append(c)
                else:
                    groups.append([c])
            pages.append([t for t in (_line_text(g) for g in groups) if t])
    return pages


def pdf_lines(pdf: bytes | str | Path) -> list[str]:
    """Every logical line of the PDF, page after page, top to bottom."""
    return [line for page in pdf_pages(pdf) for line in page]


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace(ZWNJ, " ")
    return re.sub(r"\s+", " ", text.translate(str.maketrans("", "", BIDI_CONTROLS))).strip()


def assert_pdf_has(pdf: bytes | str | Path, *expected: str) -> None:
    """Each expected string must occur in some extracted line (whitespace and ZWNJ normalized)."""
    lines = pdf_lines(pdf)
    normalized = [_norm(line) for line in lines]
    missing = [e for e in expected if not any(_norm(e) in line for line in normalized)]
    if missing:
        listing = "\n".join(f"  {line}" for line in lines)
        raise AssertionError(f"not found in the PDF: {missing!r}\nextracted lines:\n{listing}")
