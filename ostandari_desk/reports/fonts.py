"""Register Vazirmatn with ReportLab, once, from the bundled resources."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "Vazirmatn"
FONT_BOLD = "Vazirmatn-Bold"

_FILES = {FONT: "Vazirmatn-Regular.ttf", FONT_BOLD: "Vazirmatn-Bold.ttf"}
_lock = threading.Lock()


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
                pdfmetrics.registerFont(TTFont(name, str(fonts_dir() / filename)))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
