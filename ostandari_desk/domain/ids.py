"""Check digits of Iranian identifiers: the personal national code and the legal entities' national ID."""

from __future__ import annotations

import re

from ostandari_desk.domain.text import normalize, to_persian_digits
from ostandari_desk.errors import ValidationError

__all__ = [
    "is_valid_legal_national_id",
    "is_valid_national_code",
    "make_legal_national_id",
    "make_national_code",
    "validate_legal_national_id",
    "validate_national_code",
]

_LEGAL_COEFFICIENTS = (29, 27, 23, 19, 17, 29, 27, 23, 19, 17)
_SEPARATORS = re.compile(r"[\s\-]")


def _digits(value: object) -> str:
    """Normalized text with Latin digits and no spaces or hyphens (``123-456789-0`` is common)."""
    if value is None:
        return ""
    return _SEPARATORS.sub("", normalize(str(value)))


def _national_code_check_digit(first9: str) -> int:
    remainder = sum(int(d) * (10 - i) for i, d in enumerate(first9)) % 11
    return remainder if remainder < 2 else 11 - remainder


def _legal_id_check_digit(first10: str) -> int:
    base = int(first10[9]) + 2
    remainder = sum((base + int(d)) * c for d, c in zip(first10, _LEGAL_COEFFICIENTS)) % 11
    return 0 if remainder == 10 else remainder


def _is_national_code_digits(code: str) -> bool:
    return (
        len(code) == 10
        and code.isascii()
        and code.isdigit()
        and len(set(code)) > 1
        and _national_code_check_digit(code[:9]) == int(code[9])
    )


def _is_legal_id_digits(nid: str) -> bool:
    return (
        len(nid) == 11 and nid.isascii() and nid.isdigit() and _legal_id_check_digit(nid[:10]) == int(nid[10])
    )


def is_valid_national_code(code: str | None) -> bool:
    """Whether ``code`` is a valid 10-digit کد ملی (Persian digits, spaces and hyphens allowed)."""
    return _is_national_code_digits(_digits(code))


def is_valid_legal_national_id(nid: str | None) -> bool:
    """Whether ``nid`` is a valid 11-digit شناسه ملی of a legal entity."""
    return _is_legal_id_digits(_digits(nid))


def _validate(value: object, field: str, length: int, check) -> str:
    digits = _digits(value)
    shown = to_persian_digits(digits)
    if not digits:
        raise ValidationError(f"{field} وارد نشده است", field=field)
    if len(digits) != length or not digits.isascii() or not digits.isdigit():
        raise ValidationError(
            f"{field} «{shown}» معتبر نیست: باید {to_persian_digits(length)} رقم باشد", field=field
        )
    if not check(digits):
        raise ValidationError(f"{field} {shown} معتبر نیست: رقم کنترل نادرست است", field=field)
    return digits


def validate_national_code(code: str | None, field: str = "کد ملی") -> str:
    """Return the 10 Latin digits of a valid national code, or raise ValidationError naming ``field``."""
    return _validate(code, field, 10, _is_national_code_digits)


def validate_legal_national_id(nid: str | None, field: str = "شناسه ملی") -> str:
    """Return the 11 Latin digits of a valid legal national ID, or raise ValidationError naming ``field``."""
    return _validate(nid, field, 11, _is_legal_id_digits)


def make_national_code(prefix9: str) -> str:
    """Append the check digit to 9 digits (demo data, tests).

    Raises:
        ValueError: if ``prefix9`` is not 9 digits or the result would be a rejected all-same-digit code.
    """
    prefix = _digits(prefix9)
    if len(prefix) != 9 or not prefix.isascii() or not prefix.isdigit():
        raise ValueError(f"need 9 digits: {prefix9!r}")
    code = prefix + str(_national_code_check_digit(prefix))
    if len(set(code)) == 1:
        raise ValueError(f"all-same-digit national codes are invalid: {code}")
    return code


def make_legal_national_id(prefix10: str) -> str:
    """Append the check digit to 10 digits (demo data, tests)."""
    prefix = _digits(prefix10)
    if len(prefix) != 10 or not prefix.isascii() or not prefix.isdigit():
        raise ValueError(f"need 10 digits: {prefix10!r}")
    return prefix + str(_legal_id_check_digit(prefix))
