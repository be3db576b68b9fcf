"""«پرونده ← تبادل با استان / شهرستان…»: two desks (the province's ``ctx`` and Abyek county's), registration by
identity file with the fingerprint dialog, an export on one desk taken in on the other, and a conflict settled
from its dialog."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox
from services.conftest import next_national_id

from ostandari_desk.domain.roles import Actor, Role
from ostandari_desk.services import reference
from ostandari_desk.services.exchange import desks, export, imports
from ostandari_desk.services.ngos import NgoInput, create_ngo, get_ngo, update_ngo
from ostandari_desk.ui.exchange import page as exchange_page
from ostandari_desk.ui.exchange.dialogs import ConflictDialog, RegisterDialog
from ostandari_desk.ui.exchange.page import ExchangeWindow
from ostandari_desk.ui.tasks import wait_for_tasks
from ui.test_no_latin_text import latin_texts

WAIT_MS = 20_000


def county_desk(template, path):
    """A county desk's context: its own database, set up for قزوین / آبیک, acting as an admin."""
    from ostandari_desk.services import setup
    from ostandari_desk.services.session import open_desk
    from ostandari_desk.ui.context import AppContext

    shutil.copy(template, path)
    engine = open_desk(path)
    actor = Actor(username="abyek-admin", full_name="مدیر آبیک", role=Role.ADMIN)
    context = AppContext(engine=engine, actor=actor, db_path=path)
    setup.initialize(context.uow(), "قزوین", "آبیک")
    return context


@pytest.fixture
def county_ctx(tmp_path, _migrated_template, prepared_app):
    """Abyek county's desk."""
    context = county_desk(_migrated_template, tmp_path / "abyek.sqlite3")
    yield context
    wait_for_tasks()
    context.engine.dispose()


def open_window(context, qtbot) -> ExchangeWindow:
    window = ExchangeWindow(context)
    window.errors = []
    window.show_error = lambda _parent, error: window.errors.append(error)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def settle(qtbot) -> None:
    qtbot.waitUntil(lambda: wait_for_tasks(100), timeout=WAIT_MS)


def answer(window) -> str:
    box = window.last_dialog
    assert isinstance(box, QMessageBox), box
    text = box.text()
    box.close()
    return text


@pytest.fixture
def chooser(monkeypatch):
    """The file choosers answer with the paths the test sets: ``chooser.save``/``chooser.open``."""

    class Chooser:
        save = None
        open = None

    monkeypatch.setattr(exchange_page, "choose_save", lambda *_a: Chooser.save)
    monkeypatch.setattr(exchange_page, "choose_open", lambda *_a: Chooser.open)
    return Chooser


def abyek_ngo(context, name: str = "انجمن سبز آبیک") -> str:
    county_id = reference.county_id_by_name(context.uow(), "آبیک")
    data = NgoInput(national_id=next_national_id(), name=name, county_id=county_id, level="county")
    return create_ngo(context.uow(), data)


def edit_address(context, ngo_id: str, address: str) -> None:
    detail = get_ngo(context.uow(), ngo_id)
    data = replace(detail.to_input(), address=address)
    update_ngo(context.uow(), ngo_id, data, detail.board_inputs(), detail.row_version)


@pytest.fixture
def registered(ctx, county_ctx, qtbot, chooser, tmp_path):
    """Both windows; the province registered Abyek's identity through the dialog, Abyek the province's."""
    county = open_window(county_ctx, qtbot)
    chooser.save = tmp_path / "abyek.json"
    county.save_identity_button.click()
    assert county.fingerprint_label.text() in answer(county)
    province = open_window(ctx, qtbot)
    chooser.open = tmp_path / "abyek.json"
    province.register_button.click()
    dialog = province.last_dialog
    assert isinstance(dialog, RegisterDialog)
    shown = {label.text() for label in dialog.findChildren(QLabel, "fingerprintLabel")}
    assert {county.fingerprint_label.text(), province.fingerprint_label.text()} <= shown
    dialog.confirm_button.click()
    assert province.errors == []
    assert "ثبت شد" in answer(province)
    assert province.desks.shown(0) == ["آبیک"]
    province_file = tmp_path / "province.json"
    desks.write_identity(ctx.uow(), province_file)
    desks.register_desk(county_ctx.uow(), desks.read_identity(province_file))
    county.refresh()
    assert county.peer_combo.currentText() == "استان قزوین"
    return province, county


def test_register_by_file_after_confirming_the_fingerprint(registered):
    province, county = registered
    assert province.desk_label.text() == "میز استان قزوین"
    assert county.desk_label.text() == "میز شهرستان آبیک (استان قزوین)"
    assert province.peer_combo.currentText() == "آبیک" and province.export_button.isEnabled()


def test_a_desk_set_up_again_replaces_the_old_key_after_a_warning(
    registered, ctx, tmp_path, _migrated_template, chooser, qtbot
):
    province, county = registered
    old = county.fingerprint_label.text()
    again = county_desk(_migrated_template, tmp_path / "abyek-again.sqlite3")
    try:
        desks.write_identity(again.uow(), tmp_path / "abyek-again.json")
    finally:
        again.engine.dispose()
    chooser.open = tmp_path / "abyek-again.json"
    dialog = province.register_desk()
    warning = dialog.findChild(QLabel, "replaceWarning")
    assert warning is not None and "کلید دیگری" in warning.text()
    assert old in {label.text() for label in dialog.findChildren(QLabel, "fingerprintLabel")}
    qtbot.waitExposed(dialog)
    assert dialog.grab().save("/tmp/exchange_register.png")
    dialog.confirm_button.click()
    assert province.errors == []
    answer(province)
    every = desks.list_desks(ctx.uow(), include_inactive=True)
    assert sorted((d.county, d.active, d.fingerprint == old) for d in every) == [
        ("آبیک", False, True),
        ("آبیک", True, False),
    ]
    assert sorted(province.desks.shown(2)) == ["جایگزین‌شده", "فعال"]


def test_cancelling_the_fingerprint_registers_nothing(ctx, county_ctx, qtbot, chooser, tmp_path):
    desks.write_identity(county_ctx.uow(), tmp_path / "abyek.json")
    province = open_window(ctx, qtbot)
    assert not province.export_button.isEnabled()  # nobody to send to yet
    chooser.open = tmp_path / "abyek.json"
    dialog = province.register_desk()
    assert dialog is not None and dialog.confirm_button is not None
    dialog.reject()
    assert desks.list_desks(ctx.uow()) == [] and province.desks.shown(0) == []


def test_export_on_the_county_and_import_at_the_province(
    registered, ctx, county_ctx, qtbot, chooser, tmp_path
):
    province, county = registered
    abyek_ngo(county_ctx)
    chooser.save = tmp_path / "abyek-1.exchange"
    county.export_button.click()
    settle(qtbot)
    assert county.errors == []
    assert "شماره ۱" in answer(county) and chooser.save.is_file()
    assert county.files.shown(1) == ["ارسالی"] and county.files.shown(8) == ["در انتظار رسید"]
    chooser.open = chooser.save
    province.import_file()
    settle(qtbot)
    assert province.errors == []
    text = answer(province)
    assert "از میز شهرستان آبیک دریافت شد" in text and "اعمال شد: ۱" in text
    assert [r.name for r in get_all_ngos(ctx)] == ["انجمن سبز آبیک"]
    [row] = province.files.model.rows
    assert (row.direction, row.kind, row.seq, row.peer) == ("received", "changes", 1, "آبیک")
    assert province.files.shown(0)[0].startswith("۱۴") and province.files.shown(3) == ["۱"]
    # the receipt back to the county marks its file as acknowledged
    chooser.save = tmp_path / "abyek-1.receipt"
    province.receipt_button.click()
    settle(qtbot)
    assert "رسید برای آبیک نوشته شد" in answer(province)
    chooser.open = chooser.save
    county.import_button.click()
    settle(qtbot)
    assert "رسید شماره ۱ از میز استان دریافت شد" in answer(county)
    sent = next(r for r in county.files.model.rows if r.direction == "sent")
    assert sent.acked


def get_all_ngos(context):
    from ostandari_desk.services.ngos import NgoFilter, list_ngo_page

    return list_ngo_page(context.uow(), NgoFilter(), limit=50)


@pytest.fixture
def conflict(registered, ctx, county_ctx, qtbot, chooser, tmp_path):
    """An NGO sent to the province, then its address edited on both desks; the province takes the second file."""
    province, _county = registered
    ngo_id = abyek_ngo(county_ctx)
    export.export_changes(county_ctx.uow(), tmp_path / "1.exchange")
    imports.import_file(ctx.uow(), tmp_path / "1.exchange")
    edit_address(county_ctx, ngo_id, "آبیک، خیابان امام")
    edit_address(ctx, ngo_id, "آبیک، میدان آزادی")
    export.export_changes(county_ctx.uow(), tmp_path / "2.exchange")
    chooser.open = tmp_path / "2.exchange"
    province.import_button.click()
    settle(qtbot)
    assert "ناسازگاری: ۱" in answer(province)
    assert province.tabs.currentIndex() == 2 and province.tabs.tabText(2) == "ناسازگاری‌ها (۱)"
    assert province.conflicts.shown(1) == ["آبیک"]
    return province, ngo_id


def open_conflict_dialog(province) -> ConflictDialog:
    assert province.conflicts.select_where(lambda c: True)
    province.open_conflict_button.click()
    dialog = province.last_dialog
    assert isinstance(dialog, ConflictDialog)
    return dialog


def test_a_conflict_shows_both_versions_and_takes_theirs(conflict, ctx, qtbot):
    province, ngo_id = conflict
    dialog = open_conflict_dialog(province)
    table = dialog.table
    rows = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    address = rows["نشانی"]
    assert address in dialog.changed_rows
    assert "میدان آزادی" in table.item(address, 1).text() and "خیابان امام" in table.item(address, 2).text()
    assert dialog.changed_rows == [address]  # only the address differs
    same = next(r for r in range(table.rowCount()) if r != address)
    assert table.item(address, 1).font().bold() and not table.item(same, 1).font().bold()
    assert table.item(address, 2).background() != table.item(same, 2).background()
    assert table.horizontalHeaderItem(1).text() == "این میز"
    dialog.theirs_button.click()
    assert province.errors == []
    assert get_ngo(ctx.uow(), ngo_id).address == "آبیک، خیابان امام"
    assert province.conflicts.model.rows == [] and province.tabs.tabText(2) == "ناسازگاری‌ها"


def test_a_conflict_keeps_ours(conflict, ctx):
    province, ngo_id = conflict
    open_conflict_dialog(province).ours_button.click()
    assert province.errors == []
    assert get_ngo(ctx.uow(), ngo_id).address == "آبیک، میدان آزادی"
    assert province.conflicts.model.rows == []


def test_a_clerk_sees_the_page_read_only(conflict, ctx, qtbot):
    clerk = Actor(username="sara", full_name="سارا", role=Role.CLERK)
    from ostandari_desk.ui.context import AppContext

    window = open_window(AppContext(engine=ctx.engine, actor=clerk), qtbot)
    for button in (
        window.save_identity_button,
        window.register_button,
        window.export_button,
        window.import_button,
        window.receipt_button,
    ):
        assert not button.isEnabled()
    assert window.findChild(QLabel, "readOnlyNote") is not None
    assert len(window.files.model.rows) == 2 and len(window.conflicts.model.rows) == 1
    dialog = open_conflict_dialog(window)
    assert not dialog.ours_button.isEnabled() and not dialog.theirs_button.isEnabled()
    dialog.close()


def test_tables_sort_and_the_keyboard_opens_a_conflict(conflict, qtbot):
    province, _ngo_id = conflict
    files = province.files
    files.view.sortByColumn(3, Qt.SortOrder.AscendingOrder)
    assert files.shown(3) == ["۱", "۲"]
    files.view.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    assert files.shown(3) == ["۲", "۱"]
    view = province.conflicts.view
    view.setFocus()
    assert province.conflicts.select_where(lambda c: True)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert isinstance(province.last_dialog, ConflictDialog)
    province.last_dialog.close()


@pytest.mark.qt_log_ignore("does not support raise", "does not support activateWindow")
def test_opened_from_the_file_menu_all_in_persian(main_window, qtbot, tmp_path):
    action = main_window.exchange_action
    assert action.text() == "تبادل با استان / شهرستان…"
    assert action in main_window.menuBar().actions()[0].menu().actions()
    action.trigger()
    window = main_window.exchange_window
    assert isinstance(window, ExchangeWindow) and window.isVisible()
    assert window.windowTitle() == "تبادل با استان / شهرستان"
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert latin_texts(window) == []
    action.trigger()  # a second time: the same window comes forward
    assert main_window.exchange_window is window
    window.close()


def test_records_that_came_in_refresh_the_open_lists(main_window, ctx):
    from ostandari_desk.ui.exchange import open_exchange_window

    page = main_window.open_area("ngos")
    assert page.model.total == 0
    window = open_exchange_window(main_window)
    create_ngo(
        ctx.uow(),
        NgoInput(national_id=next_national_id(), name="انجمن تازه", county_id=None, level="province"),
    )
    window.changed.emit()  # what an import or a settled conflict says
    assert page.model.total == 1
    window.close()


def test_screenshot(conflict, qtbot):
    province, _ngo_id = conflict
    province.tabs.setCurrentIndex(1)
    province.resize(1180, 720)
    qtbot.wait(50)
    assert province.grab().save("/tmp/exchange_page.png")
    province.tabs.setCurrentIndex(0)
    qtbot.wait(50)
    assert province.grab().save("/tmp/exchange_desks.png")
    province.tabs.setCurrentIndex(2)
    qtbot.wait(50)
    assert province.grab().save("/tmp/exchange_conflicts.png")
    dialog = open_conflict_dialog(province)
    qtbot.waitExposed(dialog)
    assert dialog.grab().save("/tmp/exchange_conflict.png")
    dialog.close()
