"""Persian text: the search normalizer, display cleaning, digits, numbers, rial words and the sort key."""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "LRM",
    "RLM",
    "ZWNJ",
    "clean",
    "digits_to_latin",
    "format_number",
    "format_rials",
    "normalize",
    "parse_int",
    "persian_sort_key",
    "print_form",
    "protect_hyphenated_numbers",
    "rials_in_words",
    "rlm",
    "search_key",
    "search_text",
    "signed_percent",
    "to_persian_digits",
]

RLM = "\u200f"
LRM = "\u200e"
ZWNJ = "\u200c"
ZWJ = "\u200d"
TATWEEL = "\u0640"

_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"

_BIDI_CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"

_TO_LATIN_DIGITS = str.maketrans(_PERSIAN_DIGITS + _ARABIC_DIGITS, "0123456789" * 2)
_TO_PERSIAN_DIGITS = str.maketrans("0123456789" + _ARABIC_DIGITS, _PERSIAN_DIGITS * 2)

# Arabic letter forms that Persian writes differently; shared by normalize() and clean().
_ARABIC_TO_PERSIAN = {
    "\u064a": "\u06cc",  # ي -> ی
    "\u0649": "\u06cc",  # ى -> ی
    "\u0643": "\u06a9",  # ك -> ک
    "\u06aa": "\u06a9",  # ڪ -> ک
}

# normalize(): the search/storage key. Everything maps to one canonical spelling.
_NORMALIZE_MAP: dict[int, str | None] = {ord(k): v for k, v in _ARABIC_TO_PERSIAN.items()}
_NORMALIZE_MAP.update(
    {
        ord("\u0629"): "\u0647",  # ة -> ه
        ord("\u06c0"): "\u0647",  # ۀ -> ه
        ord("\u06d5"): "\u0647",  # ە -> ه
        ord("\u06be"): "\u0647",  # ھ -> ه
        ord("\u0623"): "\u0627",  # أ -> ا
        ord("\u0625"): "\u0627",  # إ -> ا
        ord("\u0671"): "\u0627",  # ٱ -> ا
        ord(TATWEEL): None,
        ord("\u00ad"): None,  # soft hyphen
        ord("\ufeff"): None,  # BOM / zero width no-break space
        ord(ZWNJ): " ",
        ord(ZWJ): " ",
        ord("\u200b"): " ",  # zero width space, sometimes typed for ZWNJ
        ord("\u0670"): None,  # superscript alef
    }
)
_NORMALIZE_MAP.update({cp: None for cp in range(0x064B, 0x0660)})  # harakat, hamza above/below
_NORMALIZE_MAP.update({ord(c): None for c in _BIDI_CONTROLS})
_NORMALIZE_MAP.update({ord(a): b for a, b in zip(_PERSIAN_DIGITS + _ARABIC_DIGITS, "0123456789" * 2)})

# clean(): display text. Only the letter forms, tatweel and bidi controls change.
_CLEAN_MAP: dict[int, str | None] = {ord(k): v for k, v in _ARABIC_TO_PERSIAN.items()}
_CLEAN_MAP.update({ord(c): None for c in _BIDI_CONTROLS})
_CLEAN_MAP.update({ord(TATWEEL): None, ord("\ufeff"): None, ord("\u00ad"): None})

_WHITESPACE_RUN = re.compile(r"\s+")
_ZWNJ_RUN = re.compile(ZWNJ + "{2,}")
_ZWNJ_NEAR_SPACE = re.compile(rf" ?{ZWNJ}+ ?")


def normalize(text: str | None) -> str:
    """Return the one canonical search/storage key form of ``text``.

    Arabic letter forms become Persian (ي ى→ی, ك→ک, ة ۀ→ه, أ إ ٱ→ا; آ is kept), tatweel, harakat and
    bidi controls go, ZWNJ/ZWJ and every space variant become one ASCII space, Persian and
    Arabic-Indic digits become ASCII, Latin is casefolded. Not meant for display.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_NORMALIZE_MAP)
    return _WHITESPACE_RUN.sub(" ", text).strip().casefold()


def clean(text: str | None) -> str:
    """Return ``text`` as stored for display: Persian letter forms, tidy spaces, ZWNJ and harakat kept."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_CLEAN_MAP)
    text = _WHITESPACE_RUN.sub(" ", text).strip()
    if ZWNJ in text:
        text = _ZWNJ_RUN.sub(ZWNJ, text)
        text = _ZWNJ_NEAR_SPACE.sub(lambda m: " " if " " in m.group() else ZWNJ, text)
        text = text.strip(ZWNJ + " ")
    return text


def digits_to_latin(text: str) -> str:
    """Replace Persian and Arabic-Indic digits with ASCII digits."""
    return text.translate(_TO_LATIN_DIGITS)


def to_persian_digits(value: object) -> str:
    """``str(value)`` with ASCII (and Arabic-Indic) digits shown as Persian digits; None gives ""."""
    if value is None:
        return ""
    return str(value).translate(_TO_PERSIAN_DIGITS)


def format_number(n: float, decimals: int = 0) -> str:
    """Format ``n`` with Persian digits, «٬» between thousands and «٫» as the decimal point."""
    if decimals < 0:
        raise ValueError("decimals must not be negative")
    text = f"{abs(n):,.{decimals}f}"
    negative = n < 0 and any(c not in "0,." for c in text)
    text = text.replace(",", "\u066c").replace(".", "\u066b")
    return ("-" if negative else "") + to_persian_digits(text)


def format_rials(n: int) -> str:
    """Format an amount in rials, e.g. ``۱۰٬۸۰۰٬۰۰۰٬۰۰۰ ریال``."""
    return f"{format_number(n)} ریال"


_ONES = ["", "یک", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه"]
_TEENS = ["ده", "یازده", "دوازده", "سیزده", "چهارده", "پانزده", "شانزده", "هفده", "هجده", "نوزده"]
_TENS = ["", "", "بیست", "سی", "چهل", "پنجاه", "شصت", "هفتاد", "هشتاد", "نود"]
_HUNDREDS = ["", "صد", "دویست", "سیصد", "چهارصد", "پانصد", "ششصد", "هفتصد", "هشتصد", "نهصد"]
_SCALES = ["", "هزار", "میلیون", "میلیارد", "تریلیون", "کوادریلیون", "کوینتیلیون"]
_MAX_WORDS = 10**18


def _three_digits_in_words(n: int) -> str:
    parts = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        parts.append(_HUNDREDS[hundreds])
    if 10 <= rest < 20:
        parts.append(_TEENS[rest - 10])
    else:
        tens, ones = divmod(rest, 10)
        if tens:
            parts.append(_TENS[tens])
        if ones:
            parts.append(_ONES[ones])
    return " و ".join(parts)


def _int_in_words(n: int) -> str:
    if n == 0:
        return "صفر"
    if n < 0:
        return "منفی " + _int_in_words(-n)
    groups = []
    scale = 0
    while n:
        n, group = divmod(n, 1000)
        if group:
            if scale == 1 and group == 1:
                words = "هزار"
            else:
                words = _three_digits_in_words(group)
                if scale:
                    words += " " + _SCALES[scale]
            groups.append(words)
        scale += 1
    return " و ".join(reversed(groups))


def rials_in_words(n: int) -> str:
    """Persian words for an integer amount plus « ریال»; |n| up to 10**18.

    >>> rials_in_words(2_300_000_000)
    'دو میلیارد و سیصد میلیون ریال'
    """
    n = int(n)
    if abs(n) > _MAX_WORDS:
        raise ValueError(f"amount too large for words: {n}")
    return _int_in_words(n) + " ریال"


_NORMALIZE_BIDI = {ord(c): None for c in _BIDI_CONTROLS}
_INT_SEPARATORS = re.compile(r"[,\u066c\u060c\s\u200c]")
_INT_PATTERN = re.compile(r"[-\u2212]?[0-9]+")


def parse_int(text: str) -> int:
    """Parse an integer typed with Persian, Arabic-Indic or Latin digits and optional separators.

    Raises:
        ValueError: if anything but digits, separators (``,`` ``٬`` ``،`` spaces) and a leading minus remains.
    """
    if text is None:
        raise ValueError("no number given")
    stripped = _INT_SEPARATORS.sub("", digits_to_latin(str(text)).translate(_NORMALIZE_BIDI))
    if not _INT_PATTERN.fullmatch(stripped):
        raise ValueError(f"not an integer: {text!r}")
    return int(stripped.replace("\u2212", "-"))


# --- the search key: what a search compares, never what is stored or shown ------------------------

# normalize() and then the hamza forms folded onto their carriers (ؤ→و, ئ→ی; أ إ→ا and ۀ→ه already):
# «موسسه» finds «مؤسسه». ZWNJ, ZWJ and the zero width space join the halves of a word («مردم‌نهاد» is
# searched as «مردمنهاد»), where normalize() makes them a space.
_SEARCH_JOINERS = (ZWNJ, ZWJ, "\u200b")
_SEARCH_MAP: dict[int, str | None] = {
    **_NORMALIZE_MAP,
    ord("\u0624"): "\u0648",  # ؤ -> و
    ord("\u0626"): "\u06cc",  # ئ -> ی
    **{ord(c): ZWNJ for c in _SEARCH_JOINERS},  # one joiner, taken out by search_key / search_text
}


def _search_form(text: str) -> str:
    """normalize() with the search folds, ZWNJ kept as the one joiner (tidied next to spaces)."""
    text = unicodedata.normalize("NFC", text).translate(_SEARCH_MAP)
    text = _WHITESPACE_RUN.sub(" ", text).strip().casefold()
    if ZWNJ in text:
        text = _ZWNJ_NEAR_SPACE.sub(lambda m: " " if " " in m.group() else ZWNJ, text).strip(ZWNJ + " ")
    return text


def search_key(text: str | None) -> str:
    """The form a typed search is compared in: ``normalize`` plus the hamza folds, half-spaces joined.

    >>> search_key("مؤسسه مردم‌نهاد")
    'موسسه مردمنهاد'

    Only for comparing: the stored name keeps its hamza and its half-space.
    """
    if not text:
        return ""
    return _search_form(text).replace(ZWNJ, "")


def _search_words(token: str) -> str:
    """One word as the search text holds it: joined, then each later half-word on its own («مردمنهاد
    نهاد»), so «مردمنهاد», «مردم‌نهاد» and «نهاد» all find it (the first half is a prefix already)."""
    if ZWNJ not in token:
        return token
    pieces = [p for p in token.split(ZWNJ) if p]
    return " ".join(["".join(pieces), *pieces[1:]])


def search_text(*parts: str | None) -> str:
    """The text a full-text index holds for ``parts`` (a name, codes…): their search keys, each word
    with a half-space also as its later halves. A query meets it as ``search_key(query)``.

    Word by word, so joining parts with one space commutes with it:
    ``search_text("a b") == search_text("a", "b")``.

    >>> search_text("مؤسسه مردم‌نهاد", "12")
    'موسسه مردمنهاد نهاد 12'
    """
    words = []
    for part in parts:
        if part:
            words.extend(_search_words(token) for token in _search_form(part).split(" ") if token)
    return " ".join(words)


# --- the sort key: Persian dictionary order as ICU's «fa» collation has it --------------------------

# CLDR's fa collation: آ before ا, then the hamza ء with أ إ ؤ ئ یٔ as its variants (one place: «تئاتر»
# and «تأثیر» come after «تاج», before «توان»), then ب … ی; و before ه. Every letter maps to one
# character in ASCII ':'..'[': after the digits, before Latin (Arabic script first in fa's order).
_PERSIAN_ORDER = "آاءبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
_HAMZA_FORMS = "\u0623\u0625\u0624\u0626\u0672\u0673"  # أ إ ؤ ئ ٲ ٳ: the hamza's place
# Punctuation in ICU's order (before digits and letters); each sorts as '!' and its rank.
_ICU_PUNCTUATION = (
    "_-\u2013\u2014,\u060c\u066b\u066c;\u061b:!?\u061f.\u2026\u00b7'\u2018\u2019\u2039\u203a"
    '"\u201c\u201d\u00ab\u00bb()[]{}@*/\\&#%\u066a\u2022`^+\u00f7\u00d7<=>|~$'
)
_SORT_MAP: dict[int, str | None] = {ord(k): v for k, v in _ARABIC_TO_PERSIAN.items()}
_SORT_MAP.update({ord(c): "\u0647" for c in "\u0629\u06c0\u06d5\u06be\u06c1\u06c3"})  # ة ۀ ە ھ ہ ۃ -> ه
_SORT_MAP.update({ord("\u0671"): "\u0627"})  # ٱ -> ا
_SORT_MAP.update({ord(c): "\u0621" for c in _HAMZA_FORMS})
_SORT_MAP.update({cp: None for cp in range(0x064B, 0x0660)})  # harakat, hamza above/below
_SORT_MAP.update({ord(c): None for c in (TATWEEL, "\u0670", "\u0674", "\u00ad", "\ufeff", *_SEARCH_JOINERS)})
_SORT_MAP.update({ord(c): None for c in _BIDI_CONTROLS})
_SORT_MAP.update({ord(a): b for a, b in zip(_PERSIAN_DIGITS + _ARABIC_DIGITS, "0123456789" * 2)})
# applied after the folds above: letters by rank, punctuation by ICU's order
_RANK_MAP: dict[int, str] = {ord(ch): chr(0x3A + rank) for rank, ch in enumerate(_PERSIAN_ORDER)}
_RANK_MAP.update({ord(ch): "!" + chr(0x21 + rank) for rank, ch in enumerate(_ICU_PUNCTUATION)})
_YEH_HAMZA = re.compile("[\u06cc\u064a\u0649]\u0654")  # یٔ: the hamza's variant in fa's order


def persian_sort_key(text: str | None) -> str:
    """Key whose plain code-point order (SQLite BINARY, PostgreSQL "C", ``ORDER BY``) is Persian
    dictionary order, as ICU's ``fa`` collation (``QCollator(QLocale("fa"))``) sorts.

    Letter forms are folded (ي→ی, ك→ک, ة ۀ→ه, the hamza forms onto ء), harakat, tatweel, bidi controls
    and half-spaces go (a half-space does not count, as in ICU), spaces are tidied, digits made Latin and
    Latin casefolded. Then spaces sort first, punctuation next, digits, the Persian letters (آ ا ء ب … ی)
    and Latin last. Character by character, so joining parts with one space commutes with it.
    Differences ICU weighs only at a second level (a hamza form against another, a haraka) are ties.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    if "\u0654" in text:
        text = _YEH_HAMZA.sub("\u0621", text)
    text = _WHITESPACE_RUN.sub(" ", text.translate(_SORT_MAP)).strip().casefold()
    return text.translate(_RANK_MAP)


def _first_strong_direction(text: str) -> str | None:
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return "R"
        if kind == "L":
            return "L"
    return None


def rlm(text: str | None) -> str:
    """Prefix RLM when the first strong character is left-to-right, so Qt lays the string out RTL."""
    if not text:
        return ""
    if _first_strong_direction(text) == "L":
        return RLM + text
    return text


_HYPHENATED_NUMBER = re.compile(r"(?<![0-9۰-۹٠-٩\u200e])([0-9۰-۹٠-٩]+(?:-[0-9۰-۹٠-٩]+)+)")


def protect_hyphenated_numbers(text: str | None) -> str:
    """Put LRM before tokens like ``1402-17`` so they do not flip inside right-to-left text."""
    if not text:
        return ""
    return _HYPHENATED_NUMBER.sub(LRM + r"\1", text)


# --- print time: what a paper shows, never what is stored ------------------------------------------

PERCENT = "\u066a"  # ٪
MINUS = "\u2212"
_PRINT_TOKEN = re.compile(r"[^\s]+")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_TO_PRINTED = str.maketrans(
    {**{c: p for c, p in zip("0123456789" + _ARABIC_DIGITS, _PERSIAN_DIGITS * 2)}, "%": PERCENT}
)


def _printed_token(match: re.Match[str]) -> str:
    token = match.group(0)
    return token if _LATIN_LETTER.search(token) else token.translate(_TO_PRINTED)


def print_form(text: str | None) -> str:
    """``text`` as a paper prints it: Persian digits and «٪» for percent in free text.

    A token with a Latin letter keeps its digits as typed («45-B», «CO2», «www.site1.ir»). Only for
    printing: stored text keeps what the clerk typed.

    >>> print_form("پلاک 67، سهم 30%")
    'پلاک ۶۷، سهم ۳۰٪'
    """
    if not text:
        return ""
    return _PRINT_TOKEN.sub(_printed_token, text)


def signed_percent(pct: float) -> str:
    """A signed change in percent, the one form tables and prose print: «+۱۴۰٪», «−۵٫۸٪», «۰٪».

    Whole numbers, or one decimal below 10 («+۵٫۸٪»); the minus is U+2212. The paper prints it as one
    left-to-right unit, sign first, wherever it stands (reports.persian isolates it).
    """
    decimals = 0 if float(pct).is_integer() or abs(pct) >= 10 else 1
    shown = format_number(abs(pct), decimals).removesuffix("\u066b\u06f0")
    if shown == "\u06f0":
        return "\u06f0" + PERCENT
    return f"{'+' if pct > 0 else MINUS}{shown}{PERCENT}"
