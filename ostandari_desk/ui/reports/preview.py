"""A PDF preview: pages rendered to images (QtPdf, or PDFium through pypdfium2 where the Qt build lacks
QtPdf) shown one under the other in a scroll area, and printing those images with QPainter.

``render_pages`` makes QImages only (no QPixmap), so it may run on a worker thread.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

__all__ = ["PREVIEW_WIDTH", "PdfPreview", "print_pdf", "render_pages"]

PREVIEW_WIDTH = 720  # pixels of a rendered page in the preview


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
    """Shows the rendered pages of a report, one under the other, on a grey background."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self._pages = QWidget()
        self._pages.setObjectName("previewPages")
        self._pages.setStyleSheet("#previewPages { background: #8a9099; }")
        self._layout = QVBoxLayout(self._pages)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self._layout.setSpacing(12)
        self.setWidget(self._pages)
        self._labels: list[QLabel] = []
        self._empty = QLabel("پیش‌نمایش گزارش پس از «تهیه گزارش» اینجا دیده می‌شود.")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setStyleSheet("color: white;")
        self._layout.addWidget(self._empty)

    def page_count(self) -> int:
        return len(self._labels)

    def clear(self) -> None:
        for label in self._labels:
            self._layout.removeWidget(label)
            label.deleteLater()
        self._labels = []
        self._empty.show()

    def show_images(self, images: list[QImage]) -> int:
        """Show rendered pages (from :func:`render_pages`); returns how many."""
        self.clear()
        if images:
            self._empty.hide()
        for image in images:
            label = QLabel(self._pages)
            label.setPixmap(QPixmap.fromImage(image))
            label.setStyleSheet("background: white; border: 1px solid #5b6169;")
            self._layout.addWidget(label)
            self._labels.append(label)
        if not images:
            self._empty.setText("پیش‌نمایش در این رایانه در دسترس نیست؛ گزارش را ذخیره یا چاپ کنید.")
        return len(images)

    def show_pdf(self, data: bytes) -> int:
        return self.show_images(render_pages(data))


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
