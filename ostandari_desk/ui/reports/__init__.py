"""The reports area (ReportsPage) and the start page's year summary (YearSummaryWidget)."""

from ostandari_desk.ui.reports.page import ReportsPage

__all__ = ["ReportsPage"]
