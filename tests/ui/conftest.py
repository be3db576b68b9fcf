"""UI fixtures: the prepared QApplication, an AppContext on a desk initialized for قزوین, the main window.

- ``ctx``: AppContext on the migrated ``engine`` fixture, initialized via services.setup.initialize for
  province قزوین (provincial installation), acting as the ``actor`` fixture (an admin named ``CLERK``).
- ``main_window``: ``app.create_main_window`` on that database, shown; waits for the start page's counts.
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
