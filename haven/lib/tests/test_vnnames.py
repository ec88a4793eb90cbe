import random
import re
import unicodedata
from datetime import date

import pytest

from haven.lib import vnnames
from haven.lib.vietnamese import normalise_tone_placement
from haven.lib.vnnames import ETHNIC_GROUPS, PersonName, birth_date, ethnicity, person_name


def draw(seed: int, n: int) -> list[PersonName]:
    rng = random.Random(seed)
    sexes = ("male", "female", "unknown")
    return [person_name(rng, sex=sexes[i % 3], born_year=1960 + i % 65) for i in range(n)]


def test_same_seed_same_people_different_seed_different_people() -> None:
    assert draw(7, 200) == draw(7, 200)
    assert draw(7, 200) != draw(8, 200)
    rng_a, rng_b = random.Random(3), random.Random(3)
    assert [ethnicity(rng_a) for _ in range(100)] == [ethnicity(rng_b) for _ in range(100)]


def test_nguyen_share_matches_national_frequency() -> None:
    names = draw(2024, 20_000)
    share = sum(n.family == "Nguyễn" for n in names) / len(names)
    assert 0.34 <= share <= 0.42


def test_surname_weights_are_percentages() -> None:
    assert sum(w for _, w in vnnames.SURNAMES) == pytest.approx(100.0)
    assert len({s for s, _ in vnnames.SURNAMES}) == len(vnnames.SURNAMES)


def test_middle_names_follow_sex() -> None:
    rng = random.Random(1)
    for _ in range(5_000):
        assert "Thị" not in person_name(rng, sex="male", born_year=1970).middle.split()
        assert "Văn" not in person_name(rng, sex="female", born_year=1970).middle.split()


def test_van_thi_are_rarer_for_children_born_after_2010() -> None:
    rng = random.Random(5)
    older = sum(person_name(rng, sex="male", born_year=1975).middle.startswith("Văn") for _ in range(4_000))
    younger = sum(person_name(rng, sex="male", born_year=2015).middle.startswith("Văn") for _ in range(4_000))
    assert younger < older / 2


def test_two_syllable_middle_names_occur_but_are_rare() -> None:
    names = draw(11, 10_000)
    two = sum(len(n.middle.split()) == 2 for n in names) / len(names)
    assert 0.005 < two < 0.10
    assert all(n.given != n.middle.split()[-1] for n in names)


def test_unknown_sex_draws_both_male_and_female_names() -> None:
    rng = random.Random(9)
    middles = {person_name(rng, sex="unknown", born_year=1980).middle for _ in range(2_000)}
    assert "Văn" in middles and "Thị" in middles


def test_unrecognised_sex_is_refused() -> None:
    with pytest.raises(ValueError):
        person_name(random.Random(0), sex="m", born_year=2000)


def all_name_strings() -> list[str]:
    tables = [
        vnnames.SURNAMES,
        vnnames.MALE_MIDDLE,
        vnnames.FEMALE_MIDDLE,
        vnnames.MALE_GIVEN,
        vnnames.FEMALE_GIVEN,
    ]
    return [s for table in tables for s, _ in table] + [name for _, name in ETHNIC_GROUPS]


def test_all_strings_are_nfc_and_new_tone_style() -> None:
    strings = all_name_strings() + [n.full for n in draw(13, 2_000)]
    for s in strings:
        assert unicodedata.is_normalized("NFC", s), s
        assert normalise_tone_placement(s) == s, s


def test_given_name_tables_are_large_and_unique() -> None:
    for table in (vnnames.MALE_GIVEN, vnnames.FEMALE_GIVEN):
        names = [s for s, _ in table]
        assert len(names) >= 60
        assert len(set(names)) == len(names)
        assert all(w > 0 for _, w in table)


def test_full_name_is_in_vietnamese_order() -> None:
    assert PersonName("Nguyễn", "Thị Thu", "Hà").full == "Nguyễn Thị Thu Hà"
    assert PersonName("Lê", "", "Nam").full == "Lê Nam"


def test_ethnic_list_has_54_official_codes() -> None:
    codes = [code for code, _ in ETHNIC_GROUPS]
    assert codes == [f"{i:02d}" for i in range(1, 55)]
    assert len({name for _, name in ETHNIC_GROUPS}) == 54
    assert dict(ETHNIC_GROUPS)["01"] == "Kinh" and dict(ETHNIC_GROUPS)["54"] == "Rơ-măm"
    assert set(vnnames.ETHNIC_WEIGHTS) == set(codes)


def test_ethnicity_is_mostly_kinh_and_always_a_valid_code() -> None:
    rng = random.Random(17)
    draws = [ethnicity(rng) for _ in range(20_000)]
    assert set(draws) <= {code for code, _ in ETHNIC_GROUPS}
    assert 0.82 <= draws.count("01") / len(draws) <= 0.89
    assert len(set(draws)) > 20


def test_birth_date_within_age_bounds() -> None:
    rng = random.Random(21)
    today = date(2025, 11, 22)
    dates = [birth_date(rng, min_age_days=30, max_age_days=365, today=today) for _ in range(1_000)]
    assert all(30 <= (today - d).days <= 365 for d in dates)
    assert min(dates) < max(dates)
    assert birth_date(rng, min_age_days=0, max_age_days=0, today=today) == today
    with pytest.raises(ValueError):
        birth_date(rng, min_age_days=10, max_age_days=5, today=today)


def test_names_contain_only_letters_and_spaces() -> None:
    for s in all_name_strings()[:-54]:  # ethnic names may contain hyphens
        assert re.fullmatch(r"[^\W\d_]+( [^\W\d_]+)*", s), s
