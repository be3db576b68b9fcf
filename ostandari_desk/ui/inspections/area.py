"""The «مراکز و بازدیدها» area: its pages as tabs, each built the first time it is shown.

پوشش ماهانه (the county × month grid), مراکز, بازدیدها, برنامه ماهانه سرزده (managers and county users only),
اقدامات اصلاحی معوق, چک‌لیست‌ها. ``apply_filter({"tab": key, ...})`` opens a tab (the start page's tiles) and
hands the other keys to that page's own ``apply_filter``; ``refresh()`` re-reads the pages built so far.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from ostandari_desk.domain.roles import Actor, Permission
from ostandari_desk.errors import UserError
from ostandari_desk.ui.widgets.tabbed_area import Tab, TabbedArea

__all__ = ["TABS", "InspectionsArea", "Tab", "open_visit_dialog", "tabs_for"]


def _grid(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.inspections.grid_page import GridPage

    return GridPage(context, parent)


def _centres(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.inspections.centres_page import CentresPage

    return CentresPage(context, parent)


def _visits(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.inspections.visits_page import VisitsPage

    return VisitsPage(context, parent)


def _plan(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.inspections.plan_page import PlanPage

    return PlanPage(context, parent)


def _actions(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.inspections.actions_page import OverdueActionsPage

    return OverdueActionsPage(context, parent)


def _templates(context, parent: QWidget) -> QWidget:
    from ostandari_desk.ui.inspections.templates_page import TemplatesPage

    return TemplatesPage(context, parent)


def _sees_plans(actor: Actor) -> bool:
    return actor.may(Permission.SEE_PLANS) or actor.county_scope is not None


TABS: tuple[Tab, ...] = (
    Tab("grid", "پوشش ماهانه", _grid),
    Tab("centres", "مراکز", _centres),
    Tab("visits", "بازدیدها", _visits),
    Tab("plan", "برنامه ماهانه سرزده", _plan, _sees_plans),
    Tab("actions", "اقدامات اصلاحی معوق", _actions),
    Tab("templates", "چک‌لیست‌ها", _templates),
)


def tabs_for(actor: Actor) -> tuple[Tab, ...]:
    """The tabs ``actor`` sees, in order."""
    return tuple(t for t in TABS if t.visible_to(actor))


def open_visit_dialog(
    parent: QWidget, context, *, visit_id: str | None = None, centre_id: str | None = None
) -> QWidget | None:
    """Open a visit (or a new one for ``centre_id``) in the visit form; None when it could not open."""
    try:
        from ostandari_desk.ui.inspections.visit_dialog import VisitDialog
    except ImportError:
        QMessageBox.information(parent, "بازدید", "فرم بازدید هنوز در دسترس نیست.")
        return None
    try:
        dialog = VisitDialog(context, visit_id=visit_id, centre_id=centre_id, parent=parent)
    except UserError as exc:
        from ostandari_desk.ui.errors import show_user_error

        show_user_error(parent, exc)
        return None
    dialog.open()
    return dialog


class InspectionsArea(TabbedArea):
    """``InspectionsArea(context, parent=None)``: the tabs of the area; ``page(key)`` builds and returns one.
    ``refresh()`` follows an import of centres or visits (see ui/transfer/menu.py)."""

    TABS = TABS
    AREA_NAME = "inspectionsArea"
    TABS_NAME = "inspectionTabs"
