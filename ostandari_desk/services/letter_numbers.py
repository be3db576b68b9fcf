"""The next number of a letter series: what a new letter's number field proposes (the clerk may change it).

A series is one secretariat's letters of one direction and Jalali year: a county's own (``county_id``) or
the province's (None), as revision 0008's unique indexes have it (services/letters.py refuses a number
taken in its series). Numbers are free text like «۱۲۳/ص» or «۱۴۰۲/۴۵»: the proposal follows the pattern of
the series' latest letter, counting on from the highest value of the part that runs.
"""

from __future__ import annotations

import re

from sqlmodel import col, select

from ostandari_desk.services.letters import DIRECTION_LABELS, clean_number, series_condition
from ostandari_desk.store.models import Letter
from ostandari_desk.store.uow import UnitOfWork

__all__ = ["next_letter_number", "propose_next"]

_RUN = re.compile(r"[0-9]+")
FIRST = "1"


def _pattern(number: str) -> tuple[str, list[str]]:
    """(the number with each digit run as «#», the runs): «123/ص» -> ("#/ص", ["123"])."""
    return _RUN.sub("#", number), _RUN.findall(number)


def _running_index(runs: list[list[str]], year: int) -> int:
    """Which digit run counts the letters: the last one whose values differ across the series; in a
    series of one letter, the last run that is not the year («1402/7» counts 7, «7/1402» too)."""
    width = len(runs[0])
    varying = [i for i in range(width) if len({r[i].lstrip("0") for r in runs}) > 1]
    if varying:
        return varying[-1]
    years = {str(year), str(year % 100)}
    not_year = [i for i in range(width) if runs[0][i] not in years]
    return not_year[-1] if not_year else width - 1


def propose_next(numbers: list[str], latest: str | None, year: int) -> str:
    """The next number after ``numbers`` (a series, ``latest`` its newest letter's), not among them.

    >>> propose_next(["12/ص", "13/ص"], "13/ص", 1402)
    '14/ص'
    """
    taken = set(numbers)
    pattern, runs = _pattern(latest or "")
    if not runs:  # the newest letter has no digits: follow the newest one that has
        return _free(FIRST, taken)
    same = [found for found in (_pattern(n) for n in numbers) if found[0] == pattern]
    index = _running_index([r for _p, r in same], year)
    top = max(int(r[index]) for _p, r in same)
    width = len(runs[index]) if runs[index].startswith("0") else 0
    pieces = pattern.split("#")

    def build(value: int) -> str:
        values = list(runs)
        values[index] = str(value).zfill(width)
        return "".join(p + v for p, v in zip(pieces, [*values, ""], strict=True))

    value = top + 1
    while build(value) in taken:
        value += 1
    return build(value)


def _free(number: str, taken: set[str]) -> str:
    value = int(number)
    while str(value) in taken:
        value += 1
    return str(value)


def next_letter_number(uow: UnitOfWork, direction: str, year: int, county_id: str | None) -> str:
    """The number to propose for a new letter of the series (``county_id``'s; None: the province's own)
    of ``direction`` and Jalali ``year``: «1» for an empty series, else the next after the highest of the
    newest letter's pattern. Latin digits, as stored (a screen shows them Persian).

    The series' numbers are read from its unique index (revision 0008); the actor's scope applies.
    """
    if direction not in DIRECTION_LABELS:
        raise ValueError(f"unknown letter direction: {direction!r}")
    stmt = (
        select(Letter.number)
        .where(series_condition(county_id), Letter.direction == direction, Letter.jalali_year == year)
        .order_by(col(Letter.dated_on).desc(), col(Letter.created_at).desc())
    )
    with uow:
        numbers = [clean_number(n) for n in uow.s.exec(stmt)]
    if not numbers:
        return FIRST
    latest = next((n for n in numbers if _RUN.search(n)), None)
    return propose_next(numbers, latest, year)
