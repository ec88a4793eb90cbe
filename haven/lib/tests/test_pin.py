"""The PIN's legal structure: province code, century-and-sex digit, year digits, 6 random digits."""

import pytest

from haven.lib import pin as pins


@pytest.mark.parametrize(
    ("value", "sex", "year"),
    [
        ("001218000123", "male", 2018),  # Hà Nội, 21st century male, born 2018
        ("079315123456", "female", 2015),  # Hồ Chí Minh City, 21st century female
        ("038099654321", "male", 1999),  # Thanh Hóa, 20th century male
        ("096100000001", "female", 1900),  # Cà Mau, digit 1 = 20th century female, year 00 = 1900
    ],
)
def test_a_well_formed_pin_is_accepted(value, sex, year):
    parsed = pins.parse(value, sex=sex, birth_year=year)
    assert parsed.sex == sex and parsed.birth_year == year


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("00121800012", "length"),
        ("0012180001234", "length"),
        ("00121800012a", "digits"),
        ("００１２１８０００１２３", "digits"),  # full-width digits are not ASCII
        ("999218000123", "province"),
        ("003218000123", "province"),  # 03 was never a province code
    ],
)
def test_a_malformed_pin_is_refused_with_the_reason(value, reason):
    with pytest.raises(pins.InvalidPin) as refused:
        pins.parse(value)
    assert refused.value.reason == reason


def test_the_sex_digit_must_match_the_sex():
    with pytest.raises(pins.InvalidPin, match="sex"):
        pins.parse("001218000123", sex="female")


def test_the_year_digits_must_match_the_year_of_birth():
    with pytest.raises(pins.InvalidPin, match="year"):
        pins.parse("001218000123", birth_year=2017)
    with pytest.raises(pins.InvalidPin, match="year"):
        pins.parse("001018000123", birth_year=2018)  # digit 0 means the 20th century: 1918


def test_an_unknown_sex_accepts_either_digit_of_the_century():
    assert pins.parse("001318000123", sex="unknown", birth_year=2018).sex == "female"


def test_the_century_and_sex_digit_is_computed_from_the_law():
    assert pins.century_sex_digit(birth_year=1999, sex="male") == 0
    assert pins.century_sex_digit(birth_year=1999, sex="female") == 1
    assert pins.century_sex_digit(birth_year=2000, sex="male") == 2
    assert pins.century_sex_digit(birth_year=2026, sex="female") == 3
    assert pins.century_sex_digit(birth_year=2100, sex="male") == 4


def test_the_34_provinces_since_2025_all_have_a_pin_code():
    import vietnam_provinces

    codes = {f"{int(p.code):03d}" for p in vietnam_provinces.Province.iter_all()}
    assert len(codes) == 34
    assert codes <= pins.PROVINCE_CODES
