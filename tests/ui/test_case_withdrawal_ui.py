"""«مختومه کردن پرونده» through the licence panel: the button, its dialog (date, reason), the timeline;
a revocation from the panel closes the open case too."""

from __future__ import annotations

import datetime as dt

import pytest

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
def panel_for(qtbot, ctx):
    from ostandari_desk.ui.licences.panel import LicencePanel

    def _make(ngo_id):
        panel = LicencePanel(ctx, ngo_id)
        qtbot.addWidget(panel)
        panel.show()
        return panel

    return _make


def test_withdraw_an_open_case_from_the_panel(qtbot, ctx, panel_for, errors):
    from ostandari_desk.services import licences as lic

    ngo_id = make_ngo(ctx, "انجمن چکاوک")
    today = dt.date.today()
    lic.open_case(ctx.uow(), ngo_id, "establishment", today)
    panel = panel_for(ngo_id)
    assert set(panel.action_buttons) == {"documents", "decide", "withdraw"}
    assert panel.action_buttons["withdraw"].text() == "مختومه کردن پرونده"

    panel.action_buttons["withdraw"].click()
    dialog = panel.last_dialog
    assert dialog.isVisible() and dialog.windowTitle() == "مختومه کردن پرونده"
    assert set(dialog.widgets) >= {"on", "reason"}
    dialog.ok_button.click()  # no reason: refused in Persian, the dialog stays open
    assert errors and "دلیل" in errors[-1]
    assert dialog.isVisible()

    dialog.set_value("on", today)
    dialog.set_value("reason", "انصراف کتبی متقاضی")
    dialog.ok_button.click()
    assert not dialog.isVisible()
    assert panel.timeline.labels()[-1] == "مختومه شدن پرونده"
    assert panel.case is None and panel.case_box.isHidden()
    assert set(panel.action_buttons) == {"open:establishment"}  # a new case may be opened
    assert lic.list_cases(ctx.uow(), ngo_id)[0].state == "closed"


def test_revocation_from_the_panel_closes_the_approved_case(qtbot, ctx, panel_for, errors):
    from ostandari_desk.services import licences as lic

    ngo_id = make_ngo(ctx, "انجمن سپیدار")
    today = dt.date.today()
    case_id = lic.open_case(ctx.uow(), ngo_id, "establishment", today)
    lic.check_documents(ctx.uow(), case_id, today)
    for inquiry_id in lic.send_inquiries(ctx.uow(), case_id, today):  # the four, before the approval
        lic.answer_inquiry(ctx.uow(), inquiry_id, today, "favourable")
    lic.decide_case(ctx.uow(), case_id, True, today, None, "آیین‌نامه ۱۳۹۵، ماده ۶")
    panel = panel_for(ngo_id)
    assert set(panel.action_buttons) == {"complete", "withdraw", "revocation"}

    dialog = panel.run_action("revocation")
    dialog.set_value("letter_no", "91/5")
    dialog.set_value("legal_basis", "آیین‌نامه ۱۳۹۵، ماده ۱۷")
    dialog.set_value("reason", "عدم تکمیل مدارک")
    dialog.ok_button.click()
    assert errors == [] and not dialog.isVisible()
    assert panel.timeline.labels()[-2:] == ["لغو", "مختومه شدن پرونده"]
    assert panel.case is None
    assert lic.get_case(ctx.uow(), case_id).state == "closed"
    assert set(panel.action_buttons) == {"open:establishment"}
