"""The admin's «کاربران» page: add a county user, edit, disable/enable, new password, search and sort;
the last admin is kept; a non-admin gets neither the users nor the audit page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from ostandari_desk.domain.roles import Role
from ostandari_desk.errors import AuthenticationError
from ostandari_desk.services import reference, users
from ostandari_desk.ui.login import PASSWORDS_DIFFER, PasswordDialog
from ostandari_desk.ui.users_page import UserDialog, UsersPage


def type_text(widget, text: str) -> None:
    """Type any text one key at a time (qtbot.keyClicks aborts pytest on non-ASCII text)."""
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


@pytest.fixture
def shown(monkeypatch):
    """Every UserError message box is recorded instead of shown."""
    from ostandari_desk.ui import errors as ui_errors

    messages: list[str] = []
    monkeypatch.setattr(
        ui_errors, "show_user_error", lambda _p, exc, title="خطا": messages.append(exc.message)
    )
    return messages


@pytest.fixture
def page(admin, desk_as) -> UsersPage:
    window = desk_as(admin)
    found = window.open_area("users")
    assert isinstance(found, UsersPage)
    return found


def rows(page: UsersPage) -> list[list[str]]:
    proxy = page.proxy
    return [
        [proxy.index(r, c).data().lstrip("\u200f") for c in range(proxy.columnCount())]
        for r in range(proxy.rowCount())
    ]


def test_admin_adds_a_county_user(page, ctx, qtbot, shown):
    assert page.count_label.text() == "۱ کاربر"
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    d = page.last_dialog
    assert isinstance(d, UserDialog) and d.isVisible() and d.windowTitle() == "کاربر جدید"
    assert not d.county_combo.isEnabled()  # a provincial clerk by default
    qtbot.keyClicks(d.username_edit, "sara")
    d.full_name_edit.setFocus()
    type_text(d.full_name_edit, "سارا نوری")
    d.role_combo.setCurrentIndex(d.role_combo.findData("county"))
    assert d.county_combo.isEnabled()
    qtbot.keyClicks(d.password_edit, "secret-3")
    qtbot.keyClicks(d.repeat_edit, "secret-3")
    # a county user without a county: refused by the service, in Persian, the cursor on the county
    assert not d.save()
    assert shown == ["برای کارشناس شهرستان، شهرستان را برگزینید"]
    assert d.isVisible() and d.focusWidget() is d.county_combo
    d.county_combo.setCurrentIndex(d.county_combo.findText("آبیک"))
    with qtbot.waitSignal(d.accepted):
        assert d.save()

    assert ["sara", "سارا نوری", "کارشناس شهرستان", "آبیک", "فعال"] in rows(page)
    assert page.selected_user().username == "sara"  # the new user is selected
    assert page.count_label.text() == "۲ کاربر"
    abyek = reference.county_id_by_name(ctx.uow(), "آبیک")
    actor = users.authenticate(ctx.engine, "sara", "secret-3")
    assert actor.role is Role.COUNTY and actor.county_scope == abyek
    assert actor.display == "سارا نوری — کارشناس شهرستان (آبیک)"


def test_passwords_must_match_and_usernames_be_new(page, ctx, shown, make_user):
    d = page.add_user()
    d.username_edit.setText("boss")
    d.full_name_edit.setText("دیگری")
    d.password_edit.setText("secret-3")
    d.repeat_edit.setText("secret-4")
    assert not d.save()
    assert shown == [PASSWORDS_DIFFER]
    d.repeat_edit.setText("secret-3")
    assert not d.save()
    assert shown[-1] == "نام کاربری «boss» پیش‌تر ثبت شده است"
    assert len(users.list_users(ctx.uow())) == 1


def test_edit_role_and_name(page, ctx, make_user, shown):
    clerk = make_user("reza", "رضا کاظمی", "clerk")
    page.refresh()
    assert page.select_user(clerk.user_id)
    d = page.edit_user()
    assert isinstance(d, UserDialog) and d.username_edit.isReadOnly()
    assert d.password_edit.isHidden()
    d.full_name_edit.setText("رضا کاظمی‌پور")
    d.role_combo.setCurrentIndex(d.role_combo.findData("manager"))
    assert d.save()
    assert ["reza", "رضا کاظمی‌پور", "مدیر", "—", "فعال"] in rows(page)
    assert users.authenticate(ctx.engine, "reza", "secret-1").role is Role.MANAGER


def test_disable_and_enable_a_user(page, ctx, make_user, shown):
    clerk = make_user("reza", "رضا کاظمی", "clerk")
    page.refresh()
    page.select_user(clerk.user_id)
    assert page.toggle_button.text() == "غیرفعال کردن"
    page.confirm = lambda *_a: False  # «خیر»: nothing changes
    assert not page.toggle_user()
    assert users.authenticate(ctx.engine, "reza", "secret-1")
    page.confirm = lambda *_a: True
    assert page.toggle_user()
    assert ["reza", "رضا کاظمی", "کارشناس استان", "—", "غیرفعال"] in rows(page)
    assert page.toggle_button.text() == "فعال کردن"
    with pytest.raises(AuthenticationError, match="غیرفعال"):
        users.authenticate(ctx.engine, "reza", "secret-1")
    assert page.toggle_user()  # enabling asks nothing
    assert users.authenticate(ctx.engine, "reza", "secret-1").username == "reza"


def test_the_last_admin_is_kept(page, admin, shown):
    page.select_user(admin.user_id)
    page.confirm = lambda *_a: True
    assert not page.toggle_user()
    assert shown == ["این کاربر تنها مدیر سامانه فعال است؛ نخست مدیر سامانه دیگری تعریف کنید"]
    d = page.edit_user()
    d.role_combo.setCurrentIndex(d.role_combo.findData("clerk"))
    assert not d.save()
    assert shown[-1].startswith("این کاربر تنها مدیر سامانه فعال است")
    assert ["boss", "مدیر آزمون", "مدیر سامانه", "—", "فعال"] in rows(page)


def test_admin_sets_a_new_password_and_lifts_the_lockout(page, ctx, make_user, shown):
    clerk = make_user("reza", "رضا کاظمی", "clerk")
    for _ in range(users.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            users.authenticate(ctx.engine, "reza", "wrong")
    page.refresh()
    page.select_user(clerk.user_id)
    assert page.selected_user().username == "reza"
    assert rows(page)[[r[0] for r in rows(page)].index("reza")][4].startswith("قفل تا ")
    d = page.reset_password()
    assert isinstance(d, PasswordDialog) and d.current_edit.isHidden()
    assert "رضا کاظمی" in d.findChild(type(page.count_label), "explanationLabel").text()
    d.new_edit.setText("fresh-pass")
    d.repeat_edit.setText("fresh-pass")
    assert d.save()
    assert users.authenticate(ctx.engine, "reza", "fresh-pass").username == "reza"
    assert ["reza", "رضا کاظمی", "کارشناس استان", "—", "فعال"] in rows(page)


def test_search_and_persian_sort(page, make_user, qtbot):
    make_user("vahid", "وحید صالحی", "clerk")
    make_user("parvin", "پروین اعتصامی", "manager")
    make_user("gol", "گلی ترقی", "county", county="تاکستان")
    page.refresh()
    page.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    names = [r[1] for r in rows(page)]
    # Persian order: پ after ب and before ت, گ after ک, و after ن (code-point order puts پ گ after و)
    assert names == ["پروین اعتصامی", "گلی ترقی", "مدیر آزمون", "وحید صالحی"]
    page.search_edit.setText("تاکستان")
    assert [r[0] for r in rows(page)] == ["gol"]
    page.search_edit.setText("مدیر")  # the role column too
    assert sorted(r[0] for r in rows(page)) == ["boss", "parvin"]
    page.search_edit.clear()
    assert len(rows(page)) == 4


def test_search_folds_hamza_and_half_space_as_every_list(page, make_user):
    make_user("noor", "کاربر مؤسسه نور", "clerk")
    make_user("omid", "کاربر انجمن مردم\u200cنهاد امید", "clerk")
    page.refresh()
    for typed, found in (("موسسه", ["noor"]), ("مردمنهاد", ["omid"]), ("مردم\u200cنهاد", ["omid"])):
        type_text(page.search_edit, typed)
        assert [r[0] for r in rows(page)] == found, typed
        page.search_edit.clear()
    assert len(rows(page)) == 3


def test_a_non_admin_gets_neither_users_nor_audit(make_user, admin, desk_as):
    for role in ("manager", "clerk", "county"):
        actor = make_user(f"u-{role}", "کاربر آزمون", role, county="آبیک" if role == "county" else None)
        window = desk_as(actor)
        assert "users" not in window.visible_areas() and "audit" not in window.visible_areas()
        titles = [window.navigation.item(i).text() for i in range(window.navigation.count())]
        assert "کاربران" not in titles and "سابقه تغییرات" not in titles
        menu = [a.text() for a in window.go_menu.actions()]
        assert "کاربران" not in menu and "سابقه تغییرات" not in menu
        assert window.open_area("users") is None and window.open_area("audit") is None
        assert window.page("users") is None and window.page("audit") is None
        window.close()
    window = desk_as(admin)
    assert {"users", "audit"} <= set(window.visible_areas())
