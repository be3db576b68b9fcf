"""UI fixtures: the prepared QApplication, an AppContext on a desk initialized for قزوین, the main window.

- ``ctx``: AppContext on the migrated ``engine`` fixture, initialized via services.setup.initialize for
  province قزوین (provincial installation), acting as the ``actor`` fixture (an admin named ``CLERK``).
- ``main_window``: ``app.create_main_window`` on that database, shown; waits for the start page's counts.
- ``make_user``, ``admin``: real users (argon2 passwords) signed in through ``services.users``;
  ``desk_as(actor)``: the main window signed in as someone else.
"""

from __future__ import annotations

import pytest

CLERK = "کارشناس آزمون"


@pytest.fixture
def prepared_app(qapp):
    """pytest-qt's session QApplication with our fonts, translator, direction and style."""
    from ostandari_desk.ui.style import prepare_application

    prepare_application(qapp)
    return qapp


@pytest.fixture
def ctx(engine, uow, actor, prepared_app):
    from ostandari_desk.services import setup
    from ostandari_desk.ui.context import AppContext

    setup.initialize(uow, "قزوین", None)
    return AppContext(engine=engine, actor=actor, db_path=None)


@pytest.fixture
def main_window(ctx, qtbot, db_path):
    from ostandari_desk.app import create_main_window
    from ostandari_desk.ui.tasks import wait_for_tasks

    window = create_main_window(ctx.engine, ctx.actor, db_path)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    wait_for_tasks()
    yield window
    wait_for_tasks()


ADMIN_PASSWORD = "secret-1"


@pytest.fixture
def make_user(ctx):
    """Factory: ``make_user(username, full_name, role="clerk", county=None, password=...)`` -> the user's
    Actor, signed in through ``services.users.authenticate`` (the first call makes the first admin)."""
    from ostandari_desk.services import reference, users

    def make(
        username: str, full_name: str, role: str = "clerk", county: str | None = None, password: str = ""
    ):
        password = password or ADMIN_PASSWORD
        if not users.has_users(ctx.engine):
            assert role == "admin", "the first user is the first admin"
            users.create_first_admin(ctx.uow(), username, full_name, password)
        else:
            county_id = reference.county_id_by_name(ctx.uow(), county) if county else None
            users.create_user(ctx.uow(), username, full_name, role, password, county_id)
        return users.authenticate(ctx.engine, username, password)

    return make


@pytest.fixture
def admin(make_user):
    """A real admin user «boss» (password ADMIN_PASSWORD), signed in."""
    return make_user("boss", "مدیر آزمون", "admin")


@pytest.fixture
def desk_as(ctx, qtbot, db_path):
    """Factory: ``desk_as(actor)`` -> the main window signed in as ``actor``, shown."""
    from ostandari_desk.app import create_main_window
    from ostandari_desk.ui.tasks import wait_for_tasks

    def make(actor):
        window = create_main_window(ctx.engine, actor, db_path)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        wait_for_tasks()
        return window

    yield make
    wait_for_tasks()
