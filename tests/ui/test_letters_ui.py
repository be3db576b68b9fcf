"""Letters page and dialog: create a letter with an attachment through the dialog; it shows in the list."""

from __future__ import annotations

import itertools
import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ostandari_desk.domain import text
from ostandari_desk.domain.ids import make_legal_national_id
from ostandari_desk.domain.jalali import from_jalali as J
from ostandari_desk.services import letters as letter_service

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
_prefix = itertools.count(1_054_000_000)
SHOTS = os.environ.get("G_SCREENSHOTS")


def insert_ngo(ctx, name: str) -> tuple[str, str]:
    from ostandari_desk.services.ngos import NgoInput, create_ngo

    national_id = make_legal_national_id(str(next(_prefix)))
    ngo_id = create_ngo(
        ctx.uow(), NgoInput(national_id=national_id, name=name, county_id=None, level="province"), []
    )
    return ngo_id, national_id


def type_text(widget, value: str) -> None:
    for ch in value:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def press_ctrl_s(dialog) -> None:
    from PySide6.QtGui import QKeySequence, QShortcut

    [shortcut] = [s for s in dialog.findChildren(QShortcut) if s.key() == QKeySequence("Ctrl+S")]
    shortcut.activated.emit()


def shot(widget, name: str) -> None:
    if SHOTS:
        widget.grab().save(f"/tmp/g_{name}.png")


@pytest.fixture
def page(ctx, qtbot):
    from ostandari_desk.ui.letters import LettersPage

    widget = LettersPage(ctx)
    qtbot.addWidget(widget)
    widget.resize(1150, 600)
    widget.show()
    return widget


@pytest.fixture
def errors(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(
        "ostandari_desk.ui.letters.dialog.ui_errors.show_user_error",
        lambda parent, exc, title="": shown.append(exc.message),
    )
    return shown


def test_create_letter_with_attachment(page, ctx, qtbot, tmp_path, qtmodeltester, errors):
    _ngo_id, _nid = insert_ngo(ctx, "انجمن حمایت از کودکان")
    scan = tmp_path / "اسکن نامه.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    dialog = page.make_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(dialog.number_edit, "۱۲۳/ص")
    dialog.dated_on_edit.set_value(J(1401, 6, 9))
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("punitive"))
    type_text(dialog.party_edit, "فرمانداری البرز")
    type_text(dialog.subject_edit, "اخطار کتبی به سمن")
    dialog.ngo_picker.edit.setText("حمایت")
    [label] = dialog.ngo_picker.run_search()
    dialog.ngo_picker.choose(label)
    dialog.choose_files = lambda: [str(scan)]
    QTest.mouseClick(dialog.add_attachment_button, Qt.MouseButton.LeftButton)
    assert dialog.pending_files() == [scan]
    shot(dialog, "letter_dialog")
    press_ctrl_s(dialog)
    assert errors == []
    assert dialog.result() == dialog.DialogCode.Accepted
    page.after_save(dialog.saved_id)
    assert page.model.rowCount() == 1 and page.selected_id() == dialog.saved_id
    row = page.model.row_at(0)
    assert row.number == "123/ص" and row.kind_label == "توقیفی و توبیخی" and row.attachment_count == 1
    assert row.ngo_name == "انجمن حمایت از کودکان"
    assert page.model.index(0, 0).data() == "۱۴۰۱/۰۶/۰۹"
    qtmodeltester.check(page.model)
    shot(page, "letters_list")

    # edit: the stored attachment opens through the system viewer after the hash check
    edit = page.make_dialog(dialog.saved_id)
    qtbot.addWidget(edit)
    assert edit.number_edit.text() == "۱۲۳/ص"
    assert edit.attachment_names()[0].startswith("اسکن نامه.pdf")
    opened = []

    def record_opened(path) -> bool:
        opened.append(path)
        return True  # the user agreed / the call succeeded

    edit.open_file = record_opened
    edit.attachment_list.setCurrentRow(0)
    edit.open_selected_attachment()
    assert opened and opened[0].read_bytes() == scan.read_bytes()
    opened[0].write_bytes(b"tampered")
    edit.open_selected_attachment()
    assert len(opened) == 1 and "فایل پیوست تغییر کرده است" in errors[-1]
    edit.confirm = lambda *_: True
    edit.remove_selected_attachment()
    assert edit.attachment_names() == []


def test_duplicate_number_is_refused(page, ctx, qtbot, errors):
    letter_service.create_letter(
        ctx.uow(), letter_service.LetterInput("outgoing", "55", J(1401, 2, 2), "اداره", "موضوع", "other")
    )
    page.reload()
    dialog = page.make_dialog()
    qtbot.addWidget(dialog)
    dialog.number_edit.setText("۵۵")
    dialog.dated_on_edit.set_value(J(1401, 9, 9))
    dialog.party_edit.setText("اداره")
    dialog.subject_edit.setText("دیگر")
    assert dialog.save() is False
    assert "پیش‌تر ثبت شده" in errors[0] and "«۵۵»" in errors[0] and "دبیرخانه استان" in errors[0]
    assert dialog.focusWidget() is dialog.number_edit  # the cursor goes to the duplicate number
    dialog.direction_combo.setCurrentIndex(dialog.direction_combo.findData("incoming"))
    assert dialog.save() is True


def test_filters_and_delete(page, ctx, qtbot):
    make = lambda **kw: letter_service.create_letter(
        ctx.uow(),
        letter_service.LetterInput(
            **{
                "direction": "outgoing",
                "number": "1",
                "dated_on": J(1401, 2, 2),
                "party": "اداره",
                "subject": "موضوع",
                "kind": "other",
                **kw,
            }
        ),
    )
    make(number="1", kind="support", subject="حمایت از همایش")
    make(number="2", direction="incoming", dated_on=J(1400, 5, 5))
    last = make(number="3", kind="punitive", party="دادگستري")
    page.reload()
    assert page.model.rowCount() == 3
    page.direction_combo.setCurrentIndex(page.direction_combo.findData("incoming"))
    assert page.model.rowCount() == 1
    page.direction_combo.setCurrentIndex(0)
    page.year_combo.setCurrentIndex(page.year_combo.findData(1401))
    assert page.model.rowCount() == 2
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("punitive"))
    assert page.model.rowCount() == 1
    page.kind_combo.setCurrentIndex(0)
    type_text(page.search_edit, "دادگستری")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.select_letter(last)
    page.confirm = lambda *_: True
    page.delete_selected()
    assert page.model.rowCount() == 0
    assert letter_service.count_letters(ctx.uow()) == 2
    assert text.normalize("دادگستري") == text.normalize("دادگستری")


def test_a_county_users_letter_dialog_offers_their_county_alone(ctx, qtbot):
    from ostandari_desk.domain.roles import Actor, Role
    from ostandari_desk.services import reference
    from ostandari_desk.ui.context import AppContext
    from ostandari_desk.ui.letters.dialog import LetterDialog

    with ctx.uow() as uow:
        abyek = reference.county_id_by_name(uow, "آبیک")
    county_ctx = AppContext(
        engine=ctx.engine, actor=Actor("abyek", "کارشناس آبیک", Role.COUNTY, county_id=abyek)
    )
    dialog = LetterDialog(county_ctx)
    qtbot.addWidget(dialog)
    combo = dialog.county_combo
    assert [combo.itemData(i) for i in range(combo.count())] == [abyek]


def test_two_counties_letter_100_are_saved_and_listed_with_their_county(page, ctx, qtbot, errors):
    """Letter numbers are per county series: «۱۰۰» of آبیک and of البرز both stand, the list tells them apart
    by the county column and filter, and a second «۱۰۰» of آبیک is refused naming its series."""

    def save(county: str, subject: str) -> bool:
        dialog = page.make_dialog()
        qtbot.addWidget(dialog)
        dialog.number_edit.setText("۱۰۰")
        dialog.dated_on_edit.set_value(J(1402, 3, 10))
        dialog.party_edit.setText("اداره کل بهزیستی")
        dialog.subject_edit.setText(subject)
        dialog.county_combo.setCurrentIndex(dialog.county_combo.findText(county))
        return dialog.save()

    assert save("آبیک", "الف") and save("البرز", "ب")
    assert not save("آبیک", "پ")
    assert "«۱۰۰»" in errors[-1] and "دبیرخانه شهرستان آبیک" in errors[-1]
    page.reload()
    county_column = [c.header for c in page.KIND.columns].index("شهرستان")
    shown = {page.model.index(r, county_column).data() for r in range(page.model.rowCount())}
    assert page.model.rowCount() == 2 and shown == {"آبیک", "البرز"}
    page.county_combo.setCurrentIndex(page.county_combo.findText("البرز"))
    assert page.model.rowCount() == 1 and page.model.index(0, county_column).data() == "البرز"
    page.county_combo.setCurrentIndex(page.county_combo.findText("استان"))
    assert page.model.rowCount() == 0
