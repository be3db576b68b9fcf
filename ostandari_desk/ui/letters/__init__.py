"""The letters area: LettersPage and LetterDialog (with attachments)."""

from ostandari_desk.ui.letters.dialog import LetterDialog
from ostandari_desk.ui.letters.page import LettersPage

__all__ = ["LetterDialog", "LettersPage"]
