"""Issue 2, «Done when», tried as a new user would, through the real widgets on a fresh migrated database:

the set-up wizard picks قزوین; the main window opens on it; «سمن جدید» registers an NGO with its board;
its licence is carried through request → documents → inquiries → four answers → council approval →
issue → renewal → suspension (the timeline and the offered actions checked after each step); the NGO
is found again by a search typed with Arabic Yeh and Latin digits; 1,000 NGOs with 20 bad rows are
imported from Excel (every bad row reported with row and column, nothing stored).

No GUI import dialog exists yet, so the import goes through ``services.transfer.import_file`` (the
function such a dialog would call) and the list page is checked afterwards.
"""

from __future__ import annotations

import itertools

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QWizard

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

NGO_NAME = "انجمن حمایت از کودکان کار علی‌آباد"
CLERK = "مریم احمدی"
PERSIAN_DATE_CHARS = set("۰۱۲۳۴۵۶۷۸۹/")

IMPORT_HEADERS = [
    "شناسه ملی",
    "نام سازمان",
    "شهرستان",
    "سطح فعالیت",
    "حوزه فعالیت",
    "شماره ثبت",
    "تاریخ ثبت",
    "مدیرعامل",
    "کد ملی مدیرعامل",
    "تلفن",
    "نشانی",
]
_ID_PREFIXES = itertools.count(3_070_000_000)


def type_text(widget, text: str) -> None:
    """Type any text one key at a time (qtbot.keyClicks aborts pytest on non-ASCII text)."""
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def legal_id() -> str:
    from ostandari_desk.domain.ids import make_legal_national_id

    return make_legal_national_id(str(next(_ID_PREFIXES)))


def person_code(n: int) -> str:
    from ostandari_desk.domain.ids import make_national_code

    return make_national_code(f"{n:09d}")


@pytest.fixture
def shown_errors(monkeypatch):
    """Every UserError message box is recorded instead of shown (nothing blocks)."""
    from ostandari_desk.ui import errors as ui_errors

    shown: list[str] = []
    monkeypatch.setattr(
        ui_errors, "show_user_error", lambda _parent, exc, title="خطا": shown.append(exc.message)
    )
    monkeypatch.setattr(ui_errors, "show_error", lambda _parent, error: shown.append(repr(error)))
    return shown


# --- the steps --------------------------------------------------------------------------------------


def run_wizard(qtbot, engine):
    """The wizard, by keyboard and clicks; returns its first admin (signed in)."""
    from ostandari_desk.ui.wizard import OFFICE_PAGE, PROVINCE_PAGE, SetupWizard

    wizard = SetupWizard(engine)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    assert wizard.isRightToLeft()
    assert wizard.currentId() == PROVINCE_PAGE
    page = wizard.province_page
    provinces = [page.province_combo.itemText(i) for i in range(page.province_combo.count())]
    assert {"قزوین", "آذربایجان شرقی", "کرمان", "اردبیل"} <= set(provinces)
    page.province_combo.setCurrentIndex(page.province_combo.findText("قزوین"))
    assert page.province_radio.isChecked() and not page.county_combo.isEnabled()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentId() == OFFICE_PAGE

    office = wizard.office_page
    assert office.office_edit.text() == "اداره کل امور اجتماعی و فرهنگی استانداری قزوین"
    qtbot.keyClicks(office.username_edit, "maryam")
    office.full_name_edit.setFocus()
    type_text(office.full_name_edit, CLERK)
    qtbot.keyClicks(office.password_edit, "secret-1")
    qtbot.keyClicks(office.repeat_edit, "secret-1")
    with qtbot.waitSignal(wizard.accepted, timeout=5000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert wizard.result() == QWizard.DialogCode.Accepted
    assert office.error_label.isHidden()
    return wizard.actor


def open_main_window(qtbot, engine, db_path, actor):
    from ostandari_desk.app import create_main_window
    from ostandari_desk.ui.tasks import wait_for_tasks

    window = create_main_window(engine, actor, db_path)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    wait_for_tasks()
    assert window.windowTitle() == "میز استانداری — اداره کل امور اجتماعی و فرهنگی استانداری قزوین"
    assert window.isRightToLeft()
    assert window.context.actor.full_name == CLERK
    assert window.actor_label.text() == f"{CLERK} — مدیر سامانه"
    assert window.current_area() == "start"
    return window


def register_ngo(qtbot, page, national_id: str) -> str:
    """«سمن جدید» → fill the dialog with the keyboard → «ذخیره»; returns the new NGO's id."""
    from ostandari_desk.ui.ngos.ngo_dialog import NgoDialog

    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    d = page.last_dialog
    assert isinstance(d, NgoDialog) and d.isVisible() and d.ngo_id is None
    warnings: list[str] = []
    d.confirm = lambda _parent, _title, text: warnings.append(text) or False

    d.nameEdit.setFocus()
    type_text(d.nameEdit, NGO_NAME)
    assert d.nameEdit.text() == NGO_NAME  # the ZWNJ survived typing
    qtbot.keyClicks(d.nationalIdEdit, national_id)
    qtbot.keyClicks(d.registrationNoEdit, "7310")
    d.levelCombo.setCurrentIndex(d.levelCombo.findData("county"))
    d.countyCombo.setCurrentIndex(d.countyCombo.findText("قزوین"))
    assert d.countyCombo.currentText() == "قزوین"
    type_text(d.ceoNameEdit, "زهرا کریمی")
    qtbot.keyClicks(d.ceoCodeEdit, person_code(301))
    type_text(d.phoneEdit, "۰۲۸۳۳۳۴۴۵۵۶")
    d.set_field_checked("کودکان و نوجوانان")
    for name, code, role, expertise in (
        ("حسن موسوی", person_code(302), "chair", "مددکاری اجتماعی"),
        ("فاطمه رحیمی", person_code(303), "treasurer", "حسابداری"),
    ):
        qtbot.mouseClick(d.board.add_button, Qt.MouseButton.LeftButton)
        row = d.board.table.rowCount() - 1
        d.board.set_cell(row, 0, name)
        d.board.set_cell(row, 1, code)
        d.board.set_cell(row, 2, role)
        d.board.set_cell(row, 3, expertise)
    assert d.board.table.rowCount() == 2
    qtbot.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    assert warnings == []
    assert d.result() == QDialog.DialogCode.Accepted
    assert d.saved_id
    return d.saved_id


def step(panel, key: str, **values):
    """Click the offered action, fill its (window-modal, non-blocking) dialog, press «ثبت»."""
    assert key in panel.action_buttons, f"{key} not offered; offered: {list(panel.action_buttons)}"
    panel.action_buttons[key].click()
    dialog = panel.last_dialog
    assert dialog.isVisible()
    for name, value in values.items():
        dialog.set_value(name, value)
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted, f"{key} was refused"
    assert not dialog.isVisible()
    return dialog


# the sanctions ladder, offered on a valid licence
SANCTION_KEYS = ("notice", "written_warning", "suspension", "revocation", "dissolution_request")


def offered(panel) -> set[str]:
    return set(panel.action_buttons)


def carry_licence(panel, ngo_id: str, ctx) -> None:
    """request → documents → inquiries → 4 answers → approval → issue → renewal → suspension."""
    from ostandari_desk.services.ngos import get_ngo

    timeline = panel.timeline
    assert timeline.labels() == []
    assert offered(panel) == {"open:establishment"}
    assert "رفع تعلیق" not in panel.action_labels() and "تعلیق پروانه" not in panel.action_labels()

    step(panel, "open:establishment", tracking_no="")
    assert timeline.labels() == ["دریافت درخواست"]
    assert "تأسیس" in panel.case_label.text()
    assert offered(panel) == {"documents", "decide", "withdraw"}

    step(panel, "documents")
    assert timeline.labels()[-1] == "بررسی مدارک"
    assert offered(panel) == {"inquiries", "decide", "withdraw"}

    step(panel, "inquiries", letter_judiciary="101", due_days=60)
    assert timeline.labels()[-1] == "ارسال استعلام"
    assert panel.inquiry_table.rowCount() == 4
    assert offered(panel) == {"answer", "withdraw"}  # no council decision before the four answers

    for n in range(4):
        step(panel, "answer", answer="favourable")
        assert timeline.labels().count("پاسخ استعلام") == n + 1
        assert offered(panel) == ({"answer", "withdraw"} if n < 3 else {"decide", "withdraw"})
    assert all(panel.inquiry_table.item(r, 4).text() != "بی‌پاسخ" for r in range(4))

    step(panel, "decide", decision="approve", legal_basis="آیین‌نامه ۱۳۹۵، ماده ۶")
    assert timeline.labels()[-1] == "موافقت شورا"
    # the licence can now be issued (or the approval revoked); nothing to suspend yet
    assert offered(panel) == {"complete", "withdraw", "revocation"}
    assert panel.action_buttons["complete"].text() == "صدور پروانه"

    step(panel, "complete", licence_number="1403-21", validity_years=3)
    assert timeline.labels()[-1] == "صدور پروانه"
    assert "۱۴۰۳-۲۱" in panel.licence_label.text()
    assert get_ngo(ctx.uow(), ngo_id).licence_state == "valid"
    assert offered(panel) == {"open:renewal", "open:upgrade", "open:conformity", *SANCTION_KEYS}
    assert "lifting" not in offered(panel)

    # a renewal asked the day the licence was issued warns, and goes ahead once the clerk confirms
    panel.action_buttons["open:renewal"].click()
    renewal = panel.last_dialog
    asked: list[str] = []

    def record_asked(_parent, _title, message) -> bool:
        asked.append(message)
        return True  # the user agreed / the call succeeded

    renewal.confirm = record_asked
    renewal.ok_button.click()
    assert asked and "امروز صادر شده" in asked[0]
    assert renewal.result() == QDialog.DialogCode.Accepted
    assert timeline.labels()[-1] == "دریافت درخواست"
    assert "تمدید" in panel.case_label.text()
    assert not any(k.startswith("open:") for k in offered(panel))  # one open case at a time
    assert "lifting" not in offered(panel)
    step(panel, "documents")
    assert timeline.labels()[-1] == "بررسی مدارک"
    step(panel, "decide", decision="approve", legal_basis="آیین‌نامه ۱۳۹۵، ماده ۱۰")
    assert timeline.labels()[-1] == "موافقت شورا"
    assert panel.action_buttons["complete"].text() == "تمدید پروانه"
    step(panel, "complete", licence_number="1403-21", validity_years=3)
    assert timeline.labels()[-1] == "تمدید پروانه"
    assert panel.case is None and panel.case_box.isHidden()
    assert "lifting" not in offered(panel) and "suspension" in offered(panel)

    step(
        panel,
        "suspension",
        letter_no="88/412",
        legal_basis="آیین‌نامه ۱۳۹۵، ماده ۱۷",
        reason="گزارش نکردن عملکرد سالانه",
    )
    assert timeline.labels()[-1] == "تعلیق"
    assert get_ngo(ctx.uow(), ngo_id).licence_state == "suspended"
    # no second suspension, no new case
    assert offered(panel) == {"notice", "written_warning", "lifting", "revocation", "dissolution_request"}
    assert timeline.labels() == [
        "دریافت درخواست",
        "بررسی مدارک",
        "ارسال استعلام",
        *["پاسخ استعلام"] * 4,
        "موافقت شورا",
        "صدور پروانه",
        "دریافت درخواست",
        "بررسی مدارک",
        "موافقت شورا",
        "تمدید پروانه",
        "تعلیق",
    ]
    # each step is dated (Jalali, Persian digits) and records the clerk
    for row in range(timeline.rowCount()):
        assert set(timeline.item(row, 0).text()) <= PERSIAN_DATE_CHARS
        assert CLERK in timeline.item(row, 3).text()


def bad_import_file(path, counties: list[str]) -> tuple[object, list[int]]:
    """1,000 NGO rows of which exactly 20 are bad; returns (path, the bad rows' sheet row numbers)."""
    rows = []
    for n in range(1, 1001):
        rows.append(
            [
                legal_id(),
                f"کانون داوطلبان شماره {n}",
                counties[n % len(counties)],
                "شهرستانی",
                "",
                str(9000 + n),
                "1400/02/15",
                "مدیر نمونه",
                person_code(500_000 + n),
                "02833334444",
                "قزوین",
            ]
        )
    breakers = [
        lambda r, prev: r.__setitem__(0, r[0][:-1] + str((int(r[0][-1]) + 1) % 10)),  # check digit
        lambda r, prev: r.__setitem__(2, "شهرستان ناموجود"),
        lambda r, prev: r.__setitem__(3, "کشوری"),
        lambda r, prev: r.__setitem__(6, "1401/12/30"),  # 1401 is not a leap year
        lambda r, prev: r.__setitem__(1, ""),
        lambda r, prev: r.__setitem__(0, prev[0]),  # duplicate national id within the file
        lambda r, prev: r.__setitem__(8, "1234567890"),  # bad national code check digit
    ]
    bad_numbers = []
    for k, index in enumerate(range(25, 1000, 50)):
        breakers[k % len(breakers)](rows[index], rows[index - 1])
        bad_numbers.append(index + 2)  # row 1 is the header
    assert len(bad_numbers) == 20
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "سمن‌ها"
    sheet.append(IMPORT_HEADERS)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path, bad_numbers


# --- the scenario -----------------------------------------------------------------------------------


def test_a_new_user_sets_up_registers_licenses_finds_and_imports(
    qtbot, engine, db_path, prepared_app, shown_errors, tmp_path
):
    from ostandari_desk.domain.roles import SYSTEM
    from ostandari_desk.services import reference, setup, transfer
    from ostandari_desk.services.ngos import NgoFilter, NgoInput, count_ngos, create_ngo, get_ngo
    from ostandari_desk.store.uow import UnitOfWork
    from ostandari_desk.ui.ngos import NgoListPage
    from ostandari_desk.ui.ngos.ngo_view import NgoView

    # 1. First run: the wizard on a fresh, migrated, empty database.
    assert not setup.is_initialized(UnitOfWork(engine, SYSTEM))
    admin = run_wizard(qtbot, engine)
    assert setup.is_initialized(UnitOfWork(engine, SYSTEM))
    assert admin.username == "maryam" and admin.full_name == CLERK

    # 2. The main window opens on it, signed in as the wizard's admin.
    window = open_main_window(qtbot, engine, db_path, admin)
    ctx = window.context
    page = window.open_area("ngos")
    assert isinstance(page, NgoListPage) and window.page("ngos") is page
    assert page.model.rowCount() == 0

    # 3. Register an NGO with its CEO and two board members.
    national_id = legal_id()
    ngo_id = register_ngo(qtbot, page, national_id)
    ngo = get_ngo(ctx.uow(), ngo_id)
    assert ngo.name == NGO_NAME and ngo.national_id == national_id
    assert ngo.county_name == "قزوین" and ngo.level == "county"
    assert ngo.ceo_name == "زهرا کریمی" and ngo.ceo_national_code == person_code(301)
    assert {(m.full_name, m.role) for m in ngo.board} == {
        ("حسن موسوی", "chair"),
        ("فاطمه رحیمی", "treasurer"),
    }
    assert page.model.rowCount() == 1 and page.selected_id() == ngo_id
    assert page.count_label.text() == "۱ سمن"

    # 4. Its licence panel, from the list's «پرونده پروانه», through the whole lifecycle.
    assert page.licence_button.isEnabled()
    qtbot.mouseClick(page.licence_button, Qt.MouseButton.LeftButton)
    view = page.last_dialog
    assert isinstance(view, NgoView) and view.ngo_id == ngo_id
    assert view.tabs.currentWidget() is view.licence_panel
    carry_licence(view.licence_panel, ngo_id, ctx)
    # who did it: the NGO's «سابقه تغییرات» names the wizard's admin, field by field
    view.show_history_tab()
    history = view.history_tab.model
    cells = [[history.index(r, c).data() for c in range(7)] for r in range(history.rowCount())]
    assert any(
        row[1] == "\u200fmaryam"
        and row[2] == "مدیر سامانه"
        and row[3] == "ایجاد"
        and row[4] == "نام"
        and row[6] == NGO_NAME
        for row in cells
    )
    assert any(row[3] == "ایجاد (پرونده پروانه)" for row in cells)
    assert any(row[3] == "ایجاد (عضو هیئت مدیره)" and row[6] == "حسن موسوی" for row in cells)
    view.reject()
    assert page.model.index(page.model.row_of_id(ngo_id), 7).data() == "تعلیق"

    # 5. Find it again: Arabic Yeh and Latin digits, among look-alikes.
    counties = {c.name: c.id for c in reference.list_counties(ctx.uow())}
    for name in ("کانون علی‌آباد", "انجمن دوستداران طبیعت"):
        create_ngo(
            ctx.uow(),
            NgoInput(national_id=legal_id(), name=name, county_id=counties["آبیک"], level="county"),
            [],
        )
    page.model.refresh()
    assert page.model.rowCount() == 3
    page.focus_search()
    type_text(page.search_edit, "علي")  # ARABIC LETTER YEH, not the Persian ی
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=3000)  # both «علی‌آباد» NGOs
    qtbot.keyClicks(page.search_edit, " " + national_id)  # Latin digits
    assert page.search_edit.text() == "علي " + national_id
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert page.model.id_at(0) == ngo_id
    assert page.model.index(0, 0).data() == NGO_NAME
    assert page.count_label.text() == "۱ سمن"
    page.search_edit.clear()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=3000)

    # 6. Import 1,000 NGOs, 20 of them bad: all 20 reported with row and column, nothing stored.
    before = count_ngos(ctx.uow(), NgoFilter())
    assert before == 3
    path, bad_numbers = bad_import_file(tmp_path / "سمن‌ها.xlsx", ["قزوین", "آبیک", "تاکستان", "البرز"])
    report = transfer.import_file(ctx.uow(), "ngos", path)
    assert report.rows_read == 1000
    assert report.bad_rows == 20
    assert sorted({e.row for e in report.errors}) == bad_numbers
    assert all(e.column in IMPORT_HEADERS and e.reason for e in report.errors)
    by_row = {e.row: e for e in report.errors}
    assert [by_row[n].column for n in bad_numbers[:7]] == [
        "شناسه ملی",
        "شهرستان",
        "سطح فعالیت",
        "تاریخ ثبت",
        "نام سازمان",
        "شناسه ملی",
        "کد ملی مدیرعامل",
    ]
    assert report.added == 0 and not report.stored
    assert count_ngos(ctx.uow(), NgoFilter()) == before
    assert count_ngos(ctx.uow(), NgoFilter(text="کانون داوطلبان")) == 0
    page.model.refresh()
    assert page.model.rowCount() == before and page.count_label.text() == "۳ سمن"

    assert shown_errors == []
