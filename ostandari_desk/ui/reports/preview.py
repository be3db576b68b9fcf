"""A PDF preview: pages rendered to images (QtPdf, or PDFium through pypdfium2 where the Qt build lacks
QtPdf) shown one under the other in a scroll area, and printing those images with QPainter.

The preview fits the page to the pane's width by default (a page is never wider than its pane, so the
print date and the last column stay in sight); ``ZoomBar`` zooms in and out (Ctrl++ / Ctrl+-) and back to
the pane's width (Ctrl+0). ``render_pages`` makes QImages only (no QPixmap), so it may run on a worker
thread.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeySequence, QPainter, QPixmap, QResizeEvent, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from ostandari_desk.domain.text import to_persian_digits

__all__ = ["PREVIEW_WIDTH", "PdfPreview", "ZoomBar", "print_pdf", "render_pages"]

PREVIEW_WIDTH = 720  # pixels of a rendered page (the preview scales it: fitted to the pane, or zoomed)
ZOOM_STEP = 1.25
ZOOM_RANGE = (0.25, 2.0)  # of the rendered width
_MARGIN = 12  # grey around the pages


def _render_qtpdf(data: bytes, width: int) -> list[QImage] | None:
    try:
        from PySide6.QtPdf import QPdfDocument
    except ImportError:
        return None
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    try:
        images = []
        for page in range(document.pageCount()):
            size = document.pagePointSize(page)
            height = int(width * size.height() / max(size.width(), 1))
            images.append(document.render(page, QSize(width, height)))
        return images
    finally:
        document.close()
        buffer.close()


def _render_pdfium(data: bytes, width: int) -> list[QImage] | None:
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return None
    document = pdfium.PdfDocument(data)
    try:
        images = []
        for index in range(len(document)):
            page = document[index]
            bitmap = page.render(scale=width / page.get_width())
            pil = bitmap.to_pil().convert("RGBA")
            raw = pil.tobytes("raw", "RGBA")
            images.append(
                QImage(raw, pil.width, pil.height, pil.width * 4, QImage.Format.Format_RGBA8888).copy()
            )
            page.close()
        return images
    finally:
        document.close()


def render_pages(data: bytes, width: int = PREVIEW_WIDTH) -> list[QImage]:
    """Every page of the PDF ``data`` as an image ``width`` pixels wide ([] if no renderer is available)."""
    for renderer in (_render_qtpdf, _render_pdfium):
        images = renderer(data, width)
        if images is not None:
            return images
    return []


class PdfPreview(QScrollArea):
    """Shows the rendered pages of a report, one under the other, on a grey background.

    ``zoom`` is None while the pages fit the pane's width (the default), else a scale of the rendered
    image; ``zoom_changed`` tells the zoom bar.
    """

    EMPTY_TEXT = "پیش‌نمایش گزارش پس از «تهیه گزارش» اینجا دیده می‌شود."
    zoom_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reportPreview")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._pages = QWidget()
        self._pages.setObjectName("previewPages")
        self._pages.setStyleSheet("#previewPages { background: #8a9099; }")
        self._layout = QVBoxLayout(self._pages)
        self._layout.setContentsMargins(_MARGIN, _MARGIN, _MARGIN, _MARGIN)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self._layout.setSpacing(12)
        self.setWidget(self._pages)
        self._labels: list[QLabel] = []
        self._images: list[QImage] = []
        self.zoom: float | None = None
        self._shown_width = 0
        self._refit = QTimer(self, singleShot=True, interval=60)  # a resize drag re-scales once it rests
        self._refit.timeout.connect(self._scale_pages)
        self._empty = QLabel(self.EMPTY_TEXT)
        self._empty.setObjectName("previewEmptyLabel")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setStyleSheet("color: white;")
        self._layout.addWidget(self._empty)

    def page_count(self) -> int:
        return len(self._labels)

    def clear(self) -> None:
        """No pages: the hint that a report shows here once made."""
        for label in self._labels:
            self._layout.removeWidget(label)
            label.deleteLater()
        self._labels = []
        self._images = []
        self._empty.setText(self.EMPTY_TEXT)
        self._empty.show()

    def show_images(self, images: list[QImage]) -> int:
        """Show rendered pages (from :func:`render_pages`); returns how many."""
        self.clear()
        if images:
            self._empty.hide()
        self._images = list(images)
        for _image in images:
            label = QLabel(self._pages)
            label.setObjectName("previewPage")
            label.setStyleSheet("background: white; border: 1px solid #5b6169;")
            self._layout.addWidget(label)
            self._labels.append(label)
        self._shown_width = 0
        self._scale_pages()
        if not images:
            self._empty.setText("پیش‌نمایش در این رایانه در دسترس نیست؛ گزارش را ذخیره یا چاپ کنید.")
        return len(images)

    # --- zoom -------------------------------------------------------------------------------------

    def fit_width(self) -> int:
        """The page width that fits the pane (its viewport less the grey margins)."""
        return max(120, self.viewport().width() - 2 * _MARGIN - 2)

    def page_width(self) -> int:
        """How wide a page is shown now, in pixels."""
        rendered = self._images[0].width() if self._images else PREVIEW_WIDTH
        return self.fit_width() if self.zoom is None else max(1, round(rendered * self.zoom))

    def scale(self) -> float:
        """The shown width over the rendered width (1.0: the image's own pixels)."""
        rendered = self._images[0].width() if self._images else PREVIEW_WIDTH
        return self.page_width() / max(rendered, 1)

    def set_zoom(self, zoom: float | None) -> None:
        """None: fit the pane's width; else a scale of the rendered page (kept within ZOOM_RANGE)."""
        if zoom is not None:
            zoom = min(max(zoom, ZOOM_RANGE[0]), ZOOM_RANGE[1])
        self.zoom = zoom
        self._scale_pages()

    def zoom_in(self) -> None:
        self.set_zoom(self.scale() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.scale() / ZOOM_STEP)

    def fit_to_width(self) -> None:
        self.set_zoom(None)

    def _scale_pages(self) -> None:
        width = self.page_width()
        if width == self._shown_width:
            self.zoom_changed.emit()  # the fit button follows the mode even at the same width
            return
        self._shown_width = width
        for label, image in zip(self._labels, self._images, strict=True):
            shown = (
                image
                if image.width() == width
                else image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
            )
            label.setPixmap(QPixmap.fromImage(shown))
            label.setFixedSize(shown.size() + QSize(2, 2))
        self.zoom_changed.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.zoom is None and self._labels:
            self._refit.start()

    def show_pdf(self, data: bytes) -> int:
        return self.show_images(render_pages(data))


class ZoomBar(QWidget):
    """«کوچک‌نمایی» / «بزرگ‌نمایی» / «هم‌عرض صفحه» and the scale shown, for ``preview`` (with Ctrl+- /
    Ctrl++ / Ctrl+0 on the preview's page)."""

    def __init__(self, preview: PdfPreview, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("zoomBar")
        self.preview = preview
        self.out_button = self._button("−", "zoomOutButton", "کوچک‌نمایی", preview.zoom_out)
        self.in_button = self._button("+", "zoomInButton", "بزرگ‌نمایی", preview.zoom_in)
        self.fit_button = self._button(
            "هم‌عرض صفحه", "fitWidthButton", "اندازه صفحه به پهنای پیش‌نمایش (Ctrl+0)", preview.fit_to_width
        )
        self.fit_button.setCheckable(True)
        for button in (self.out_button, self.in_button):
            button.setFixedWidth(36)
        self.scale_label = QLabel(self)
        self.scale_label.setObjectName("zoomLabel")
        self.scale_label.setMinimumWidth(48)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("نمایش:", self))
        layout.addWidget(self.out_button)
        layout.addWidget(self.scale_label)
        layout.addWidget(self.in_button)
        layout.addWidget(self.fit_button)
        layout.addStretch(1)
        host = parent if parent is not None else preview
        for keys, run in (
            (("Ctrl++", "Ctrl+="), preview.zoom_in),
            (("Ctrl+-",), preview.zoom_out),
            (("Ctrl+0",), preview.fit_to_width),
        ):
            for key in keys:
                QShortcut(QKeySequence(key), host, activated=run)
        preview.zoom_changed.connect(self.update_state)
        self.update_state()

    def _button(self, text: str, name: str, tip: str, run) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.clicked.connect(lambda _checked=False: run())
        return button

    def update_state(self) -> None:
        """The scale in Persian digits; «هم‌عرض صفحه» pressed while the page fits the pane."""
        self.scale_label.setText(f"{to_persian_digits(round(self.preview.scale() * 100))}٪")
        self.fit_button.setChecked(self.preview.zoom is None)
        self.in_button.setEnabled(self.preview.scale() < ZOOM_RANGE[1] - 1e-6)
        self.out_button.setEnabled(self.preview.scale() > ZOOM_RANGE[0] + 1e-6)


PRINT_DPI = 300  # sharp on paper; a page at a 1,200 dpi printer's own resolution took 19 s and 2 GB


def print_pdf(data: bytes, printer) -> int:
    """Paint each page of ``data`` on ``printer``, fitted to its page; returns the pages printed.

    Pages are rendered at no more than PRINT_DPI and scaled into the printer's page by the painter."""
    rect = printer.pageRect(printer.Unit.DevicePixel).toRect()
    scale = min(1.0, PRINT_DPI / max(printer.resolution(), 1))
    images = render_pages(data, max(1, int(rect.width() * scale)))
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    try:
        for number, image in enumerate(images):
            if number:
                printer.newPage()
            target = image.size().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRect(QPoint(0, 0), target), image)
        return len(images)
    finally:
        painter.end()
