"""Tests for the check digits of national codes and legal national IDs."""

import pytest

from ostandari_desk.domain.ids import (
    is_valid_legal_national_id,
    is_valid_national_code,
    make_legal_national_id,
    make_national_code,
    validate_legal_national_id,
    validate_national_code,
)
from ostandari_desk.errors import ValidationError


@pytest.mark.parametrize(
    "code",
    ["0499370899", "0790419904", "0084575948", "0013542419", "۰۴۹۹۳۷۰۸۹۹", "049-937089-9", " 0499370899 "],
)
def test_valid_national_codes(code):
    assert is_valid_national_code(code)


@pytest.mark.parametrize(
    "code", ["0499370898", "1111111111", "0000000000", "049937089", "04993708990", "04993708a9", "", None]
)
def test_invalid_national_codes(code):
    assert not is_valid_national_code(code)


def test_national_code_check_digit_rule():
    # remainder < 2 -> check digit is the remainder; otherwise 11 - remainder
    assert make_national_code("049937089") == "0499370899"
    for prefix in ["123456789", "000000001", "987654321", "100000000", "۲۳۴۵۶۷۸۹۰"]:
        code = make_national_code(prefix)
        assert is_valid_national_code(code)
        wrong = code[:9] + str((int(code[9]) + 1) % 10)
        assert not is_valid_national_code(wrong)
    with pytest.raises(ValueError):
        make_national_code("12345")
    with pytest.raises(ValueError):
        make_national_code("111111111")  # would give 1111111111


@pytest.mark.parametrize("nid", ["10380284790", "14007650912", "10320894878", "۱۰۳۸۰۲۸۴۷۹۰"])
def test_valid_legal_ids(nid):
    assert is_valid_legal_national_id(nid)


@pytest.mark.parametrize(
    "nid",
    ["11053639140", "10380284791", "10100000001", "1038028479", "103802847900", "1038028479x", "", None],
)
def test_invalid_legal_ids(nid):
    assert not is_valid_legal_national_id(nid)


def test_legal_id_algorithm_by_hand():
    # 1010000000: c = 0 + 2; s = (2+1)*29 + 2*27 + (2+1)*23 + 2*(19+17+29+27+23+19+17) = 512; 512 % 11 = 6
    assert make_legal_national_id("1010000000") == "10100000006"
    for prefix in ["1038028479", "1400765091", "1234567890", "9999999999"]:
        nid = make_legal_national_id(prefix)
        assert is_valid_legal_national_id(nid)
        assert sum(is_valid_legal_national_id(prefix + str(d)) for d in range(10)) == 1
    with pytest.raises(ValueError):
        make_legal_national_id("123")


def test_legal_id_remainder_ten_maps_to_zero():
    # find a prefix whose remainder is 10 and check that 0 is the accepted check digit
    for n in range(1010000000, 1010001000):
        prefix = str(n)
        c = int(prefix[9]) + 2
        coef = (29, 27, 23, 19, 17, 29, 27, 23, 19, 17)
        if sum((c + int(d)) * k for d, k in zip(prefix, coef)) % 11 == 10:
            assert make_legal_national_id(prefix) == prefix + "0"
            break
    else:
        pytest.fail("no prefix with remainder 10 found")


def test_validate_returns_latin_digits():
    assert validate_national_code("۰۴۹۹۳۷۰۸۹۹") == "0499370899"
    assert validate_legal_national_id("۱۰۳۸۰۲۸۴۷۹۰") == "10380284790"


def test_validate_messages_name_the_field():
    with pytest.raises(ValidationError) as info:
        validate_legal_national_id("10100000001")
    assert info.value.message == "شناسه ملی ۱۰۱۰۰۰۰۰۰۰۱ معتبر نیست: رقم کنترل نادرست است"
    assert info.value.field == "شناسه ملی"

    with pytest.raises(ValidationError) as info:
        validate_legal_national_id("1234")
    assert "باید ۱۱ رقم باشد" in info.value.message

    with pytest.raises(ValidationError) as info:
        validate_national_code("123", field="کد ملی مدیرعامل")
    assert info.value.message.startswith("کد ملی مدیرعامل")
    assert "باید ۱۰ رقم باشد" in info.value.message
    assert info.value.field == "کد ملی مدیرعامل"

    with pytest.raises(ValidationError) as info:
        validate_national_code("0499370898")
    assert "رقم کنترل" in info.value.message

    with pytest.raises(ValidationError) as info:
        validate_national_code("")
    assert "وارد نشده" in info.value.message
