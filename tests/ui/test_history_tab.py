"""«سابقه تغییرات» on every record: the NGO view, the event and letter dialogs (an existing record only)
and the licence panel show who changed what, field by field, with Persian field names, Jalali dates and
Persian digits."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from PySide6.QtWidgets import QTabWidget

from ostandari_desk.services import events as event_service
from ostandari_desk.services import letters as letter_service
from ostandari_desk.services import licences as lic
from ostandari_desk.services.ngos import BoardMemberInput, NgoInput, get_ngo, update_ngo
from ostandari_desk.ui.widgets.history import HISTORY_TAB_TITLE, HistoryWidget
from tests.ui._f2_helpers import make_ngo, national_code

COLUMNS = ["زمان", "کاربر", "نقش", "اقدام", "فیلد", "مقدار قبلی", "مقدار جدید"]


def lines(history: HistoryWidget) -> list[dict[str, str]]:
    model = history.model
    return [
        {title: model.index(r, c).data().lstrip("\u200f") for c, title in enumerate(COLUMNS)}
        for r in range(model.rowCount())
    ]


def tab_titles(tabs: QTabWidget) -> list[str]:
    return [tabs.tabText(i) for i in range(tabs.count())]


def edit_ngo(ctx, ngo_id: str, **changes) -> None:
    d = get_ngo(ctx.uow(), ngo_id)
    data = NgoInput(
        national_id=d.national_id,
        name=d.name,
        county_id=d.county_id,
        level=d.level,
        ceo_name=d.ceo_name,
        phone=d.phone,
        registered_on=d.registered_on,
    )
    board = [BoardMemberInput(m.full_name, m.national_code, m.role) for m in d.board]
    update_ngo(ctx.uow(), ngo_id, replace(data, **changes), board, d.row_version)


@pytest.fixture
def ngo_id(ctx):
    return make_ngo(ctx, "انجمن یاوران سلامت", phone="02833334444")


def test_ngo_view_shows_an_edit_field_by_field(ctx, ngo_id, qtbot):
    from ostandari_desk.ui.ngos.ngo_view import NgoView

    edit_ngo(
        ctx, ngo_id, name="انجمن یاوران سلامت قزوین", phone="02833335555", registered_on=dt.date(2024, 3, 20)
    )
    view = NgoView(ctx, ngo_id)
    qtbot.addWidget(view)
    view.show()
    assert HISTORY_TAB_TITLE in tab_titles(view.tabs)
    history = view.history_tab
    assert not history.loaded  # read on first show only
    view.show_history_tab()
    assert history.loaded
    assert [
        history.model.headerData(c, history.table.horizontalHeader().orientation()) for c in range(7)
    ] == COLUMNS
    shown = lines(history)
    edits = {line["فیلد"]: line for line in shown if line["اقدام"] == "ویرایش"}
    name = edits["نام"]
    assert (name["مقدار قبلی"], name["مقدار جدید"]) == ("انجمن یاوران سلامت", "انجمن یاوران سلامت قزوین")
    assert (name["کاربر"], name["نقش"]) == ("tester", "مدیر سامانه")
    assert (edits["تلفن"]["مقدار قبلی"], edits["تلفن"]["مقدار جدید"]) == ("۰۲۸۳۳۳۳۴۴۴۴", "۰۲۸۳۳۳۳۵۵۵۵")
    assert edits["تاریخ ثبت"]["مقدار جدید"] == "۱۴۰۳/۰۱/۰۱"  # Jalali, Persian digits
    assert name["زمان"][:2] == "۱۴" and "/" in name["زمان"]
    created = [line for line in shown if line["اقدام"] == "ایجاد"]
    assert any(line["فیلد"] == "نام" and line["مقدار جدید"] == "انجمن یاوران سلامت" for line in created)
    assert shown.index(name) < shown.index(created[0])  # newest first
    assert history.count_label.text() == f"{len(shown)} تغییر".translate(
        str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    )


def test_ngo_history_follows_edits_and_shows_the_board(ctx, ngo_id, qtbot):
    from ostandari_desk.ui.ngos.ngo_view import NgoView

    view = NgoView(ctx, ngo_id)
    qtbot.addWidget(view)
    view.show()
    view.show_history_tab()
    assert not [line for line in lines(view.history_tab) if line["اقدام"] == "ویرایش"]
    d = get_ngo(ctx.uow(), ngo_id)
    board = [BoardMemberInput("حسن موسوی", national_code(71), "chair")]
    data = NgoInput(
        national_id=d.national_id, name=d.name, county_id=d.county_id, level=d.level, phone="02833336666"
    )
    update_ngo(ctx.uow(), ngo_id, data, board, d.row_version)
    view.refresh_details()  # what the list page does after «ویرایش مشخصات»
    shown = lines(view.history_tab)
    assert any(line["فیلد"] == "تلفن" and line["مقدار جدید"] == "۰۲۸۳۳۳۳۶۶۶۶" for line in shown)
    member = [line for line in shown if line["اقدام"] == "ایجاد (عضو هیئت مدیره)"]
    assert any(line["فیلد"] == "نام و نام خانوادگی" and line["مقدار جدید"] == "حسن موسوی" for line in member)


def test_event_dialog_has_history_when_editing(ctx, qtbot):
    from ostandari_desk.ui.events.dialog import EventDialog

    data = event_service.EventInput(kind="session", title="نشست هم‌اندیشی", starts_on=dt.date(2024, 5, 1))
    event_id = event_service.create_event(ctx.uow(), data)
    event_service.update_event(ctx.uow(), event_id, replace(data, title="نشست هم‌اندیشی سمن‌ها"), 1)

    new = EventDialog(ctx)
    qtbot.addWidget(new)
    assert new.history_tab is None and new.findChild(QTabWidget, "recordTabs") is None

    dialog = EventDialog(ctx, event_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert tab_titles(dialog.tabs) == ["مشخصات", HISTORY_TAB_TITLE]
    assert dialog.button_box.isVisible()  # the buttons stay below the tabs
    dialog.tabs.setCurrentWidget(dialog.history_tab)
    title = next(line for line in lines(dialog.history_tab) if line["اقدام"] == "ویرایش")
    assert (title["فیلد"], title["مقدار قبلی"], title["مقدار جدید"]) == (
        "عنوان",
        "نشست هم‌اندیشی",
        "نشست هم‌اندیشی سمن‌ها",
    )
    dialog.tabs.setCurrentIndex(0)
    dialog.title_edit.setText("نشست سالانه")
    assert dialog.save()


def test_letter_dialog_has_history_when_editing(ctx, qtbot):
    from ostandari_desk.ui.letters.dialog import LetterDialog

    data = letter_service.LetterInput(
        direction="outgoing",
        number="1402-17",
        dated_on=dt.date(2024, 5, 1),
        party="فرمانداری آبیک",
        subject="دعوت به نشست",
        kind="support",
    )
    letter_id = letter_service.create_letter(ctx.uow(), data)
    letter_service.update_letter(ctx.uow(), letter_id, replace(data, subject="دعوت به نشست سالانه"), 1)
    new = LetterDialog(ctx)
    qtbot.addWidget(new)
    assert new.history_tab is None
    dialog = LetterDialog(ctx, letter_id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert tab_titles(dialog.tabs) == ["مشخصات", HISTORY_TAB_TITLE]
    dialog.tabs.setCurrentWidget(dialog.history_tab)
    shown = lines(dialog.history_tab)
    subject = next(line for line in shown if line["اقدام"] == "ویرایش")
    assert (subject["فیلد"], subject["مقدار جدید"]) == ("موضوع", "دعوت به نشست سالانه")
    assert any(line["فیلد"] == "طرف مکاتبه" and line["مقدار جدید"] == "فرمانداری آبیک" for line in shown)


def test_licence_panel_shows_the_open_cases_history(ctx, ngo_id, qtbot):
    from ostandari_desk.ui.licences.panel import LicencePanel

    panel = LicencePanel(ctx, ngo_id)
    qtbot.addWidget(panel)
    panel.show()
    assert tab_titles(panel.history_tabs) == ["سابقه پروانه", HISTORY_TAB_TITLE]
    panel.history_tabs.setCurrentWidget(panel.history_tab)
    assert panel.history_tab.model.rowCount() == 0
    assert panel.history_tab.count_label.text() == "هنوز رکوردی نیست که سابقه‌ای داشته باشد."
    case_id = lic.open_case(ctx.uow(), ngo_id, "establishment", dt.date(2024, 5, 1), tracking_no="5501")
    panel.refresh()
    assert panel.history_tab.record_ids == (case_id,)
    shown = lines(panel.history_tab)
    assert any(
        line["اقدام"] == "ایجاد (پرونده پروانه)"
        and line["فیلد"] == "شماره پیگیری"
        and line["مقدار جدید"] == "۵۵۰۱"
        for line in shown
    )
    # coded values by their Persian names; a field created empty is not a change to show
    assert any(line["فیلد"] == "نوع پرونده" and line["مقدار جدید"] == "تأسیس" for line in shown)
    assert any(line["فیلد"] == "وضعیت" and line["مقدار جدید"] == "درخواست دریافت شد" for line in shown)
    assert not any(line["فیلد"] == "یادداشت" for line in shown)


def test_values_as_shown():
    from ostandari_desk.ui.widgets.history import value_text

    assert value_text("establishment", "licencecase", "case_type") == "تأسیس"
    assert value_text("approved", "licencecase", "state") == "موافقت شد"
    assert value_text("approved", "ngo", "licence_state") == "موافقت با تأسیس"
    assert value_text("chair", "boardmember", "role") == "رئیس هیئت مدیره"
    assert value_text("county", "user", "role") == "کارشناس شهرستان"
    assert value_text("02833334444") == "۰۲۸۳۳۳۳۴۴۴۴"
    assert value_text("c0422d9a7", "licencestep", "case_id") == "\u200fc0422d9a7"  # an id keeps its digits
