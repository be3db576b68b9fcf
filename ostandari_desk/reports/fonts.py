"""Register Vazirmatn with ReportLab, once, from the bundled resources, as fonts whose glyphs copy as text.

A shaped Persian line draws glyphs that the font's cmap does not name (medial and final forms, the
lam-alef ligature, «ۀ» composed from «ه» and «ٔ») or names as a presentation form. ReportLab would map
them to private-use characters. :class:`PaperFont` instead gives each (glyph, text) pair a code of its
own (:meth:`PaperFont.glyph_char`) and writes that text into the subset's ToUnicode map, so a PDF
reader's copy, search and text extraction read the letters that were typed.
"""

from __future__ import annotations

import itertools
import sys
import threading
from pathlib import Path

from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, ShapedStr, TTFont

__all__ = ["FONT", "FONT_BOLD", "PaperFont", "fonts_dir", "register_fonts"]

FONT = "Vazirmatn"
FONT_BOLD = "Vazirmatn-Bold"

_FILES = {FONT: "Vazirmatn-Regular.ttf", FONT_BOLD: "Vazirmatn-Bold.ttf"}
_lock = threading.Lock()

#: Codes handed out for (glyph, text) pairs: Supplementary Private Use Area-A, never typed by a clerk.
_FIRST_ALIAS = 0xF0000
_LAST_ALIAS = 0xFFFFD
_aliases = itertools.count(_FIRST_ALIAS)
#: The PDF width of a hidden mark (thousandths of an em): see :meth:`PaperFont.hidden_char`.
_HIDDEN_WIDTH = 2000.0


class PaperFont(TTFont):
    """A TrueType font whose drawn glyphs map back to the text they were shaped from."""

    def __init__(self, name: str, filename: str):
        super().__init__(name, filename)
        self._alias_of: dict[tuple[int, str | None], str] = {}
        self._alias_text: dict[int, str] = {}
        self._alias_lock = threading.Lock()

    def glyph_char(self, gid: int, text: str) -> str:
        """A character to draw glyph ``gid`` with, which a PDF reader reads back as ``text``.

        The glyph's own cmap character when that is ``text``; otherwise a private code, registered
        once per (glyph, text) with the glyph's advance width.
        """
        if len(text) == 1 and self.face.charToGlyph.get(ord(text)) == gid:
            return text
        key = (gid, text)
        found = self._alias_of.get(key)
        if found is not None:
            return found
        with self._alias_lock:
            found = self._alias_of.get(key)
            if found is None:
                found = self._new_alias(key, gid, self.glyph_width(gid), text)
        return found

    def glyph_width(self, gid: int) -> float:
        """The advance width of glyph ``gid`` in thousandths of the font size."""
        return self.face._pdfScale(self.face.hmetrics[gid][0])

    def hidden_char(self, gid: int) -> str:
        """A character for glyph ``gid`` drawn as a mark off the baseline, whose text is read elsewhere.

        Its width in the PDF is wide (the drawing cancels it) so that PDFium, which starts a new
        line where a narrow glyph sits far off the baseline, keeps the mark on its line.
        """
        key = (gid, None)
        found = self._alias_of.get(key)
        if found is None:
            with self._alias_lock:
                found = self._alias_of.get(key) or self._new_alias(key, gid, _HIDDEN_WIDTH, "\u200b")
        return found

    def _new_alias(self, key: tuple[int, str | None], gid: int, width: float, text: str) -> str:
        code = next(_aliases)  # one sequence for every font: a drawn string names its font's glyphs only
        if code > _LAST_ALIAS:
            raise ValueError("the glyph aliases ran out")
        self.face.charWidths[code] = width
        self.face.charToGlyph[code] = gid
        self._alias_text[code] = text
        found = self._alias_of[key] = chr(code)
        return found

    def stringWidth(self, text: str, size: float, encoding: str = "utf8") -> float:
        """The shaped advance of a :class:`ShapedStr`; ReportLab's own measure for anything else."""
        if isinstance(text, ShapedStr):
            advance = getattr(text, "advance", None)
            if advance is None:
                advance = sum(d.x_advance for d in text.__shapeData__)
            return advance * size / 1000
        return super().stringWidth(text, size, encoding)

    def addObjects(self, doc: pdfdoc.PDFDocument) -> None:
        """ReportLab's subset fonts, with a ToUnicode map that names each alias's text (see the module)."""
        try:
            state = self.state[doc]
        except KeyError:
            state = self.state[doc] = TTFont.State(self._asciiReadable)
        state.frozen = 1
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_font_name = (b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX))).decode(
                "pdfdoc"
            )
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = f"Font {self.fontName} subset {n}"
            pdf_font.Name = internal_name
            pdf_font.BaseFont = base_font_name
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = pdfdoc.PDFArray(list(map(self.face.getCharWidth, subset)))
            cmap = pdfdoc.PDFStream()
            cmap.content = self._to_unicode(base_font_name, subset)
            if doc.compression:
                cmap.filters = [pdfdoc.PDFZCompress]
            pdf_font.ToUnicode = doc.Reference(cmap, "toUnicodeCMap:" + base_font_name)
            pdf_font.FontDescriptor = self.face.addSubsetObjects(doc, base_font_name, subset)
            doc.Reference(pdf_font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font
        del self.state[doc]

    def _to_unicode(self, name: str, subset: list[int]) -> str:
        """A ToUnicode CMap: each code of the subset -> its character, or an alias's text (UTF-16BE)."""
        pairs = []
        for i, code in enumerate(subset):
            text = self._alias_text.get(code, chr(code))
            pairs.append(f"<{i:02X}> <{text.encode('utf-16-be').hex().upper()}>")
        return "\n".join(
            [
                "/CIDInit /ProcSet findresource begin",
                "12 dict begin",
                "begincmap",
                "/CIDSystemInfo",
                f"<< /Registry ({name})",
                f"/Ordering ({name})",
                "/Supplement 0",
                ">> def",
                f"/CMapName /{name} def",
                "/CMapType 2 def",
                "1 begincodespacerange",
                f"<00> <{len(subset) - 1:02X}>",
                "endcodespacerange",
                f"{len(subset)} beginbfchar",
                *pairs,
                "endbfchar",
                "endcmap",
                "CMapName currentdict /CMap defineresource pop",
                "end",
                "end",
            ]
        )


def fonts_dir() -> Path:
    """The bundled fonts folder: beside the package, or inside a PyInstaller bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources" / "fonts"
    return Path(__file__).resolve().parents[2] / "resources" / "fonts"


def register_fonts() -> None:
    """Register «Vazirmatn» and «Vazirmatn-Bold» (idempotent, thread-safe)."""
    with _lock:
        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, filename in _FILES.items():
            if name not in registered:
                pdfmetrics.registerFont(PaperFont(name, str(fonts_dir() / filename)))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
