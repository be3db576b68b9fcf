"""Excel/CSV exchange in the desk: the import, export and template dialogs and their File-menu actions.

Kept light on purpose: the main window builds its menus at start-up, so only ``menu`` is imported
here; the dialogs (and services.transfer with them) load when an action is first used.
"""

from ostandari_desk.ui.transfer.menu import add_transfer_actions, open_transfer_dialog, refresh_after_import

__all__ = ["add_transfer_actions", "open_transfer_dialog", "refresh_after_import"]
