"""NGO pages and dialogs: the paged list, the NGO dialog with its board editor, the NGO view."""

from ostandari_desk.ui.ngos.list_page import NgoListPage

__all__ = ["NgoListPage"]
