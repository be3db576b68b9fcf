"""Look and feel: Fusion, Vazirmatn 10pt, right to left, Qt's Persian catalogue, a light stylesheet."""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from ostandari_desk.paths import resources_dir
from ostandari_desk.ui.garbage import collect_on_main_thread

__all__ = ["FONT_FAMILY", "prepare_application"]

FONT_FAMILY = "Vazirmatn"
FONT_POINT_SIZE = 10
_FONT_FILES = ("Vazirmatn-Regular.ttf", "Vazirmatn-Medium.ttf", "Vazirmatn-Bold.ttf")
_TRANSLATIONS = ("qtbase_fa",)


def _load_fonts() -> str:
    family = FONT_FAMILY
    for name in _FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(resources_dir() / "fonts" / name))
        if font_id >= 0:
            families = QFontDatabase.applicationFontFamilies(font_id)
            if families:
                family = families[0]
    return family


def _install_translators(app: QApplication) -> list[QTranslator]:
    """Qt's own Persian (standard buttons and dialogs): shipped copy first, then PySide6's folder."""
    folders = [
        str(resources_dir() / "translations"),
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
    ]
    installed = []
    for name in _TRANSLATIONS:
        for folder in folders:
            translator = QTranslator(app)
            if translator.load(name, folder):
                app.installTranslator(translator)
                installed.append(translator)
                break
    return installed


def prepare_application(app: QApplication) -> None:
    """Fonts, translator, direction, locale and style on ``app``, and garbage collected on its thread only
    (ui/garbage.py); safe to call more than once."""
    # A str, not a bool: on Python 3.11 PySide6 6.12 loses a reference to True/False read back from a
    # QVariant, and the interpreter aborts at exit ("bool_dealloc"). Keep bools out of Qt properties.
    if app.property("ostandari_prepared") == "yes":
        return
    app.setProperty("ostandari_prepared", "yes")
    collect_on_main_thread(app)
    app.setStyle("Fusion")
    QLocale.setDefault(QLocale(QLocale.Language.Persian, QLocale.Country.Iran))
    _install_translators(app)
    app.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    family = _load_fonts()
    font = QFont(family, FONT_POINT_SIZE)
    app.setFont(font)
    qss = resources_dir() / "style" / "app.qss"
    if qss.is_file():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))
