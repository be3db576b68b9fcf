"""Start-up (composition root): QApplication, right to left, Persian, the database, sign-in, main window.

Start-up stays lean: the main window shell is shown first and the database (SQLAlchemy, Alembic,
migrations) is opened on a pool thread afterwards; pages are built on first visit. The database is the one
given (``--db``: a file, or a ``postgresql://`` server), else the one opened last (paths.last_database), else
the user's own file; a server wanting a password gets the password dialog (services/credentials.py). Each
database that opens is remembered (a server without its password). Then someone signs in:
- a first run (no database file yet, or a database without its province): the set-up wizard, which
  creates the first admin; the desk opens signed in as them. Without ``--db`` its first page also offers
  the office's server instead of the file;
- a database that has no users yet (upgraded from before users existed): a dialog asks for its first
  admin before anything else;
- otherwise the login dialog; «خروج» there ends the application.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QApplication, QMessageBox

from ostandari_desk.paths import last_database
from ostandari_desk.ui.style import prepare_application

if TYPE_CHECKING:
    from ostandari_desk.ui.main_window import MainWindow

__all__ = ["create_main_window", "prepare_application", "run_gui"]

# The command line's exit codes (ostandari_desk/cli): the app is also `ostandari-desk` without a command.
EXIT_CRASH = 1
EXIT_REFUSED = 2  # another UserError at start-up
EXIT_CANCELLED = EXIT_REFUSED  # nobody signed in
EXIT_UNAVAILABLE = 3  # the database is locked, read-only, full, damaged or newer than the app


def _skip_feature_scan() -> None:
    """Stop PySide6 reading the source of every module imported after it.

    PySide6's import hook (shibokensupport/feature.py) reads each newly imported module's whole source to
    see whether it names PySide6, and so may switch to a ``from __feature__ import`` selection (snake_case,
    true_property) when called from it: some 0.05 s of the database layers' import at start-up (three
    times that with the automatic collector on). The desk selects no feature anywhere, so a module marked
    "not using PySide" (-1) is treated exactly as one marked "using it, no feature" (0): both get the
    default selection. New modules are marked without reading them. A PySide6 without that hook is left
    as it is.
    """
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        feature._mod_uses_pyside = _uses_no_feature


def _uses_no_feature(_module: Any) -> bool:
    return False


_skip_feature_scan()


def application() -> QApplication:
    """The QApplication (created if there is none), prepared: Fusion, Vazirmatn, Persian, RTL."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    prepare_application(app)  # type: ignore[arg-type]
    return app  # type: ignore[return-value]


def create_main_window(engine: Any, actor: Any, db_path: Path | None = None) -> MainWindow:
    """The main window on an open, initialized database for a signed-in ``actor`` (no wizard, no login);
    tests and the benchmark use it."""
    application()
    from ostandari_desk.ui.context import AppContext
    from ostandari_desk.ui.main_window import MainWindow

    sqlite = engine.url.get_backend_name() == "sqlite"  # a server's database name is no file
    if db_path is None and sqlite and getattr(engine.url, "database", None):
        db_path = Path(engine.url.database)
    return MainWindow(AppContext.open(engine, actor, db_path))


def _import_store() -> None:
    """Import the database layers on the main thread (an import on a pool thread can deadlock in
    PySide6's import hook); done after the window is shown, so start-up stays quick."""
    import ostandari_desk.services.credentials  # _open_engine's open_chosen
    import ostandari_desk.services.inspections.templates  # open_desk's check for missing checklists
    import ostandari_desk.services.session
    import ostandari_desk.services.setup
    import ostandari_desk.services.users
    import ostandari_desk.ui.context  # noqa: F401

    # What the imports made lives as long as the process: out of the collector's sight, so the main
    # thread's next full collection (ui/garbage.py) does not walk SQLAlchemy's objects (60 ms at start-up)
    gc.freeze()


def _import_start_page() -> None:
    """Import the start page (and the services it counts with) on the main thread while the database
    opens on its pool thread (they overlap where the opening waits on SQLite), so the sign-in leads
    straight to the page."""
    import ostandari_desk.ui.start_page  # noqa: F401


def _open_engine(database: Any) -> Any:
    """Runs on a pool thread: open (create or upgrade) the file or the server (``database``); an
    OpenedDatabase telling whether it is set up and whether it has users."""
    from ostandari_desk.services.credentials import open_chosen

    return open_chosen(database)


class _Startup:
    """Opens the database off the UI thread, then the wizard (first run) or a sign-in, and the window.

    ``database`` is a file (Path) or a server (services.credentials.ServerDatabase); ``choose_database``:
    no ``--db`` was given, so a first run's wizard may choose the office's server instead of the file.
    """

    def __init__(self, app: QApplication, database: Any, choose_database: bool = False):
        self.app = app
        self.database = database
        self.choose_database = choose_database
        self.keep_password = False  # the password dialog's «ذخیره در کلیدساز سیستم»
        self.window: MainWindow | None = None
        self.engine: Any = None
        self._file_existed = self._exists()

    @property
    def path(self) -> Path | None:
        """The database file (None for a server)."""
        return self.database if isinstance(self.database, Path) else None

    def _exists(self) -> bool:
        return self.path is None or self.path.exists()

    def start(self) -> None:
        # The wizard closes before the window shows: do not let that end the application.
        self.app.setQuitOnLastWindowClosed(False)

        if self._exists():
            from ostandari_desk.ui.main_window import MainWindow

            self.window = MainWindow()
            self.window.show()
            from PySide6.QtCore import QTimer

            QTimer.singleShot(30, self._open)  # let the window paint first
        else:
            self._open()

    def _open(self) -> None:
        from ostandari_desk.ui.tasks import run_task

        _import_store()
        database = self.database
        if self.path is None:
            from ostandari_desk.services.credentials import load_driver

            load_driver()  # a server's driver, imported on the main thread too
        run_task(
            self.window,
            lambda: _open_engine(database),
            on_done=self._on_opened,
            on_error=self._on_failed,
            label="در حال باز کردن پایگاه داده…",
        )
        _import_start_page()

    def _on_opened(self, opened: Any) -> None:
        gc.freeze()  # the start page's modules and the engine live on too (see _import_store)
        self.engine = opened.engine
        self.database = opened.database  # a server: with the password that opened it (kept in memory only)
        if self.keep_password:
            from ostandari_desk.ui.database_dialogs import keep_password

            keep_password(self.database)
            self.keep_password = False
        actor = self._signed_in(opened.initialized, opened.has_users)
        if actor is None:
            self.app.exit(EXIT_CANCELLED)
            return
        from ostandari_desk.paths import remember_database
        from ostandari_desk.ui.context import AppContext
        from ostandari_desk.ui.main_window import MainWindow

        remember_database(self.path or self.database.url)
        context = AppContext.open(self.engine, actor, self.path)
        if self.window is None:
            self.window = MainWindow()
        self.window.set_context(context)
        self.window.auto_backup = True  # the day's backup when the desk closes (ui/backup_dialogs.py)
        self.window.show()
        self.app.setQuitOnLastWindowClosed(True)

    def _signed_in(self, initialized: bool, has_users: bool) -> Any:
        """Who the desk opens for: the wizard's first admin, an upgraded database's first admin, or
        whoever signs in; None when the user cancelled."""
        from ostandari_desk.ui import login

        if not initialized:
            from ostandari_desk.ui.wizard import SetupWizard

            if self.window is not None:
                self.window.hide()
            wizard = SetupWizard(self.engine, choose_database=self.choose_database)
            accepted = wizard.exec()
            if accepted and wizard.engine is not self.engine:  # the first page chose the office's server
                self._leave_file(wizard.engine, wizard.server)
            if not accepted or not wizard.existing:
                return wizard.actor if accepted else None
            has_users = wizard.opened.has_users  # a server set up already: its users sign in
        if self.window is not None:
            self.window.statusBar().showMessage("در انتظار ورود کاربر…")
        if not has_users:
            return login.ask_first_admin(self.engine, self.window)
        return login.sign_in(self.engine, self.window)

    def _leave_file(self, engine: Any, server: Any) -> None:
        """Go on with the wizard's server: the file's engine is closed, and the file removed when this
        start-up made it (nothing was ever written there)."""
        self.engine.dispose()
        made_now = not self._file_existed and self.path is not None
        if made_now:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self.engine, self.database = engine, server

    def _on_failed(self, error: BaseException) -> None:
        """The database did not open: a Persian box saying what to do (never a traceback for a locked,
        full, read-only, damaged or newer database), then the application ends. A damaged file can be
        replaced by the latest backup from that box, and the desk opens again. A server that wants a
        password gets the password dialog, and the desk tries again with what was typed."""
        from ostandari_desk.errors import DatabaseUnavailableError, UpgradeFailedError, UserError
        from ostandari_desk.services.credentials import PasswordRequired
        from ostandari_desk.ui.errors import show_database_error, show_error

        if isinstance(error, PasswordRequired):
            from ostandari_desk.ui.database_dialogs import ask_server_password

            answer = ask_server_password(self.window, error)
            if answer is None:
                self.app.exit(EXIT_CANCELLED)
                return
            password, self.keep_password = answer
            self.database = error.server.with_password(password)
            self._open()
            return

        if isinstance(error, UpgradeFailedError):  # the file is as it was; offer its before-upgrade copy
            from ostandari_desk.ui.upgrade_failed import offer_restore

            offer_restore(self.window, error)
            self.app.exit(EXIT_UNAVAILABLE)
            return
        if isinstance(error, DatabaseUnavailableError):
            corrupt = error.reason == DatabaseUnavailableError.CORRUPT
            chosen = show_database_error(self.window, error, offer_restore=corrupt)
            if chosen is not None:
                self._restore(chosen)
            else:
                self.app.exit(EXIT_UNAVAILABLE)
            return
        show_error(self.window, error)
        if _database_unavailable(error):
            self.app.exit(EXIT_UNAVAILABLE)
        elif isinstance(error, UserError):
            self.app.exit(EXIT_REFUSED)
        else:
            self.app.exit(EXIT_CRASH)

    def _restore(self, backup: Path) -> None:
        """Put ``backup`` in place of the damaged database (which is set aside, not deleted), then open
        the desk again."""
        import ostandari_desk.services.restore  # noqa: F401 - imported on the main thread (ui/tasks.py)
        from ostandari_desk.ui.tasks import run_task

        path = self.path
        assert path is not None  # only a file is ever damaged (a server's backups are pg_dump's)
        run_task(
            self.window,
            lambda progress: _restore_backup(backup, path, progress),
            on_done=self._on_restored,
            on_error=self._on_failed,
            label="بازگردانی آخرین پشتیبان…",
            delay_ms=0,
        )

    def _on_restored(self, result: Any) -> None:
        aside = ""
        if result.set_aside is not None:
            aside = f"\nپرونده آسیب‌دیده کنار گذاشته شد (پاک نشد):\n\u2066{result.set_aside}\u2069"
        QMessageBox.information(
            self.window, "بازگردانی پشتیبان", f"پشتیبان بازگردانده شد؛ میز کار دوباره باز می‌شود.{aside}"
        )
        self._open()


def _restore_backup(backup: Path, db_path: Path, progress: Any) -> Any:
    """Runs on a pool thread: verify ``backup``, then restore it over the unreadable ``db_path``."""
    from ostandari_desk.services import restore

    with restore.prepare_restore(backup, db_path, progress) as prepared:
        return restore.restore_backup(prepared, db_path, progress=progress)


def _database_unavailable(error: BaseException) -> bool:
    from ostandari_desk.services.session import database_unavailable

    return database_unavailable(error) is not None


def run_gui(db_path: Any = None) -> int:
    """Open the desk on ``db_path`` (a file's Path, a ``postgresql://`` URL or a ServerDatabase; default:
    the database opened last, else the user's own file) and run until the window closes.

    On Linux the platform check comes first (ui/preflight.py): when Qt could not load its platform plugin
    (missing system libraries), the packages are named and the status is 2, never Qt's abort."""
    from ostandari_desk.ui.preflight import check as preflight

    refused = preflight()
    if refused is not None:
        return refused
    app = application()
    from ostandari_desk.errors import UserError
    from ostandari_desk.services.credentials import locate
    from ostandari_desk.ui.errors import install_excepthook, show_error

    install_excepthook()
    try:
        database = locate(db_path, last_database())
    except UserError as exc:  # a malformed URL
        show_error(None, exc)
        return EXIT_REFUSED
    startup = _Startup(app, database, choose_database=not db_path)
    startup.start()
    code = app.exec()  # the window saves its geometry in its closeEvent
    if startup.engine is not None:
        startup.engine.dispose()
    context = startup.window.context if startup.window is not None else None
    if context is not None and context.engine is not startup.engine:  # opened again after a restore
        context.engine.dispose()
    return code


if __name__ == "__main__":
    raise SystemExit(run_gui(sys.argv[1] if len(sys.argv) > 1 else None))
