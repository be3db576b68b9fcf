"""The lists' search, one rule for all: the typed words folded with ``text.search_key``, each in the record.

The NGO list's full-text search folds the same way (store/adapters): «موسسه» finds «مؤسسه», «مردمنهاد» finds
«مردم‌نهاد», «۱۴۰۲» finds «1402». A record's haystack is one of:

- a stored key column made with ``text.search_key`` when the record is written (``letter.search_text``,
  ``event.title_key``, revision 0012 made the old rows' again; ``memorandum.search_text`` and
  ``centre.search_text``, revision 0013): ``contains(column, word)``;
- text stored as shown (``text.clean``: hamza forms, half-spaces, harakat and Persian digits kept: the
  offices' names and neighbourhoods): ``folded_contains`` folds it in SQL as ``search_key`` does, a scan
  (a few hundred rows);
- a short list held whole in memory (the users): ``matches``.

The stored names themselves keep their hamza and half-space.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import col

from ostandari_desk.domain import text

__all__ = ["contains", "escape_like", "folded_contains", "matches", "words"]

# What search_key folds that text.clean() keeps (tests/services/test_search_fold.py holds the two to it):
# letter forms onto the letter search_key makes of them, applied when the word holds that letter ...
LETTER_FOLDS: tuple[tuple[str, str], ...] = (
    ("\u0629", "\u0647"),  # ة
    ("\u06c0", "\u0647"),  # ۀ
    ("\u06d5", "\u0647"),  # ە
    ("\u06be", "\u0647"),  # ھ
    ("\u0623", "\u0627"),  # أ
    ("\u0625", "\u0627"),  # إ
    ("\u0671", "\u0627"),  # ٱ
    ("\u0624", "\u0648"),  # ؤ
    ("\u0626", "\u06cc"),  # ئ
)
# ... and what it drops wherever it stands: the half-space joiners (ZWNJ, ZWJ, zero width space), the
# harakat, the hamza above and below and the superscript alef. The rarer marks (U+0653, U+0656–U+065F) are
# left: SQLite refuses an expression nested much deeper than these folds (a «parser stack overflow»).
DROPPED: tuple[str, ...] = (
    text.ZWNJ,
    "\u200d",
    "\u200b",
    *(chr(cp) for cp in range(0x064B, 0x0653)),  # ً ٌ ٍ َ ُ ِ ّ ْ
    "\u0654",
    "\u0655",
    "\u0670",
)
_FOLD_TARGETS = frozenset(new for _old, new in LETTER_FOLDS)
_DIGIT_FORMS = (
    str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"),
    str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"),
)


def words(query: str | None) -> list[str]:
    """The words of what the clerk typed, as a search compares them (``text.search_key``)."""
    return text.search_key(query).split()


def escape_like(value: str) -> str:
    """``value`` taken literally inside a LIKE pattern (escape character ``\\``)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(haystack: Any, word: str) -> Any:
    return haystack.like(f"%{escape_like(word)}%", escape="\\")


def contains(column: Any, word: str) -> Any:
    """``column`` (a key stored with ``text.search_key``) holds ``word`` (one of ``words``)."""
    return _like(col(column), word)


def _folded(haystack: Any, word: str) -> Any:
    """``haystack`` (text stored with ``text.clean``) folded in SQL as ``text.search_key`` would fold it, as
    far as ``word`` can tell: only the letter folds whose letter the word holds, every dropped mark, and
    Latin lower-cased when the word has Latin letters (PostgreSQL's LIKE minds case)."""
    for old, new in LETTER_FOLDS:
        if new in word:
            haystack = func.replace(haystack, old, new)
    for mark in DROPPED:
        haystack = func.replace(haystack, mark, "")
    if word != word.upper():
        haystack = func.lower(haystack)
    return haystack


def _in_order(haystack: Any, word: str) -> Any:
    """What a folded match needs of the unfolded ``haystack``: the word's letters no fold makes, in their
    order (a mark or a half-space may stand between them)."""
    kept = [ch for ch in word if ch not in _FOLD_TARGETS]
    return haystack.like("%" + "%".join(escape_like(ch) for ch in kept) + "%", escape="\\")


def folded_contains(haystack: Any, word: str) -> Any:
    """``haystack`` (text stored as shown) holds ``word`` (one of ``words``) once folded. A word with digits
    is also looked for with Persian and Arabic-Indic digits, as the shown text may hold them.

    The folds cost a dozen ``replace`` calls a row, so two cheap LIKEs go first: the word as it is (most
    matches), and the letters of it no fold makes, in order (most rows that cannot match)."""
    plain = func.lower(haystack) if word != word.upper() else haystack
    target = _folded(haystack, word)
    forms = dict.fromkeys([word, *(word.translate(table) for table in _DIGIT_FORMS)])
    return or_(
        *(or_(_like(plain, form), and_(_in_order(plain, form), _like(target, form))) for form in forms)
    )


def matches(query: str | None, *texts: str | None) -> bool:
    """Every word of ``query`` is in one of ``texts`` once both are folded (a list held in memory)."""
    haystack = text.search_key(" ".join(t for t in texts if t))
    return all(word in haystack for word in words(query))
