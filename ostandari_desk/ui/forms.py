"""Loading Qt Designer layouts from ``forms/<name>.ui`` into a host widget.

Layouts live in ``forms/*.ui`` (Designer XML); the Python class holds only behaviour. A class
composes its form like this::

    class ReferencePage(QWidget):
        def __init__(self, context, parent=None):
            super().__init__(parent)
            self.ui = load_form("reference_page", self)   # the loaded widget, inside self's layout
            self.add_button = child(self.ui, QPushButton, "addButton")

``load_form`` loads the file with QUiLoader as a child of ``host``, puts it into a zero-margin layout
on ``host`` and returns it. ``child`` finds a named widget and fails loudly (a renamed widget in a
.ui file is a bug, not a None). Custom widgets (``JalaliDateEdit``, ``RialEdit``…) are registered with
the loader, so a form can use them by class name in a ``<widget class="JalaliDateEdit">`` element.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ostandari_desk.paths import forms_dir

__all__ = ["FormError", "child", "form_names", "load_form"]

W = TypeVar("W", bound=QWidget)
_loader = None


class FormError(RuntimeError):
    """A .ui file is missing, invalid, or lacks a widget the code expects (a programming error)."""


_CUSTOM_NAMES = (b"JalaliDateEdit", b"RialEdit", b"PersianIntSpinBox")
_custom_registered = False


def _get_loader(custom: bool = True):
    """The shared loader; our custom widgets are registered the first time a form uses one
    (so the main window's form does not pull jdatetime into start-up)."""
    global _loader, _custom_registered
    if _loader is None:
        from PySide6.QtUiTools import QUiLoader

        _loader = QUiLoader()
    if custom and not _custom_registered:
        from ostandari_desk.ui.widgets.dates import JalaliDateEdit
        from ostandari_desk.ui.widgets.numbers import PersianIntSpinBox, RialEdit

        for cls in (JalaliDateEdit, RialEdit, PersianIntSpinBox):
            _loader.registerCustomWidget(cls)
        _custom_registered = True
    return _loader


def form_names() -> list[str]:
    """The names of every form shipped in ``forms/`` (without ``.ui``)."""
    return sorted(p.stem for p in forms_dir().glob("*.ui"))


def load_form(name: str, host: QWidget) -> QWidget:
    """Load ``forms/<name>.ui`` into ``host`` and return the loaded widget."""
    path = forms_dir() / f"{name}.ui"
    uses_custom = path.is_file() and any(n in path.read_bytes() for n in _CUSTOM_NAMES)
    file = QFile(str(path))
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FormError(f"cannot open form {path}")
    try:
        loader = _get_loader(uses_custom)
        widget = loader.load(file, host)
    finally:
        file.close()
    if widget is None:
        raise FormError(f"invalid form {path}: {_get_loader().errorString()}")
    layout = host.layout()
    if layout is None:
        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)
    return widget


def child(root: QWidget, cls: type[W], name: str) -> W:
    """The descendant of ``root`` of type ``cls`` named ``name``; FormError if missing."""
    found = root.findChild(cls, name)
    if found is None:
        raise FormError(f"form {root.objectName() or type(root).__name__} has no {cls.__name__} {name!r}")
    return found
