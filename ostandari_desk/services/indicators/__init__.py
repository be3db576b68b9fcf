"""The indicators the office compares year on year, declared once, and the grouped counting behind them.

- :mod:`.declared`: the :class:`Indicator` rows of the annual comparison, by the report's sections
  (licences and the council, events, letters, memoranda and credits, visits), the headline ones and the
  ones shown per county;
- :mod:`.sources`: the tables (and joins) they count from, each with its date, county and dimensions;
- :mod:`.counting`: one grouped query per source for both periods and every county.

Memoranda, credits or inspections joined the annual report by adding a source and a few definitions;
nothing else changes.
"""

from ostandari_desk.services.indicators.counting import PROVINCE_KEY, Counts, Period, count_indicators
from ostandari_desk.services.indicators.declared import (
    COUNTY_INDICATORS,
    GROUPS,
    INDICATORS,
    KEY_INDICATORS,
    UNIT_RIALS,
    Indicator,
    indicator,
)
from ostandari_desk.services.indicators.sources import SOURCES, Source

__all__ = [
    "COUNTY_INDICATORS",
    "GROUPS",
    "INDICATORS",
    "KEY_INDICATORS",
    "PROVINCE_KEY",
    "SOURCES",
    "UNIT_RIALS",
    "Counts",
    "Indicator",
    "Period",
    "Source",
    "count_indicators",
    "indicator",
]
