"""The visit form: answer the checklist (a failed critical item gives «تخلف جدی» and needs a deadline),
attach a photo, close the visit (read-only), add a note, refer a finding (a letter), re-inspect (the action
is closed); and the visits list."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from PySide6.QtWidgets import QComboBox, QSpinBox

from ostandari_desk.services import letters as letter_service
from ostandari_desk.services.inspections import visits as visit_service
from ostandari_desk.ui.widgets.paged_list import select_row
from tests.ui.test_inspections_centres import add_centre

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")
SHOTS = os.environ.get("G_SCREENSHOTS")


def shot(widget, name: str) -> None:
    if SHOTS:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
        widget.grab().save(f"/tmp/g_{name}.png")


@pytest.fixture
def errors(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(
        "ostandari_desk.ui.errors.show_user_error", lambda parent, exc, title="": shown.append(exc.message)
    )
    return shown


def answer_all_passing(dialog) -> None:
    for item in dialog.checklist.items:
        widget = dialog.checklist.widget_of(item.id)
        if isinstance(widget, QComboBox):
            widget.setCurrentIndex(widget.findData("yes"))
        elif isinstance(widget, QSpinBox):
            widget.setValue(item.max_score)


def critical_item(dialog):
    return next(i for i in dialog.checklist.items if i.critical and i.answer_type == "yes_no")


def open_visit(ctx, qtbot, **kwargs):
    from ostandari_desk.ui.inspections.visit_dialog import VisitDialog

    dialog = VisitDialog(ctx, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.confirm = lambda *_: True
    return dialog


def record_serious_visit(ctx, qtbot, errors, tmp_path) -> tuple[str, object]:
    centre_id = add_centre(ctx, "K-1", "کشتارگاه صنعتی قزوین")
    dialog = open_visit(ctx, qtbot, centre_id=centre_id)
    assert "نسخه" in dialog.template_label.text()
    dialog.inspectors_edit.setText("علی رضایی، مریم احمدی")
    dialog.time_edit.setText("۱۰:۳۰")
    answer_all_passing(dialog)
    assert "مطلوب" in dialog.computed_label.text()
    critical = critical_item(dialog)
    combo = dialog.checklist.widget_of(critical.id)
    combo.setCurrentIndex(combo.findData("no"))
    assert "تخلف جدی" in dialog.computed_label.text()
    assert "لازم" in dialog.deadline_label.text()
    # the failed critical item already shows as a finding to be saved, with room for its action
    [pending] = [r for r in dialog.findings.rows if r.kind == "item"]
    assert pending.item_id == critical.id and pending.severity == "critical"
    assert pending.text == f"{critical.text} — پاسخ: خیر"  # what failed, not the item's own wording
    shot(dialog, "visit_checklist")

    assert dialog.save() is False  # no correction deadline
    assert "مهلت اصلاح" in errors[-1]
    assert dialog.deadline_edit in dialog.errors.marked()
    assert dialog.tabs.currentIndex() == 1  # the tab of the field in error is shown
    assert visit_service.count_visits(ctx.uow()) == 0  # nothing stored

    dialog.deadline_edit.set_value(date.today() + timedelta(days=14))
    action_edit = dialog.findings.table.cellWidget(0, 2)
    action_edit.setText("تعمیر سردخانه و ارائه گواهی")
    photo = tmp_path / "سردخانه.jpg"
    photo.write_bytes(b"\xff\xd8\xff photo")
    dialog.choose_files = lambda: [str(photo)]
    dialog.add_attachment_button.click()
    assert dialog.pending_files() == [photo]
    shot(dialog, "visit_findings")
    assert dialog._store() is True
    detail = visit_service.get_visit(ctx.uow(), dialog.visit_id)
    assert detail.result == "serious" and detail.state == "open"
    assert detail.inspectors == ("علی رضایی", "مریم احمدی") and detail.time_text == "۱۰:۳۰"
    [finding] = detail.findings
    assert (finding.item_id, finding.text) == (critical.id, f"{critical.text} — پاسخ: خیر")
    [action] = finding.actions
    assert action.action == "تعمیر سردخانه و ارائه گواهی" and action.deadline == date.today() + timedelta(
        days=14
    )
    assert [a.file_name for a in detail.attachments] == ["سردخانه.jpg"]
    return dialog.visit_id, dialog


def test_record_visit_close_read_only_and_note(ctx, qtbot, errors, tmp_path):
    visit_id, first = record_serious_visit(ctx, qtbot, errors, tmp_path)
    first.accept()
    dialog = open_visit(ctx, qtbot, visit_id=visit_id)
    assert dialog.tabs.tabText(dialog.tabs.count() - 1) == "سابقه تغییرات"
    assert dialog.attachment_list.count() == 1
    opened = []

    def record_opened(path) -> bool:
        opened.append(path)
        return True  # the user agreed / the call succeeded

    dialog.open_file = record_opened
    dialog.attachment_list.setCurrentRow(0)
    dialog.open_attachment_button.click()
    assert opened and opened[0].read_bytes() == b"\xff\xd8\xff photo"

    assert dialog.close_visit() is True
    assert visit_service.get_visit(ctx.uow(), visit_id).state == "closed"
    assert not dialog.save_button.isVisible()
    assert not dialog.checklist.widget_of(critical_item(dialog).id).isEnabled()
    assert dialog.time_edit.isReadOnly() and not dialog.add_attachment_button.isEnabled()
    assert not dialog.close_visit_button.isEnabled()
    assert "فقط‌خواندنی" in dialog.state_label.text()
    assert dialog.save() is False

    dialog.ask_note = lambda: "ساعت بازدید ۱۱:۰۰ بوده است"
    dialog.add_note_button.click()
    notes = visit_service.get_visit(ctx.uow(), visit_id).visit_notes
    assert [n.text for n in notes] == ["ساعت بازدید ۱۱:۰۰ بوده است"]
    assert "۱۱:۰۰" in dialog.notes_list.item(0).text()
    dialog.tabs.setCurrentIndex(3)
    shot(dialog, "visit_closed_notes")
    dialog.reject()  # nothing to lose: closes without asking
    assert dialog.isHidden()


def test_referral_letter_and_reinspection_closes_action(ctx, qtbot, errors, tmp_path, monkeypatch):
    visit_id, first = record_serious_visit(ctx, qtbot, errors, tmp_path)
    first.accept()
    dialog = open_visit(ctx, qtbot, visit_id=visit_id)
    informed = []
    dialog.inform = informed.append
    select_row(dialog.findings.table, 0)
    assert dialog.refer_button.isEnabled() and dialog.done_button.isEnabled()
    dialog.ask_date = lambda *_a, **_k: date.today()
    dialog.refer_button.click()
    assert informed, errors
    letter = letter_service.get_letter(ctx.uow(), dialog.referral_letter_id)
    assert letter.direction == "outgoing" and letter.party == "اداره کل دامپزشکی"
    assert "نامه" in dialog.findings.rows[0].state_text
    dialog.tabs.setCurrentIndex(1)
    shot(dialog, "visit_referred")

    dialog.reinspect_button.click()
    again = dialog.last_dialog
    qtbot.addWidget(again)
    again.confirm = lambda *_: True
    assert again.reinspection_of_id == visit_id
    assert "بازدید مجدد" in again.reinspection_label.text()
    assert again.verify_list.count() == 1
    again.time_edit.setText("۱۲:۰۰")  # the same day, after the first visit
    answer_all_passing(again)
    assert "مطلوب" in again.computed_label.text()
    shot(again, "visit_reinspection")
    assert again.save() is True
    [action] = visit_service.get_visit(ctx.uow(), visit_id).findings[0].actions
    assert action.done_on == date.today() and action.verified_by_id == again.saved_id
    # the first dialog read the change when the re-inspection closed
    assert dialog.findings.rows[0].done_on == date.today()
    assert not dialog.done_button.isEnabled()

    from ostandari_desk.ui.inspections.centre_file import CentreFileDialog

    file_dialog = CentreFileDialog(ctx, dialog.detail.centre_id)
    qtbot.addWidget(file_dialog)
    file_dialog.show()
    assert file_dialog.visits_table.rowCount() == 2  # newest first: the re-inspection
    assert file_dialog.visits_table.item(0, 5).text().endswith("مطلوب")
    assert file_dialog.referrals_table.rowCount() == 1
    assert file_dialog.findings_table.rowCount() == 0  # its one action is done
    shot(file_dialog, "centre_file")
    if file_dialog.print_button is not None:  # the «پرونده مرکز» paper is registered
        from ostandari_desk.ui.tasks import wait_for_tasks

        out = tmp_path / "file.pdf"
        file_dialog.choose_pdf_path = lambda suggested: str(out)
        monkeypatch.setattr("ostandari_desk.ui.letters.dialog.open_with_system_viewer", lambda path: True)
        file_dialog.print_button.click()
        assert wait_for_tasks(20_000)
        assert out.read_bytes().startswith(b"%PDF"), errors
    file_dialog.visits_table.setCurrentCell(1, 0)
    select_row(file_dialog.visits_table, 1)
    file_dialog.open_visit_button.click()
    assert file_dialog.last_dialog.visit_id == visit_id


def test_override_needs_reason_and_visits_page(ctx, qtbot, errors, tmp_path):
    centre_id = add_centre(ctx, "S-9", "باشگاه ورزشی آزادی", "اماکن ورزشی", "اداره کل ورزش و جوانان")
    dialog = open_visit(ctx, qtbot, centre_id=centre_id)
    answer_all_passing(dialog)
    dialog.result_combo.setCurrentIndex(dialog.result_combo.findData("needs_fix"))
    dialog.deadline_edit.set_value(date.today() + timedelta(days=7))
    assert dialog.reason_edit.isEnabled()
    assert dialog.save() is False
    assert dialog.reason_edit in dialog.errors.marked()
    dialog.reason_edit.setText("بوی نامطبوع رختکن")
    assert dialog.save() is True

    from ostandari_desk.ui.inspections.visits_page import VisitsPage

    page = VisitsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 680)
    page.show()
    assert page.model.total == 1
    row = page.model.row_at(0)
    assert row.result == "needs_fix" and row.centre_code == "S-9"
    shot(page, "visits_list")
    page.result_combo.setCurrentIndex(page.result_combo.findData("serious"))
    assert page.model.total == 0 and page.stack.currentWidget() is page.empty_label
    page.result_combo.setCurrentIndex(0)
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("unannounced"))
    assert page.model.total == 1
    page._select_id(row.id)
    assert page.open_button.isEnabled()
    page.open_button.click()
    opened = page.last_dialog
    qtbot.addWidget(opened)
    assert opened.visit_id == row.id and "نیازمند اصلاح" in opened.computed_label.text()
    opened.reject()


def test_done_and_referral_ask_their_date(ctx, qtbot, errors):
    """«انجام شد» and a referral take the day the user picks (today by default, never before the visit nor in
    the future), not silently today; cancelling the date stores nothing."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ostandari_desk.services import reference
    from ostandari_desk.ui.inspections.visit_findings import ask_action_date
    from ostandari_desk.ui.widgets.dates import JalaliDateEdit
    from tests.services.inspection_seed import add_visit, categories, make_centre

    uow = ctx.uow()
    county = reference.list_counties(uow)[0].id
    centre = make_centre(uow, county, categories(uow)["کشتارگاه"])
    visited = date.today() - timedelta(days=10)
    visit_id = add_visit(
        ctx.uow(),
        centre,
        visited,
        result="needs_fix",
        findings=(("کف کشتارگاه ترک دارد", "major"),),
        action={"action": "ترمیم کف", "deadline": date.today() + timedelta(days=5)},
    )
    dialog = open_visit(ctx, qtbot, visit_id=visit_id)
    asked: list[tuple] = []
    answers = iter([None, date.today() - timedelta(days=3)])
    dialog.ask_date = lambda *a, **_k: asked.append(a) or next(answers)
    select_row(dialog.findings.table, 0)
    dialog.done_button.click()  # cancelled: nothing stored
    [action] = visit_service.get_visit(ctx.uow(), visit_id).findings[0].actions
    assert action.done_on is None and asked[-1][0] == "ثبت انجام اقدام اصلاحی"
    dialog.done_button.click()
    [action] = visit_service.get_visit(ctx.uow(), visit_id).findings[0].actions
    assert action.done_on == date.today() - timedelta(days=3), errors
    assert dialog.findings.rows[0].done_on == date.today() - timedelta(days=3)

    dialog.ask_date = lambda *_a, **_k: visited + timedelta(days=1)
    dialog.inform = lambda _m: None
    select_row(dialog.findings.table, 0)
    dialog.refer_button.click()
    letter = letter_service.get_letter(ctx.uow(), dialog.referral_letter_id)
    assert letter.dated_on == visited + timedelta(days=1)

    # the real question: a Jalali date, today by default, from the visit's day to today
    seen: dict = {}

    def answer() -> None:
        box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "actionDateDialog")
        edit = box.findChild(JalaliDateEdit, "actionDateEdit")
        seen["value"], seen["min"], seen["max"] = edit.value(), edit.minimumDate(), edit.maximumDate()
        edit.set_value(visited + timedelta(days=2))
        box.accept()

    QTimer.singleShot(0, answer)
    picked = ask_action_date(dialog, "ثبت انجام اقدام اصلاحی", "ترمیم کف", "تاریخ انجام:", visited)
    from ostandari_desk.ui.widgets.dates import from_qdate

    assert seen["value"] == date.today()
    assert from_qdate(seen["min"]) == visited and from_qdate(seen["max"]) == date.today()
    assert picked == visited + timedelta(days=2)
