"""The events area: EventsPage (list + Jalali month calendar) and EventDialog."""

from ostandari_desk.ui.events.dialog import EventDialog
from ostandari_desk.ui.events.page import EventsPage

__all__ = ["EventDialog", "EventsPage"]
