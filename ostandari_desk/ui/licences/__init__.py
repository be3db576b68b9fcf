"""Licence screens: the licence panel of an NGO, the step dialogs, the timeline, expiring licences."""

from ostandari_desk.ui.licences.expiring_page import ExpiringLicencesPage

__all__ = ["ExpiringLicencesPage"]
