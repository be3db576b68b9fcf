"""Read a report PDF back the way PDF readers copy it, and measure how much of what was drawn comes back.

- :func:`pdf_pages` / :func:`pdf_lines`: the text of each page as PDFium (Chrome's reader, through
  pypdfium2) copies it, line by line, after NFKC and without bidi controls: the papers draw their
  glyphs so that readers copy the typed (logical) text.
- :func:`assert_pdf_has`: each expected string occurs in some line (spaces and ZWNJ normalized).
- :func:`drawn_lines`: records the logical text of every string a paper draws
  (``document.PaperCanvas``; a shaped line's ``logical``).
- :func:`copy_figures`: the share of the drawn text that comes back whole and in order from poppler
  (``pdftotext``) and from PDFium, after NFKC, with ZWNJ read as a space either way, bidi controls
  (invisible) left out and runs of spaces as one. A drawn line counts only if it comes back entire,
  so a reordered number, a mirrored bracket or a lost ZWNJ costs the whole line.
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium

from ostandari_desk.reports.document import PaperCanvas
from ostandari_desk.reports.glyphs import shaped_for
from ostandari_desk.reports.persian import BIDI_CONTROLS

__all__ = [
    "CopyFigures",
    "assert_pdf_has",
    "copy_figures",
    "drawn_lines",
    "pdf_lines",
    "pdf_pages",
    "poppler_text",
]

ZWNJ = "\u200c"
_INVISIBLE = str.maketrans("", "", BIDI_CONTROLS + "\x00")
_SPACES = re.compile(r"\s+")


def _read(pdf: bytes | str | Path) -> bytes:
    return pdf if isinstance(pdf, bytes) else Path(pdf).read_bytes()


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE)


def pdfium_pages(pdf: bytes | str | Path) -> list[str]:
    """The text of each page as PDFium copies it (lines separated by newlines)."""
    doc = pdfium.PdfDocument(_read(pdf))
    try:
        pages = []
        for page in doc:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range().replace("\r\n", "\n"))
            textpage.close()
            page.close()
        return pages
    finally:
        doc.close()


def poppler_text(pdf: bytes | str | Path) -> str:
    """The text of the whole PDF as ``pdftotext`` (poppler, reading order) copies it."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(_read(pdf))
        f.flush()
        done = subprocess.run(["pdftotext", "-enc", "UTF-8", f.name, "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def pdf_pages(pdf: bytes | str | Path) -> list[list[str]]:
    """Logical lines per page, top to bottom, as PDFium copies them (NFKC, no bidi controls)."""
    pages = []
    for text in pdfium_pages(pdf):
        lines = (_SPACES.sub(" ", _clean(line)).strip() for line in text.split("\n"))
        pages.append([line for line in lines if line])
    return pages


def pdf_lines(pdf: bytes | str | Path) -> list[str]:
    """Every logical line of the PDF, page after page, top to bottom."""
    return [line for page in pdf_pages(pdf) for line in page]


def _norm(text: str) -> str:
    return _SPACES.sub(" ", _clean(text).replace(ZWNJ, " ")).strip()


def assert_pdf_has(pdf: bytes | str | Path, *expected: str) -> None:
    """Each expected string must occur in some extracted line (whitespace and ZWNJ normalized)."""
    lines = pdf_lines(pdf)
    normalized = [_norm(line) for line in lines]
    missing = [e for e in expected if not any(_norm(e) in line for line in normalized)]
    if missing:
        listing = "\n".join(f"  {line}" for line in lines)
        raise AssertionError(f"not found in the PDF: {missing!r}\nextracted lines:\n{listing}")


@contextlib.contextmanager
def drawn_lines() -> Iterator[list[str]]:
    """Record the logical text of every string drawn on a paper's canvas while the block runs."""
    drawn: list[str] = []
    originals = {
        name: getattr(PaperCanvas, name) for name in ("drawString", "drawRightString", "drawCentredString")
    }

    def recording(original):
        def method(self, x, y, text, *args, **kwargs):
            shaped = text if hasattr(text, "logical") else shaped_for(text, self._fontname) if text else None
            drawn.append(shaped.logical if shaped is not None else text)
            return original(self, x, y, text, *args, **kwargs)

        return method

    for name, original in originals.items():
        setattr(PaperCanvas, name, recording(original))
    try:
        yield drawn
    finally:
        for name, original in originals.items():
            setattr(PaperCanvas, name, original)


@dataclass(frozen=True)
class CopyFigures:
    """How much of the drawn text comes back (0–1) from each reader, and the lines that did not."""

    poppler: float
    pdfium: float
    lost_poppler: list[str] = field(default_factory=list)
    lost_pdfium: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"poppler {100 * self.poppler:.1f}%  PDFium {100 * self.pdfium:.1f}%"


def _share(drawn: list[str], extracted: str) -> tuple[float, list[str]]:
    text = _norm(extracted.replace("\n", " ").replace("\f", " "))
    total = found = 0
    lost = []
    for line in drawn:
        if not line:
            continue
        total += len(line)
        if line in text:
            found += len(line)
        else:
            lost.append(line)
    return (found / total if total else 1.0), lost


def copy_figures(pdf: bytes | str | Path, drawn: Iterable[str]) -> CopyFigures:
    """The share of the ``drawn`` lines' text (by characters) that each reader copies back whole."""
    lines = [_norm(line) for line in drawn]
    poppler, lost_poppler = _share(lines, poppler_text(pdf))
    pdfium_share, lost_pdfium = _share(lines, " ".join(pdfium_pages(pdf)))
    return CopyFigures(poppler, pdfium_share, lost_poppler, lost_pdfium)


def pdf_bytes(build) -> bytes:
    """``build(out)`` into memory; the PDF's bytes."""
    out = io.BytesIO()
    build(out)
    return out.getvalue()
