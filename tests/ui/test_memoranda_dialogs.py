"""The memoranda screens: a memorandum with a governorate and one with an NGO through the form, refusals marked
on their fields (amount 0, start before signing, progress going backwards), the payment dialog's live rule
line (first tranche over 50%, a second tranche waiting for a 50% report, a cancelled memorandum), and the
list filtered by «overdue» and sorted by amount in SQL."""

from __future__ import annotations

import os
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ostandari_desk.domain import jalali
from ostandari_desk.services import reference
from ostandari_desk.services.memoranda import memoranda as ms
from ostandari_desk.services.memoranda import payments as ps
from ostandari_desk.services.memoranda import progress as prs

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
SHOTS = os.environ.get("G_SCREENSHOTS")
HARM = "اعتیاد (معتادان متجاهر)"


def j(year: int, month: int, day: int) -> date:
    return jalali.from_jalali(year, month, day)


def type_text(widget, value: str) -> None:
    for ch in value:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def shot(widget, name: str) -> None:
    if SHOTS:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
        widget.grab().save(f"{SHOTS}/m_{name}.png")


def county_id(ctx, name: str = "قزوین") -> str:
    found = reference.county_id_by_name(ctx.uow(), name)
    assert found
    return found


def make_memo(ctx, number: str, **changes) -> str:
    values = {
        "number": number,
        "title": "کاهش آسیب‌های اجتماعی در حاشیه شهر",
        "party_kind": "county",
        "county_id": county_id(ctx),
        "amount": 1_000_000_000,
        "signed_on": j(1403, 1, 15),
    }
    values.update(changes)
    return ms.create_memorandum(ctx.uow(), ms.MemorandumInput(**values))


@pytest.fixture
def errors(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(
        "ostandari_desk.ui.errors.show_user_error", lambda parent, exc, title="": shown.append(exc.message)
    )
    return shown


def show(qtbot, widget):
    widget.confirm = lambda *_a: True  # closing at the end of a test asks no question
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def memo_dialog(ctx, qtbot, memorandum_id=None, **kwargs):
    from ostandari_desk.ui.memoranda.memorandum_dialog import MemorandumDialog

    return show(qtbot, MemorandumDialog(ctx, memorandum_id, **kwargs))


def payment_dialog(ctx, qtbot, memorandum_id):
    from ostandari_desk.ui.memoranda.payment_dialog import PaymentDialog

    return show(qtbot, PaymentDialog(ctx, memorandum_id))


def fill_basics(dialog, number: str, amount: int = 2_400_000_000) -> None:
    dialog.number_edit.setText(number)
    dialog.title_edit.setFocus()
    type_text(dialog.title_edit, "پیشگیری از اعتیاد در محله")
    dialog.harm_combo.setCurrentIndex(dialog.harm_combo.findText(HARM))
    dialog.amount_edit.set_value(amount)
    dialog.signed_edit.set_value(j(1403, 2, 1))
    dialog.duration_spin.setValue(3)


def test_memorandum_with_a_governorate(ctx, qtbot, errors):
    dialog = memo_dialog(ctx, qtbot)
    assert dialog.governorate_radio.isChecked() and not dialog.ngo_picker.isEnabled()
    assert dialog.tabs.count() == 3 and not dialog.tabs.isTabEnabled(1)  # reports and payments: after saving
    fill_basics(dialog, "۱۴۰۳/ت/۱")
    dialog.county_combo.setCurrentIndex(dialog.county_combo.findText("تاکستان"))
    assert dialog.starts_edit.value() == j(1403, 2, 1)  # the start follows the signing
    assert dialog.amount_words_label.text() == "دو میلیارد و چهارصد میلیون ریال"
    assert dialog.ends_label.text() == f"پایان: {jalali.format_jalali(j(1403, 5, 1))}"
    dialog.duration_spin.setValue(6)
    assert dialog.ends_label.text() == f"پایان: {jalali.format_jalali(j(1403, 8, 1))}"
    shot(dialog, "memorandum_new")
    assert dialog.save(), errors
    d = ms.get_memorandum(ctx.uow(), dialog.saved_id)
    assert (d.number, d.party_kind, d.ngo_id, d.amount) == ("1403/ت/1", "county", None, 2_400_000_000)
    assert d.county_id == county_id(ctx, "تاکستان") and d.party_name == "فرمانداری تاکستان"
    assert (d.starts_on, d.duration_months, d.ends_on) == (j(1403, 2, 1), 6, j(1403, 8, 1))


def test_memorandum_with_an_ngo(ctx, qtbot, errors):
    from tests.ui._f2_helpers import make_ngo

    ngo_id = make_ngo(ctx, "انجمن یاری‌رسانان جوان", county="بوئین‌زهرا")
    dialog = memo_dialog(ctx, qtbot)
    fill_basics(dialog, "ت-۲")
    dialog.ngo_radio.setChecked(True)
    assert dialog.ngo_picker.isEnabled()
    dialog.ngo_picker.edit.setFocus()
    type_text(dialog.ngo_picker.edit, "یاری")
    [label] = dialog.ngo_picker.run_search()
    assert dialog.ngo_picker.choose(label)
    dialog.county_combo.setCurrentIndex(dialog.county_combo.findText("بوئین‌زهرا"))
    shot(dialog, "memorandum_ngo")
    assert dialog.save(), errors
    d = ms.get_memorandum(ctx.uow(), dialog.saved_id)
    assert (d.party_kind, d.ngo_id, d.party_name) == ("ngo", ngo_id, "انجمن یاری‌رسانان جوان")
    # an NGO memorandum opens with its NGO in the picker
    again = memo_dialog(ctx, qtbot, dialog.saved_id)
    assert again.ngo_radio.isChecked() and again.ngo_picker.value() == ngo_id
    assert again.tabs.count() == 4 and again.tabs.tabText(3) == "سابقه تغییرات"
    again.tabs.setCurrentIndex(3)
    assert again.history_tab.model.rowCount() > 0
    shot(again, "memorandum_history")


def test_amount_zero_and_start_before_signing_are_marked_on_their_fields(ctx, qtbot, errors):
    dialog = memo_dialog(ctx, qtbot)
    fill_basics(dialog, "ت-۳", amount=0)
    dialog.starts_edit.set_value(j(1403, 1, 20))  # before the signing (1403/02/01)
    assert not dialog.save()
    marked = dialog.errors.marked()
    assert dialog.amount_edit in marked and dialog.starts_edit in marked
    assert "بیشتر از صفر" in dialog.amount_edit.toolTip()
    assert "پیش از تاریخ انعقاد" in dialog.starts_edit.toolTip()
    assert dialog.errors.label.isVisible()
    shot(dialog, "memorandum_errors")
    assert ms.count_memoranda(ctx.uow()) == 0
    dialog.amount_edit.set_value(5_000_000)
    dialog.starts_edit.set_value(j(1403, 2, 10))
    assert not dialog.save()  # a governorate needs its county
    assert dialog.errors.marked() == [dialog.county_combo]
    dialog.county_combo.setCurrentIndex(dialog.county_combo.findText("قزوین"))
    assert dialog.save(), dialog.errors.label.text()
    assert not errors


def test_escape_asks_before_discarding_typed_changes(ctx, qtbot):
    dialog = memo_dialog(ctx, qtbot)
    asked: list[str] = []
    dialog.confirm = lambda _p, title, _q: asked.append(title) or False
    dialog.number_edit.setText("ت-۹")
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert asked and dialog.isVisible()


def test_first_tranche_over_half_is_refused_with_the_rule(ctx, qtbot, errors):
    memo = make_memo(ctx, "ت-۴")
    dialog = payment_dialog(ctx, qtbot, memo)
    assert dialog.tranche_label.text() == "مرحله ۱"
    assert dialog.amount_edit.value() == 500_000_000  # the most the rule allows
    assert dialog.save_button.isEnabled()
    dialog.amount_edit.set_value(600_000_000)
    assert "مرحله نخست حداکثر ۵۰٪" in dialog.rule_label.text()
    assert not dialog.save_button.isEnabled()
    shot(dialog, "payment_first_refused")
    assert not dialog.save()
    assert dialog.amount_edit in dialog.errors.marked()
    assert ms.get_memorandum(ctx.uow(), memo).payments == ()


def test_second_tranche_waits_for_a_half_progress_report(ctx, qtbot, errors, tmp_path):
    memo = make_memo(ctx, "ت-۵")
    ps.add_payment(ctx.uow(), ps.PaymentInput(memo, j(1403, 1, 20), 1, 400_000_000))
    dialog = payment_dialog(ctx, qtbot, memo)
    dialog.date_edit.set_value(j(1403, 3, 1))
    assert dialog.tranche_label.text() == "مرحله ۲"
    assert "گزارش پیشرفت ۵۰٪ ثبت نشده است" in dialog.rule_label.text()
    assert not dialog.save_button.isEnabled()
    shot(dialog, "payment_waiting")
    # the progress report through the memorandum's form, with a scan
    form = memo_dialog(ctx, qtbot, memo)
    form.tabs.setCurrentWidget(form.progress_tab)
    progress = form.new_progress()
    progress.confirm = lambda *_a: True
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4 progress")
    progress.choose_files = lambda: [str(scan)]
    progress.add_scans()
    progress.date_edit.set_value(j(1403, 2, 20))
    progress.percent_spin.setValue(50)
    type_text(progress.note_edit, "نیمی از کار انجام شد")
    shot(progress, "progress_new")
    assert progress.save(), errors
    assert form.progress_table.rowCount() == 1 and form.scans_list.count() == 1
    shot(form, "memorandum_progress_tab")
    dialog.date_edit.set_value(j(1403, 3, 2))  # the live line reads the rule again
    assert "پرداخت‌شدنی" in dialog.rule_label.text()
    assert dialog.save_button.isEnabled()
    assert dialog.save(), errors
    form.reload_detail()
    form.tabs.setCurrentWidget(form.payments_tab)
    assert form.payments_table.rowCount() == 2
    assert form.ledger_paid_label.text() == "۱٬۰۰۰٬۰۰۰٬۰۰۰ ریال"
    assert form.paid_bar.value() == 100 and form.progress_bar.text() == "۵۰٪"
    shot(form, "memorandum_payments_tab")


def test_progress_going_backwards_is_refused_on_the_field(ctx, qtbot, errors):
    from ostandari_desk.ui.memoranda.progress_dialog import ProgressDialog

    memo = make_memo(ctx, "ت-۶")
    prs.add_progress(ctx.uow(), prs.ProgressInput(memo, j(1403, 3, 1), 60))
    dialog = show(qtbot, ProgressDialog(ctx, memo))
    assert dialog.percent_spin.minimum() == 60
    dialog.date_edit.set_value(j(1403, 2, 1))  # before the 60% report, yet above it
    dialog.percent_spin.setValue(70)
    assert not dialog.save()
    assert dialog.percent_spin in dialog.errors.marked()
    assert "پیشرفت به عقب برنمی‌گردد" in dialog.errors.label.text()
    shot(dialog, "progress_backwards")
    assert len(ms.get_memorandum(ctx.uow(), memo).progress) == 1


def test_payment_on_a_cancelled_memorandum_is_refused(ctx, qtbot, errors):
    memo = make_memo(ctx, "ت-۷", state="cancelled")
    dialog = payment_dialog(ctx, qtbot, memo)
    assert "لغو شده" in dialog.rule_label.text()
    assert not dialog.save_button.isEnabled()
    assert not dialog.save()
    assert ms.get_memorandum(ctx.uow(), memo).payments == ()


def test_list_filters_overdue_and_sorts_by_amount(ctx, qtbot, errors):
    from ostandari_desk.ui.memoranda.memoranda_page import OVERDUE_TEXT, MemorandaPage

    page = show(qtbot, MemorandaPage(ctx))
    page.resize(1280, 680)
    assert page.stack.currentWidget() is page.empty_label
    shot(page, "memoranda_empty")
    late = make_memo(ctx, "ت-۱۰", amount=3_000_000, signed_on=j(1402, 1, 10))
    make_memo(ctx, "ت-۱۱", amount=9_000_000, signed_on=date.today())
    make_memo(ctx, "ت-۱۲", amount=1_000_000, signed_on=j(1402, 1, 10), state="completed")
    page.reload()
    assert page.model.total == 3
    page.apply_filter({"overdue": True})
    assert page.overdue_combo.currentText() == OVERDUE_TEXT
    assert page.model.total == 1 and page.model.id_at(0) == late
    state_column = len(page.KIND.columns) - 1
    index = page.model.index(0, state_column)
    assert OVERDUE_TEXT in page.model.data(index)
    assert page.model.data(index, Qt.ItemDataRole.BackgroundRole) is not None
    shot(page, "memoranda_overdue")
    page.apply_filter({})
    amount_column = next(i for i, c in enumerate(page.KIND.columns) if c.sort_key == "amount")
    page.table.sortByColumn(amount_column, Qt.SortOrder.AscendingOrder)
    amounts = [page.model.row_at(i).amount for i in range(page.model.loaded())]
    assert amounts == [1_000_000, 3_000_000, 9_000_000]
    assert page.model.data(page.model.index(0, amount_column)).endswith("۱٬۰۰۰٬۰۰۰")
    page.table.sortByColumn(amount_column, Qt.SortOrder.DescendingOrder)
    assert page.model.row_at(0).amount == 9_000_000
    shot(page, "memoranda_list")


def test_the_list_finds_a_title_typed_without_its_hamza_or_half_space(ctx, qtbot):
    """A clerk types «موسسه» and «مردمنهاد» as a plain keyboard gives them: the list's search box finds
    «مؤسسه‌های مردم‌نهاد» (its stored key, revision 0013), and a number typed in Latin digits."""
    from ostandari_desk.ui.memoranda.memoranda_page import MemorandaPage

    wanted = make_memo(ctx, "ت-۲۱", title="توانمندسازی مؤسسه‌های مردم\u200cنهاد")
    make_memo(ctx, "ت-۲۲", title="کاهش آسیب‌های اجتماعی در حاشیه شهر")
    page = show(qtbot, MemorandaPage(ctx))
    for typed in ("موسسه", "مردمنهاد", "ت-21"):
        page.search_edit.clear()
        type_text(page.search_edit, typed)
        qtbot.waitUntil(lambda: page.model.total == 1, timeout=3000)
        assert page.model.id_at(0) == wanted, typed
    page.search_edit.clear()
    qtbot.waitUntil(lambda: page.model.total == 2, timeout=3000)


def _fits_whole(table, samples) -> None:
    """No sideways scrolling, and each column with a sample at least as wide as it (nothing cut to «…»)."""
    total = sum(table.columnWidth(c) for c in range(table.model().columnCount()))
    assert total <= table.viewport().width() + 1
    assert not table.horizontalScrollBar().isVisible()
    metrics = table.fontMetrics()
    for column, sample in enumerate(samples):
        if sample:
            assert table.columnWidth(column) >= metrics.horizontalAdvance(sample), (column, sample)


def test_the_list_fits_1280_by_720_with_numbers_dates_and_amounts_whole(main_window, ctx, qtbot):
    """At 1280×720 the list scrolled sideways and cut its dates («۱۴۰۵/۰...») and numbers: the text columns
    give way instead."""
    from PySide6.QtWidgets import QTableView

    from ostandari_desk.ui.memoranda.memoranda_page import COLUMNS

    make_memo(ctx, "ت/۱۴۰۵/۰۰۲۱", title="توانمندسازی مؤسسه‌های مردم‌نهاد در معرض آسیب اجتماعی")
    main_window.resize(1280, 720)
    memoranda = main_window.open_area("memoranda").findChild(QTableView, "memorandumTable")
    qtbot.waitUntil(lambda: memoranda.isVisible() and memoranda.viewport().width() > 600)
    assert {"۱۴۰۸/۰۸/۲۸", "۸۸۸٬۸۸۸٬۸۸۸"} <= {c.sample for c in COLUMNS}
    _fits_whole(memoranda, [c.sample for c in COLUMNS])
