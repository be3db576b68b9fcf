"""A licence carried through the dialogs: request → documents → inquiries → answers → approval → issue →
renewal → suspension, the timeline after each step, only legal actions offered; the expiring page."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from ._f2_helpers import make_ngo

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


@pytest.fixture
def errors(monkeypatch):
    from ostandari_desk.ui import errors as ui_errors

    shown: list[str] = []
    monkeypatch.setattr(
        ui_errors, "show_user_error", lambda _parent, exc, title="خطا": shown.append(exc.message)
    )
    return shown


@pytest.fixture
def panel_of(qtbot, ctx):
    """Open an NGO's licence panel the way the clerk does: list page → «پرونده پروانه»."""
    from ostandari_desk.ui.ngos import NgoListPage

    def _open(ngo_id):
        page = NgoListPage(ctx)
        qtbot.addWidget(page)
        assert page.select_ngo(ngo_id)
        page.licence_button.click()
        view = page.last_dialog
        assert view.tabs.currentWidget() is view.licence_panel
        return page, view, view.licence_panel

    return _open


def step(panel, key: str, **values):
    """Click the action's button, fill its dialog, press «ثبت»; returns the dialog."""
    assert key in panel.action_buttons, f"{key} not offered; offered: {list(panel.action_buttons)}"
    panel.action_buttons[key].click()
    dialog = panel.last_dialog
    assert dialog.isVisible()
    for name, value in values.items():
        dialog.set_value(name, value)
    dialog.ok_button.click()
    return dialog


def test_full_flow_through_the_dialogs(qtbot, ctx, panel_of, errors):
    from ostandari_desk.services.ngos import get_ngo

    ngo_id = make_ngo(ctx, "انجمن پرستو")
    page, _view, panel = panel_of(ngo_id)
    timeline = panel.timeline
    assert list(panel.action_buttons) == ["open:establishment"]
    assert "lifting" not in panel.action_buttons and "suspension" not in panel.action_buttons
    assert panel.no_action_label.isHidden()

    d = step(panel, "open:establishment", tracking_no="")
    assert not d.isVisible() and errors == []
    assert timeline.labels() == ["دریافت درخواست"]
    assert set(panel.action_buttons) == {"documents", "decide", "withdraw"}
    assert "تأسیس" in panel.case_label.text()

    step(panel, "documents")
    assert timeline.labels()[-1] == "بررسی مدارک"
    assert set(panel.action_buttons) == {"inquiries", "decide", "withdraw"}

    step(panel, "inquiries", letter_judiciary="101", due_days=45)
    assert timeline.labels()[-1] == "ارسال استعلام"
    assert panel.inquiry_table.rowCount() == 4
    assert list(panel.action_buttons) == ["answer", "withdraw"]  # no decision before the four answers
    assert panel.inquiry_table.item(0, 4).text() == "بی‌پاسخ"

    for n in range(4):
        dialog = step(panel, "answer", answer="favourable")
        assert dialog.result() == dialog.DialogCode.Accepted
    assert timeline.labels().count("پاسخ استعلام") == 4
    assert list(panel.action_buttons) == ["decide", "withdraw"]

    # An empty legal basis is refused in Persian, the dialog stays open.
    panel.action_buttons["decide"].click()
    decide = panel.last_dialog
    decide.widgets["legal_basis"].setEditText("")
    decide.ok_button.click()
    assert errors and "مبنای قانونی" in errors[-1]
    assert decide.isVisible()
    decide.set_value("legal_basis", "آیین‌نامه ۱۳۹۵، ماده ۶")
    decide.ok_button.click()
    assert not decide.isVisible()
    assert timeline.labels()[-1] == "موافقت شورا"
    assert "complete" in panel.action_buttons
    assert panel.action_buttons["complete"].text() == "صدور پروانه"

    complete = step(panel, "complete", licence_number="1402-17", validity_years=4)
    assert complete.result() == complete.DialogCode.Accepted
    assert timeline.labels()[-1] == "صدور پروانه"
    assert "۱۴۰۲-۱۷" in panel.licence_label.text()
    assert get_ngo(ctx.uow(), ngo_id).licence_state == "valid"
    assert set(panel.action_buttons) == {
        "open:renewal",
        "open:upgrade",
        "open:conformity",
        "notice",
        "written_warning",
        "suspension",
        "revocation",
        "dissolution_request",
    }
    assert "lifting" not in panel.action_buttons  # no «رفع تعلیق» before a suspension
    assert "رفع تعلیق" not in panel.action_labels()

    # Renewal: a new case, documents, council, renewal with a new number. Asked the day the licence was
    # issued, it warns first; the clerk goes ahead.
    panel.action_buttons["open:renewal"].click()
    renewal = panel.last_dialog
    asked: list[str] = []

    def record_asked(_parent, _title, message) -> bool:
        asked.append(message)
        return True  # the user agreed / the call succeeded

    renewal.confirm = record_asked
    renewal.ok_button.click()
    assert asked and "امروز صادر شده" in asked[0] and not renewal.isVisible()
    assert not any(k.startswith("open:") for k in panel.action_buttons)  # one open case at a time
    step(panel, "documents")
    step(panel, "decide", legal_basis="آیین‌نامه ۱۳۹۵، ماده ۱۰")
    assert panel.action_buttons["complete"].text() == "تمدید پروانه"
    step(panel, "complete", licence_number="1405-3", validity_years=4)
    assert timeline.labels()[-1] == "تمدید پروانه"
    assert panel.case is None and panel.case_box.isHidden()

    step(
        panel,
        "suspension",
        letter_no="88/1",
        legal_basis="آیین‌نامه ۱۳۹۵، ماده ۱۷",
        reason="گزارش نکردن عملکرد سالانه",
    )
    assert timeline.labels()[-1] == "تعلیق"
    assert get_ngo(ctx.uow(), ngo_id).licence_state == "suspended"
    assert set(panel.action_buttons) == {
        "notice",
        "written_warning",
        "lifting",
        "revocation",
        "dissolution_request",
    }
    assert "رفع تعلیق" in panel.action_labels()

    assert timeline.labels() == [
        "دریافت درخواست",
        "بررسی مدارک",
        "ارسال استعلام",
        "پاسخ استعلام",
        "پاسخ استعلام",
        "پاسخ استعلام",
        "پاسخ استعلام",
        "موافقت شورا",
        "صدور پروانه",
        "دریافت درخواست",
        "بررسی مدارک",
        "موافقت شورا",
        "تمدید پروانه",
        "تعلیق",
    ]
    # Dates in the timeline are Jalali with Persian digits.
    assert all(ch in "۰۱۲۳۴۵۶۷۸۹/" for ch in timeline.item(0, 0).text())
    # The list behind the view follows the licence state.
    page.model.refresh()
    row = page.model.row_of_id(ngo_id)
    assert page.model.index(row, 7).data() == "تعلیق"
    assert len(errors) == 1  # only the empty legal basis


def test_suspension_without_letter_is_refused(qtbot, ctx, panel_of, errors):
    from ostandari_desk.services import licences as lic

    ngo_id = make_ngo(ctx, "انجمن چکاوک")
    _issue(ctx, ngo_id, dt.date.today())
    _page, _view, panel = panel_of(ngo_id)
    dialog = step(panel, "suspension", letter_no="", reason="")
    assert errors  # Persian message from the service
    assert dialog.isVisible()
    assert lic.ngo_actions(ctx.uow(), ngo_id).licence_state == "valid"


def test_overdue_inquiries_are_red(qtbot, ctx, panel_of):
    from ostandari_desk.services import licences as lic

    ngo_id = make_ngo(ctx, "انجمن گلستان")
    start = dt.date.today() - dt.timedelta(days=100)
    case_id = lic.open_case(ctx.uow(), ngo_id, "establishment", start)
    lic.check_documents(ctx.uow(), case_id, start)
    lic.send_inquiries(ctx.uow(), case_id, start, due_days=60)
    _page, _view, panel = panel_of(ngo_id)
    assert panel.inquiry_table.rowCount() == 4
    item = panel.inquiry_table.item(0, 3)
    assert "گذشته" in item.text()
    assert item.foreground().color().name() == "#c62828"


def _issue(ctx, ngo_id: str, on: dt.date, years: int = 4, number: str = "100") -> None:
    from ostandari_desk.services import licences as lic

    case_id = lic.open_case(ctx.uow(), ngo_id, "establishment", on)
    lic.check_documents(ctx.uow(), case_id, on)
    for inquiry_id in lic.send_inquiries(ctx.uow(), case_id, on):  # the four, before the approval
        lic.answer_inquiry(ctx.uow(), inquiry_id, on, "favourable")
    lic.decide_case(ctx.uow(), case_id, True, on, on, "آیین‌نامه ۱۳۹۵")
    lic.complete_case(ctx.uow(), case_id, on, licence_number=number, validity_years=years)


def test_expiring_and_expired_pages(qtbot, ctx):
    from ostandari_desk.ui.licences import ExpiringLicencesPage
    from ostandari_desk.ui.ngos.ngo_view import NgoView

    today = dt.date.today()
    soon = make_ngo(ctx, "انجمن رو به انقضا")
    _issue(ctx, soon, today - dt.timedelta(days=355), years=1, number="501")
    old = make_ngo(ctx, "انجمن منقضی")
    _issue(ctx, old, today - dt.timedelta(days=800), years=1, number="502")
    fresh = make_ngo(ctx, "انجمن تازه")
    _issue(ctx, fresh, today, years=4, number="503")

    page = ExpiringLicencesPage(ctx)
    qtbot.addWidget(page)
    assert page.days_spin.value() == 60
    assert page.model.rowCount() == 1
    assert page.model.index(0, 0).data() == "انجمن رو به انقضا"
    days = page.model.index(0, 6).data()
    assert days and all(ch in "۰۱۲۳۴۵۶۷۸۹" for ch in days)
    assert page.model.index(0, 2).data() == "۵۰۱"

    page.apply_filter({"view": "expired"})
    assert page.expired_radio.isChecked()
    assert page.model.rowCount() == 1 and page.model.index(0, 0).data() == "انجمن منقضی"
    assert page.model.index(0, 6).data().endswith(" روز گذشته") and "-" not in page.model.index(0, 6).data()

    page.apply_filter({"view": "expiring", "within_days": 3000})
    assert page.model.rowCount() == 2
    page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert [page.model.index(r, 0).data() for r in range(2)] == ["انجمن تازه", "انجمن رو به انقضا"]
    page.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)
    assert page.model.index(0, 0).data() == "انجمن تازه"

    page.table.activated.emit(page.model.index(0, 0))
    assert isinstance(page.last_dialog, NgoView) and page.last_dialog.ngo_id == fresh


@pytest.fixture
def clerk_ctx(ctx):
    """The same database, signed in as a provincial clerk (no council decisions, no sanctions)."""
    from ostandari_desk.domain.roles import Actor, Role
    from ostandari_desk.ui.context import AppContext

    clerk = Actor(username="clerk", full_name="کارشناس استان آزمون", role=Role.CLERK)
    return AppContext(engine=ctx.engine, actor=clerk, db_path=None)


def test_a_clerk_sees_decision_and_sanctions_disabled_with_the_reason(qtbot, ctx, clerk_ctx, errors):
    from ostandari_desk.services import licences as lic
    from ostandari_desk.ui.licences.panel import LicencePanel

    def panel_as(context, ngo_id):
        panel = LicencePanel(context, ngo_id)
        qtbot.addWidget(panel)
        return panel

    today = dt.date.today()
    waiting = make_ngo(ctx, "انجمن نیلوفر")
    lic.open_case(clerk_ctx.uow(), waiting, "establishment", today)
    panel = panel_as(clerk_ctx, waiting)
    decide = panel.action_buttons["decide"]
    assert not decide.isEnabled()
    assert "«کارشناس استان»" in decide.toolTip() and "ثبت تصمیم شورا" in decide.toolTip()
    assert panel.action_buttons["documents"].isEnabled() and panel.action_buttons["withdraw"].isEnabled()
    decide.click()  # a disabled button opens nothing
    assert panel.last_dialog is None
    assert panel.run_action("decide") is None  # nor does asking for it: the reason is shown instead
    assert errors == [decide.toolTip()]
    assert panel_as(ctx, waiting).action_buttons["decide"].isEnabled()  # the admin may

    licensed = make_ngo(ctx, "انجمن نسترن")
    _issue(ctx, licensed, today, number="601")
    panel = panel_as(clerk_ctx, licensed)
    for key in ("suspension", "revocation"):
        assert not panel.action_buttons[key].isEnabled()
        assert "تعلیق، لغو و رفع تعلیق پروانه" in panel.action_buttons[key].toolTip()
    assert (
        panel.action_buttons["open:renewal"].isEnabled()
        and not panel.action_buttons["open:renewal"].toolTip()
    )
