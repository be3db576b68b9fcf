"""Remake the user guide's screenshots (resources/guide/img/*.png) from the real windows, offscreen.

    python installer/guide_screenshots.py [--demo DB]

Builds the small demo (``ostandari-desk demo --size small``) in a temporary folder unless ``--demo`` names one,
signs in as its demo user and grabs each window the guide shows (``QWidget.grab().save``) at the default
window size. Run it after a change to a window the guide shows, then look at the pictures: the guide's text
(resources/guide/guide.html) names the buttons as these windows show them.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "guide" / "img"
WINDOW = (1180, 760)  # the main window's first size (ui/main_window.py)
DIALOG = (760, 560)


def build_demo(folder: Path) -> Path:
    """The small demo in ``folder`` (its own settings folder too, so nothing of the user's is touched)."""
    database = folder / "demo.sqlite3"
    env = {**os.environ, "OSTANDARI_DESK_HOME": str(folder / "home")}
    command = [sys.executable, "-m", "ostandari_desk", "--db", str(database), "demo", "--size", "small"]
    subprocess.run(command, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    return database


def _one(database: Path, sql: str) -> str:
    with sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True) as conn:
        row = conn.execute(sql).fetchone()
    if row is None:
        raise SystemExit(f"the demo has no row for: {sql}")
    return row[0]


def _shrink(path: Path) -> None:
    """A palette of 256 colours: a window's picture loses nothing visible and takes a third of the room."""
    try:
        from PIL import Image
    except ImportError:  # Pillow comes with pypdfium2's extras; without it the pictures stay as Qt wrote them
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    small.save(path, optimize=True)


class Shots:
    """Grabs windows into OUT, letting the event loop settle first (tasks, layouts, the first paint)."""

    def __init__(self, app, window):
        self.app = app
        self.window = window
        self.made: list[str] = []

    def settle(self, until: Callable[[], bool] | None = None, seconds: float = 10) -> None:
        from ostandari_desk.ui.tasks import wait_for_tasks

        deadline = time.perf_counter() + seconds
        while until is not None and not until() and time.perf_counter() < deadline:
            self.app.processEvents()
            time.sleep(0.01)
        wait_for_tasks(int(seconds * 1000))
        for _ in range(30):
            self.app.processEvents()

    def grab(self, widget, name: str, size: tuple[int, int] | None = None) -> None:
        if size is not None:
            widget.resize(*size)
        widget.show()
        self.settle()
        path = OUT / f"{name}.png"
        widget.grab().save(str(path))
        _shrink(path)
        self.made.append(path.name)
        print(f"  {path.relative_to(ROOT)}", flush=True)

    def area(self, key: str, filters: dict | None = None):
        page = self.window.open_area(key, filters)
        self.settle()
        return page


def take(database: Path) -> list[str]:
    from ostandari_desk.app import application, create_main_window
    from ostandari_desk.services.users import authenticate
    from ostandari_desk.store.engine import sqlite_url
    from ostandari_desk.store.schema import open_database

    app = application()
    engine = open_database(sqlite_url(database))
    actor = authenticate(engine, "demo", "demo")
    window = create_main_window(engine, actor, database)
    window.resize(*WINDOW)
    window._db_label.clear()  # the status bar's file path: a temporary folder's name says nothing to a clerk
    window.show()
    shots = Shots(app, window)
    OUT.mkdir(parents=True, exist_ok=True)

    start = shots.area("start")
    shots.settle(lambda: start.year_summary is not None and start.year_summary.data is not None)
    shots.grab(window, "start_page")

    ngos = shots.area("ngos")
    shots.grab(window, "ngo_list")
    dialog = ngos.make_ngo_dialog(None)
    shots.grab(dialog, "ngo_new", (820, 640))
    dialog.close()

    case_ngo = _one(database, "SELECT ngo_id FROM licencecase WHERE state = 'inquiring' ORDER BY tracking_no")
    view = ngos.make_ngo_view(case_ngo, licence_tab=True)
    shots.grab(view, "licence_case", (1000, 680))
    step = view.licence_panel.make_dialog("answer")
    shots.grab(step, "inquiry_answer")
    step.close()
    view.close()
    valid_ngo = _one(database, "SELECT id FROM ngo WHERE licence_state = 'valid' ORDER BY name_sort")
    view = ngos.make_ngo_view(valid_ngo, licence_tab=True)
    shots.grab(view, "licence_valid", (1000, 680))
    view.close()

    events = shots.area("events")
    dialog = events.make_dialog(None)
    shots.grab(dialog, "event_new", DIALOG)
    dialog.close()
    letters = shots.area("letters")
    dialog = letters.make_dialog(None)
    shots.grab(dialog, "letter_new", DIALOG)
    dialog.close()

    from ostandari_desk.ui.transfer.menu import open_transfer_dialog

    shots.area("ngos")
    dialog = open_transfer_dialog(window, "import")
    shots.grab(dialog, "import_excel", (760, 520))
    dialog.close()

    reports = shots.area("reports", {"report": "annual", "generate": True})
    shots.settle(lambda: "آماده" in reports.status.text(), seconds=30)
    shots.grab(window, "report_annual")

    centres = shots.area("centres", {"tab": "visits"})
    visits = centres.page("visits")
    dialog = visits.make_dialog(None)
    shots.grab(dialog, "visit_new", (900, 640))
    dialog.close()

    memoranda = shots.area("memoranda", {"tab": "memoranda"}).page("memoranda")
    shots.grab(window, "memoranda_list")
    memo = _one(  # a memorandum still being paid, so the dialog proposes the next tranche
        database,
        "SELECT id FROM memorandum WHERE state = 'active' AND paid_total < amount "
        "ORDER BY latest_progress DESC, number",
    )
    dialog = memoranda.make_payment_dialog(memo)
    shots.grab(dialog, "payment_new", (700, 480))
    dialog.close()

    from ostandari_desk.ui.exchange.page import ExchangeWindow

    exchange = ExchangeWindow(window.context, window)
    shots.grab(exchange, "exchange", (900, 600))
    exchange.close()

    window.menuBar().actions()[0].menu().popup(window.mapToGlobal(window.rect().topRight()))
    file_menu = window.menuBar().actions()[0].menu()
    shots.settle()
    shots.grab(file_menu, "file_menu")
    file_menu.close()
    return shots.made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", type=Path, help="a small demo database to use (else one is built)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ostandari-guide-") as tmp:
        os.environ["OSTANDARI_DESK_HOME"] = str(Path(tmp) / "home")  # the window settings stay here
        database = args.demo.resolve() if args.demo else build_demo(Path(tmp))
        print(f"screenshots of {database}:", flush=True)
        made = take(database)
    print(f"{len(made)} pictures in {OUT.relative_to(ROOT)}")
    os._exit(0)  # no teardown of the windows


if __name__ == "__main__":
    sys.exit(main())
