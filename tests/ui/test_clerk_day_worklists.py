"""Issue 12, the licence worklists: «باز کردن پرونده» and «تشکیل پرونده تمدید» with a hint, «۹۷۹ روز گذشته»
instead of «۹۷۹-», a header sort done in the query (not over the rows loaded), and the list of boards
whose term has ended, flagged on the NGO's view too."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ostandari_desk.domain.text import format_number

from ._f2_helpers import make_ngo, national_code

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")

TODAY = dt.date(2025, 8, 23)  # ۱۴۰۴/۰۶/۰۱


def issue(ctx, name: str, issued: dt.date, number: str, county: str = "قزوین", years: int = 1) -> str:
    """An NGO with a licence from the imported history (the lists read the licence's dates alone)."""
    from ostandari_desk.services.licences import apply_licence_step

    ngo_id = make_ngo(ctx, name, county=county)
    uow = ctx.uow()
    with uow.writing():
        apply_licence_step(
            uow, ngo_id, "issue", issued, licence_number=number, validity_years=years, imported=True
        )
        uow.commit()
    return ngo_id


@pytest.fixture
def page(qtbot, ctx):
    from ostandari_desk.ui.licences import ExpiringLicencesPage

    def make():
        widget = ExpiringLicencesPage(ctx, today=TODAY)
        qtbot.addWidget(widget)
        widget.resize(1200, 500)
        widget.show()
        qtbot.waitExposed(widget)
        return widget

    return make


def names(page) -> list[str]:
    return [page.model.row_at(r).ngo_name for r in range(page.model.rowCount())]


def click_row(table, row: int) -> None:
    rect = table.visualRect(table.model().index(row, 0))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_buttons_open_the_case_and_start_a_renewal(page, ctx, qtbot, monkeypatch):
    from ostandari_desk.ui.ngos.ngo_view import NgoView

    soon = issue(ctx, "انجمن رو به انقضا", TODAY - dt.timedelta(days=350), "۵۰۱")
    p = page()
    assert p.hint_label.isVisible() and "باز کردن پرونده" in p.hint_label.text()
    assert [b.text() for b in (p.open_button, p.renew_button)] == ["باز کردن پرونده", "تشکیل پرونده تمدید"]
    assert not p.open_button.isEnabled() and not p.renew_button.isEnabled()  # nothing selected yet
    click_row(p.table, 0)
    assert p.open_button.isEnabled() and p.renew_button.isEnabled()

    p.open_button.click()
    view = p.last_dialog
    assert isinstance(view, NgoView) and view.ngo_id == soon
    assert view.tabs.currentWidget() is view.licence_panel
    view.close()

    p.renew_button.click()
    view = p.last_dialog
    dialog = view.licence_panel.last_dialog
    assert dialog is not None and dialog.isVisible() and dialog.windowTitle() == "تشکیل پرونده"
    case_types = dialog.widgets["case_type"]
    assert case_types.currentData() == "renewal" and case_types.currentText() == "تمدید"
    dialog.widgets["received_on"].set_value(TODAY)
    dialog.confirm = lambda *_: True  # a warning (if any) is accepted
    assert dialog.submit()  # «ثبت»: the renewal case is opened
    view.close()

    # with the renewal case open, a second one is refused with the reason, over the NGO's licence tab
    shown: list[str] = []
    monkeypatch.setattr(
        "ostandari_desk.ui.errors.show_user_error", lambda _parent, exc, title="": shown.append(exc.message)
    )
    p.refresh()
    click_row(p.table, 0)
    p.renew_button.click()
    assert shown and "در جریان است" in shown[0]
    p.last_dialog.close()


def test_open_cases_have_no_renewal_button(page, ctx):
    from ostandari_desk.services import licences as lic

    ngo_id = make_ngo(ctx, "انجمن چشم‌به‌راه")
    lic.open_case(ctx.uow(), ngo_id, "establishment", TODAY - dt.timedelta(days=20))
    p = page()
    p.apply_filter({"view": "open_cases"})
    assert p.model.rowCount() == 1 and p.renew_button.isHidden()
    assert "گام بعدی" in p.hint_label.text()


def test_expired_rows_say_how_long_ago_in_words(page, ctx):
    issue(ctx, "انجمن منقضی", dt.date(2023, 4, 29), "۱۲")  # a one-year licence, expired in 2024
    p = page()
    p.apply_filter({"view": "expired"})
    row = p.model.row_at(0)
    assert row.days_left == -(TODAY - row.expires_on).days and row.days_left < -400
    days = p.model.index(0, 6).data()
    assert days == f"{format_number(-row.days_left)} روز گذشته" and "-" not in days
    assert p.model.headerData(6, Qt.Orientation.Horizontal) == "گذشته از انقضا"


def test_the_header_sort_sorts_the_whole_list_in_the_query(page, ctx, monkeypatch):
    from ostandari_desk.services import licences as lic
    from ostandari_desk.services.licences.queries import LICENCE_SORTS
    from ostandari_desk.ui.licences import expiring_page

    # expired longest ago first in the urgency order: ی… د… then ب… الف…
    for name, days_ago in (("انجمن الف", 30), ("انجمن ب", 60), ("انجمن د", 400), ("انجمن ی", 200)):
        issue(ctx, name, TODAY - dt.timedelta(days=365 + days_ago), f"{days_ago}")
    monkeypatch.setattr(expiring_page, "ROW_CAP", 2)
    p = page()
    p.apply_filter({"view": "expired"})
    assert names(p) == ["انجمن الف", "انجمن ب"]  # most recently expired first
    p.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert names(p) == ["انجمن ی", "انجمن د"]  # the last names of all four, not of the two loaded
    p.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)  # «گذشته از انقضا»: the most days gone first
    assert names(p) == ["انجمن د", "انجمن ی"]
    assert p.table.horizontalHeader().sortIndicatorSection() == 6
    # the same orders from the service, every column key
    for key in LICENCE_SORTS:
        assert len(lic.expired_licences(ctx.uow(), TODAY, sort=key, descending=True)) == 4
    by_name = lic.expired_licences(ctx.uow(), TODAY, sort="ngo")
    assert [r.ngo_name for r in by_name] == ["انجمن الف", "انجمن ب", "انجمن د", "انجمن ی"]
    p.apply_filter({"view": "open_cases"})  # another list starts in its own order again
    assert p.table.horizontalHeader().sortIndicatorSection() == -1


def test_boards_whose_term_has_ended(page, ctx, qtbot):
    from ostandari_desk.services.ngos import BoardMemberInput, NgoInput, create_ngo, set_ngo_active
    from ostandari_desk.services.ngos.boards import count_ended_boards, ended_boards
    from ostandari_desk.ui.ngos.ngo_view import NgoView

    from ._f2_helpers import counties, next_national_id

    codes = iter(range(300, 400))

    def ngo_with_board(name: str, *ends: dt.date | None) -> str:
        data = NgoInput(next_national_id(), name, counties(ctx)["قزوین"], "county")
        board = [
            BoardMemberInput(
                f"عضو {i}",
                national_code(next(codes)),
                "member",
                term_start=end - dt.timedelta(days=730) if end else None,
                term_end=end,
            )
            for i, end in enumerate(ends)
        ]
        return create_ngo(ctx.uow(), data, board)

    today = dt.date.today()
    ended = ngo_with_board("انجمن دوره‌گذشته", today - dt.timedelta(days=40), today - dt.timedelta(days=90))
    serving = ngo_with_board("انجمن دوره‌جاری", today - dt.timedelta(days=40), today + dt.timedelta(days=300))
    ngo_with_board("انجمن بی‌دوره", None)
    inactive = ngo_with_board("انجمن غیرفعال", today - dt.timedelta(days=10))
    set_ngo_active(ctx.uow(), inactive, False, expected_version=1)

    rows = ended_boards(ctx.uow(), today)
    assert [(r.ngo_id, r.term_end, r.days_past) for r in rows] == [(ended, today - dt.timedelta(days=40), 40)]
    assert count_ended_boards(ctx.uow(), today) == 1

    from ostandari_desk.ui.licences import ExpiringLicencesPage

    p = ExpiringLicencesPage(ctx)
    qtbot.addWidget(p)
    p.show()
    p.apply_filter({"view": "ended_boards"})
    assert p.boards_radio.isChecked() and names(p) == ["انجمن دوره‌گذشته"]
    assert p.model.index(0, 3).data() == "۴۰ روز گذشته" and p.count_label.text() == "۱ سمن"
    assert p.renew_button.isHidden()
    click_row(p.table, 0)
    p.open_button.click()
    view = p.last_dialog
    assert isinstance(view, NgoView) and view.tabs.currentIndex() == 0  # the details, with the board
    assert view.board_term_ended and "پایان یافته" in view.board_term_label.text()
    view.close()
    current = NgoView(ctx, serving)  # a board still serving is not flagged
    qtbot.addWidget(current)
    assert not current.board_term_ended and "دوره هیئت‌مدیره تا" in current.board_term_label.text()
    later = ended_boards(ctx.uow(), today + dt.timedelta(days=400))  # its term ends in 300 days
    assert {r.ngo_name for r in later} == {"انجمن دوره‌گذشته", "انجمن دوره‌جاری"}


def test_an_empty_list_says_so(page):
    p = page()
    assert p.model.rowCount() == 0 and p.empty_state.isVisible()
    assert p.empty_state.label.text() == "هیچ پروانه‌ای در این بازه منقضی نمی‌شود."
    p.apply_filter({"view": "open_cases"})
    assert p.empty_state.label.text() == "پرونده بازی نیست."
