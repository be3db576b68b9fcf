"""The licence case on screen (issue 12, item 9) and the rules the dialogs now take from the services: the
case's state once the four answers are in, a renewal asked too early, «لغو پروانه» only on a licence, the
council's dialog with the inquiries' standing, the sanctions ladder's dialogs, what the completion dialog
proposes, and a new letter's proposed number."""

from __future__ import annotations

import datetime as dt

import pytest

from ._f2_helpers import make_ngo

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

BASIS = "آیین‌نامه ۱۳۹۵، ماده ۱۷"
TODAY = dt.date.today()


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


def open_dialog(panel, key: str):
    assert key in panel.action_buttons, f"{key} not offered: {list(panel.action_buttons)}"
    panel.action_buttons[key].click()
    dialog = panel.last_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def inquiring_case(ctx, name: str) -> tuple[str, str, list[str]]:
    from ostandari_desk.services import licences as lic

    ngo_id = make_ngo(ctx, name)
    case_id = lic.open_case(ctx.uow(), ngo_id, "establishment", TODAY)
    lic.check_documents(ctx.uow(), case_id, TODAY)
    return ngo_id, case_id, lic.send_inquiries(ctx.uow(), case_id, TODAY)


def licensed(ctx, name: str, issued: dt.date = TODAY, number: str = "700") -> str:
    """An NGO licensed today through its case, or on ``issued`` by the history import (a 4-year licence)."""
    from ostandari_desk.services import licences as lic

    if issued != TODAY:
        ngo_id = make_ngo(ctx, name)
        uow = ctx.uow()
        with uow.writing():
            lic.apply_licence_step(
                uow, ngo_id, "issue", issued, licence_number=number, validity_years=4, imported=True
            )
            uow.commit()
        return ngo_id
    ngo_id, case_id, inquiry_ids = inquiring_case(ctx, name)
    for inquiry_id in inquiry_ids:
        lic.answer_inquiry(ctx.uow(), inquiry_id, TODAY, "favourable")
    lic.decide_case(ctx.uow(), case_id, True, TODAY, None, BASIS)
    lic.complete_case(ctx.uow(), case_id, TODAY, licence_number=number)
    return ngo_id


# --- item 9 ----------------------------------------------------------------------------------------------


def test_the_case_status_moves_on_once_the_four_answers_are_in(qtbot, ctx, panel_for, errors):
    ngo_id, _case_id, _inquiries = inquiring_case(ctx, "انجمن چهار پاسخ")
    panel = panel_for(ngo_id)
    assert "در انتظار پاسخ استعلام‌ها" in panel.case_label.text()
    for _ in range(4):
        dialog = open_dialog(panel, "answer")
        dialog.set_value("answer", "favourable")
        dialog.ok_button.click()
        assert not dialog.isVisible()
    assert errors == []
    assert "در انتظار پاسخ استعلام‌ها" not in panel.case_label.text()
    assert "پاسخ استعلام‌ها رسید؛ در انتظار تصمیم شورا" in panel.case_label.text()
    assert list(panel.action_buttons) == ["decide", "withdraw"]


def test_a_renewal_on_a_licence_issued_today_asks_first(qtbot, ctx, panel_for, errors):
    from ostandari_desk.services import licences as lic

    ngo_id = licensed(ctx, "انجمن تازه‌پروانه")
    panel = panel_for(ngo_id)
    dialog = open_dialog(panel, "open:renewal")
    asked: list[str] = []
    dialog.confirm = lambda _parent, _title, message: asked.append(message) or False
    dialog.ok_button.click()
    assert len(asked) == 1 and "امروز صادر شده" in asked[0] and "۶۰ روز" in asked[0]
    assert dialog.isVisible() and lic.list_cases(ctx.uow(), ngo_id)[0].case_type == "establishment"  # «خیر»

    def record_asked(_parent, _title, message) -> bool:
        asked.append(message)
        return True  # the user agreed / the call succeeded

    dialog.confirm = record_asked
    dialog.ok_button.click()
    assert not dialog.isVisible() and errors == []
    assert lic.list_cases(ctx.uow(), ngo_id)[0].case_type == "renewal"


def test_a_renewal_inside_the_window_asks_nothing(qtbot, ctx, panel_for, errors):
    from ostandari_desk.services import licences as lic

    ngo_id = licensed(ctx, "انجمن رو به انقضا", issued=TODAY - dt.timedelta(days=4 * 365 - 30))
    dialog = open_dialog(panel_for(ngo_id), "open:renewal")
    dialog.confirm = lambda *_args: pytest.fail("no warning expected")
    dialog.ok_button.click()
    assert not dialog.isVisible() and errors == []
    assert lic.list_cases(ctx.uow(), ngo_id)[0].case_type == "renewal"


def test_no_licence_no_licence_revocation(qtbot, ctx, panel_for, errors):
    from ostandari_desk.services import licences as lic

    ngo_id, case_id, inquiry_ids = inquiring_case(ctx, "انجمن موافقت‌شده")
    for inquiry_id in inquiry_ids:
        lic.answer_inquiry(ctx.uow(), inquiry_id, TODAY, "favourable")
    lic.decide_case(ctx.uow(), case_id, True, TODAY, None, BASIS)
    panel = panel_for(ngo_id)
    assert "لغو پروانه" not in panel.action_labels()
    assert panel.action_buttons["revocation"].text() == "لغو موافقت تأسیس"
    dialog = open_dialog(panel, "revocation")
    assert dialog.windowTitle() == "لغو موافقت تأسیس" and "هنوز پروانه‌ای" in dialog.intro_label.text()
    dialog.reject()

    lic.complete_case(ctx.uow(), case_id, TODAY, licence_number="701")
    panel.refresh()
    assert panel.action_buttons["revocation"].text() == "لغو پروانه"


# --- the council's dialog ----------------------------------------------------------------------------------


def test_the_council_may_only_reject_an_establishment_without_its_inquiries(qtbot, ctx, panel_for, errors):
    from ostandari_desk.services import licences as lic

    ngo_id = make_ngo(ctx, "انجمن بی‌استعلام")
    lic.open_case(ctx.uow(), ngo_id, "establishment", TODAY)
    dialog = open_dialog(panel_for(ngo_id), "decide")
    combo = dialog.widgets["decision"]
    assert [combo.itemData(i) for i in range(combo.count())] == ["reject"]
    assert "هر چهار استعلام" in dialog.findChild(type(dialog.intro_label), "approvalNote").text()


def test_an_unfavourable_answer_asks_the_manager_for_the_override_reason(qtbot, ctx, panel_for, errors):
    from ostandari_desk.services import licences as lic

    ngo_id, _case_id, inquiry_ids = inquiring_case(ctx, "انجمن پاسخ منفی")
    lic.answer_inquiry(ctx.uow(), inquiry_ids[0], TODAY, "unfavourable")
    for inquiry_id in inquiry_ids[1:]:
        lic.answer_inquiry(ctx.uow(), inquiry_id, TODAY, "favourable")
    panel = panel_for(ngo_id)
    dialog = open_dialog(panel, "decide")
    assert "override_reason" in dialog.widgets and dialog.widgets["override_reason"].isEnabled()
    dialog.set_value("decision", "reject")
    assert not dialog.widgets["override_reason"].isEnabled()  # a rejection overrides nothing
    dialog.set_value("decision", "approve")
    dialog.set_value("legal_basis", BASIS)
    dialog.ok_button.click()
    assert errors and "قوه قضاییه" in errors[-1] and dialog.isVisible()  # no reason written yet
    dialog.set_value("override_reason", "پاسخ منفی به هیئت‌مدیره پیشین بازمی‌گشت")
    dialog.ok_button.click()
    assert not dialog.isVisible()
    assert panel.timeline.labels()[-2:] == ["عدول از پاسخ منفی استعلام", "موافقت شورا"]


# --- the sanctions ladder ---------------------------------------------------------------------------------


def test_a_warning_from_the_panel_with_its_legal_basis_and_proposed_letter(qtbot, ctx, panel_for, errors):
    from ostandari_desk.services import letters
    from ostandari_desk.services import licences as lic

    ngo_id = licensed(ctx, "انجمن تذکرگرفته")
    panel = panel_for(ngo_id)
    assert [panel.action_buttons[k].text() for k in ("notice", "written_warning", "dissolution_request")] == [
        "تذکر",
        "اخطار کتبی",
        "درخواست انحلال",
    ]
    dialog = open_dialog(panel, "notice")
    assert dialog.widgets["letter_no"].text() == "۱"  # the county series' next outgoing number
    assert "پله نردبان مجازات: تذکر" in dialog.intro_label.text()
    dialog.widgets["legal_basis"].setEditText("")
    dialog.set_value("reason", "تأخیر در گزارش سالانه")
    dialog.ok_button.click()
    assert errors and "مبنای قانونی" in errors[-1] and dialog.isVisible()
    dialog.set_value("legal_basis", BASIS)
    dialog.ok_button.click()
    assert not dialog.isVisible()
    assert panel.timeline.labels()[-1] == "تذکر"
    assert lic.ngo_actions(ctx.uow(), ngo_id).licence_state == "valid"
    [letter] = letters.letters_of_ngo(ctx.uow(), ngo_id)
    assert letter.kind == "punitive" and letter.number == "1"

    dialog = open_dialog(panel, "written_warning")
    assert dialog.widgets["letter_no"].text() == "۲"
    assert "آخرین مجازات: تذکر" in dialog.intro_label.text()


# --- what the completion dialog proposes (the rules are the services') ----------------------------------------


def test_the_completion_dialog_takes_level_and_number_from_the_service(qtbot, ctx, panel_for, errors):
    from ostandari_desk.services import licences as lic

    ngo_id = licensed(ctx, "انجمن ارتقایافته", number="۷۰۲")
    for case_type, number, level in (("renewal", "۷۰۲", "شهرستانی"), ("upgrade", "", "استانی")):
        case_id = lic.open_case(ctx.uow(), ngo_id, case_type, TODAY)
        lic.decide_case(ctx.uow(), case_id, True, TODAY, None, BASIS)
        panel = panel_for(ngo_id)
        dialog = open_dialog(panel, "complete")
        assert dialog.widgets["licence_number"].text() == number
        assert dialog.widgets["level"].text() == level
        dialog.reject()
        lic.withdraw_case(ctx.uow(), case_id, TODAY, "آزمون")


# --- a new letter's number ---------------------------------------------------------------------------------


def test_a_new_letter_proposes_the_next_number_of_its_series(qtbot, ctx, errors):
    from ostandari_desk.domain.jalali import from_jalali
    from ostandari_desk.services import letters
    from ostandari_desk.ui.letters.dialog import LetterDialog

    on = from_jalali(1403, 5, 1)
    for number in ("۴۱/ص", "۴۲/ص"):
        letters.create_letter(
            ctx.uow(), letters.LetterInput("outgoing", number, on, "اداره", "موضوع", "other", county_id=None)
        )
    dialog = LetterDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.dated_on_edit.set_value(on)
    assert dialog.county_combo.currentData() is None  # the province's own series
    assert dialog.number_edit.text() == "۴۳/ص"
    dialog.direction_combo.setCurrentIndex(dialog.direction_combo.findData("incoming"))
    assert dialog.number_edit.text() == "۱"  # untouched: follows the series chosen
    dialog.number_edit.setText("۹۰۰/و")  # typed by the clerk: kept from now on
    dialog.direction_combo.setCurrentIndex(dialog.direction_combo.findData("outgoing"))
    assert dialog.number_edit.text() == "۹۰۰/و"


def test_an_establishment_may_end_in_a_credential_from_the_completion_dialog(qtbot, ctx, panel_for, errors):
    """Issue 13: licences and credentials apart — the clerk chooses «اعتبارنامه» and the case ends with a
    «صدور اعتبارنامه» step, which the annual comparison counts apart from licences."""
    from ostandari_desk.domain.jalali import jalali_year_of
    from ostandari_desk.services import licences as lic
    from ostandari_desk.services.annual import annual_comparison

    ngo_id, case_id, inquiry_ids = inquiring_case(ctx, "انجمن دارای اعتبارنامه")
    for inquiry_id in inquiry_ids:
        lic.answer_inquiry(ctx.uow(), inquiry_id, TODAY, "favourable")
    lic.decide_case(ctx.uow(), case_id, True, TODAY, None, BASIS)
    dialog = open_dialog(panel_for(ngo_id), "complete")
    combo = dialog.widgets["document"]
    combo.setCurrentIndex(combo.findData("credential"))
    dialog.widgets["licence_number"].setText("۷۳۰")
    dialog.submit()
    assert errors == []
    comparison = annual_comparison(ctx.uow(), jalali_year_of(TODAY))
    assert (comparison.row("credentials").this, comparison.row("issued").this) == (1, 0)
