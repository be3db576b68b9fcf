"""«تبادل با استان / شهرستان»: the exchange's window (page.py), its dialogs and tables, and the File menu's
action (menu.py). Kept light: the main window imports ``add_exchange_action`` at start-up; the services load
when the window first opens."""

from ostandari_desk.ui.exchange.menu import add_exchange_action, open_exchange_window

__all__ = ["add_exchange_action", "open_exchange_window"]
