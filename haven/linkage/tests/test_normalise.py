"""Vietnamese name normalisation on its own (issue #5 item 3)."""

from __future__ import annotations

import pandas as pd
import pytest

from haven.lib.vietnamese import fold
from haven.linkage.features import prepare
from haven.linkage.normalise import (
    canonical,
    edit_distance,
    parse_name,
    repair_telex,
    split_concatenated,
    surname_class,
)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("hoà", "Hòa"),  # old-style tone placement
        ("THUỶ", "Thủy"),
        ("Nguyê\u0303n", "Nguyễn"),  # decomposed (NFD) input
        ("  Trần   Văn  ", "Trần Văn"),
        ("Ðặng", "Đặng"),  # Icelandic eth from legacy fonts
        ("Vie\u0300\u0302t", "Viềt"),  # the tone typed before the circumflex: still one letter
        ("Ngo\u0301\u031bi", "Ngới"),
    ],
)
def test_one_written_form(written, expected):
    assert canonical(written) == expected


def test_accented_and_folded_forms():
    assert fold(canonical("Đặng Thị Hoà")) == "dang thi hoa"
    assert fold("Nguyễn") == fold("Nguyên") == "nguyen"  # why an accented column is kept too


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Nguyeenx", "Nguyễn"),
        ("Ddawngj", "Đặng"),
        ("Truwowng", "Trương"),
        ("Huyeenf", "Huyền"),
        ("Thuys", "Thúy"),
        ("Nguyeexn", "Nguyễn"),  # the tone key typed before the final consonant
        ("Hoafng", "Hoàng"),
    ],
)
def test_telex_residue_is_repaired(typed, meant):
    assert repair_telex(typed) == meant


def test_words_that_are_not_telex_stay():
    assert repair_telex("Nguyen Van An") == "Nguyen Van An"
    assert repair_telex("Lê Thị Hoa") == "Lê Thị Hoa"


def test_concatenated_syllables_are_split():
    assert split_concatenated("MỹLinh") == ["Mỹ", "Linh"]
    assert split_concatenated("mylinh") == ["my", "linh"]
    assert split_concatenated("nguyen") == ["nguyen"]  # a real syllable is never cut
    assert canonical("HằngNga") == "Hằng Nga"


def test_parsing_survives_western_order_and_one_field():
    assert parse_name("Linh", "", "Nguyễn").full == "Nguyễn Linh"
    swapped = parse_name("Bảo", "Thanh", "Nguyễn")
    assert (swapped.family, swapped.middle, swapped.given) == ("Nguyễn", "Thanh", "Bảo")
    whole = parse_name("", "Nguyễn Thị MỹLinh", "")
    assert (whole.family, whole.middle, whole.given) == ("Nguyễn", "Thị Mỹ", "Linh")
    foundling = parse_name("", "", "An")
    assert (foundling.family, foundling.given) == ("", "An")


def test_surname_variant_classes():
    assert surname_class("vu") == surname_class("vo")
    assert surname_class("huynh") == surname_class("hoang")
    assert surname_class("nguyen") != surname_class("tran")


def test_van_and_thi_are_weak_evidence():
    frame = pd.DataFrame(
        [
            {"id": "1", "family_name": "Nguyễn", "middle_name": "Văn Minh", "given_name": "An"},
            {"id": "2", "family_name": "Trần", "middle_name": "Thị", "given_name": "Hoa"},
        ]
    ).assign(
        sex="",
        date_of_birth="",
        dob_estimated="",
        pin="",
        commune_code="",
        province_code="",
        mother_name="",
        father_name="",
    )
    features = prepare(frame)
    assert list(features["middle_core_f"]) == ["minh", None]


def test_edit_distance_counts_characters_not_bytes():
    assert edit_distance("Nguyễn", "Nguyên") == 1
    assert len("ễ".encode()) == 3
    assert edit_distance("hoà", "hòa") == 2  # the tone moved; canonical() makes them equal
    assert edit_distance(canonical("hoà"), canonical("hòa")) == 0


@pytest.mark.parametrize("name", ["Ksor", "Kpor", "Alex", "Max", "Thomas", "Rmah", "Siu"])
def test_minority_and_foreign_names_are_not_made_vietnamese(name):
    assert repair_telex(name) == name
    assert canonical(name) == name


def test_joined_syllables_get_the_same_tone_placement_as_separate_ones():
    assert canonical("HoàLinh") == canonical("Hoà Linh") == "Hòa Linh"
    assert canonical("ThuỷTiên") == canonical("Thuỷ Tiên") == "Thủy Tiên"


def test_western_order_when_the_given_name_is_also_a_surname():
    # Lâm and Mai are surnames and given names; Trần and Nguyễn are commoner surnames nobody is given.
    assert (parse_name("Lâm", "", "Trần").family, parse_name("Lâm", "", "Trần").given) == ("Trần", "Lâm")
    assert parse_name("Mai", "", "Nguyễn").family == "Nguyễn"
    # Both given names as well as surnames: the order written is kept.
    assert parse_name("Lâm", "Thị", "Hà").family == "Lâm"
    assert parse_name("Nguyễn", "", "Mai").family == "Nguyễn"


def test_a_second_surname_is_kept_apart_from_the_middle_name():
    dual = parse_name("Nguyễn", "Phạm Minh", "Anh")
    assert (dual.family, dual.second_surname, dual.middle, dual.given) == ("Nguyễn", "Phạm", "Minh", "Anh")
    assert dual.full == "Nguyễn Phạm Minh Anh"
    # Written without it, the same child has the same family, middle and given name.
    single = parse_name("Nguyễn", "Minh", "Anh")
    assert (single.family, single.middle, single.given) == (dual.family, dual.middle, dual.given)
    assert parse_name("Nguyễn Phạm", "Thị Thu", "Hà").second_surname == "Phạm"
    assert parse_name("", "nguyen pham minh anh", "").second_surname == "Pham"  # folded, whole name


def test_a_second_surname_needs_four_syllables_and_a_known_surname():
    # Three syllables: the second is the middle name, even when it is also a surname (Hoàng, Mai).
    assert parse_name("Nguyễn", "Hoàng", "Anh").middle == "Hoàng"
    assert parse_name("Nguyễn", "Phạm", "Anh").second_surname == ""
    # Văn, Thị and the modern middle names are not surnames.
    assert parse_name("Nguyễn", "Thị Thu", "Hà").second_surname == ""
    assert parse_name("Trần", "Minh Đức", "Anh").second_surname == ""
    assert parse_name("Nguyễn", "Ngọc Bảo", "Anh").middle == "Ngọc Bảo"


def test_the_middle_name_feature_leaves_the_second_surname_out():
    frame = pd.DataFrame(
        [
            {"id": "1", "family_name": "Nguyễn", "middle_name": "Phạm Minh", "given_name": "Anh"},
            {"id": "2", "family_name": "Nguyễn", "middle_name": "Minh", "given_name": "Anh"},
            {"id": "3", "family_name": "Lê", "middle_name": "Phạm Thị", "given_name": "Hoa"},
        ]
    ).assign(
        sex="",
        date_of_birth="",
        dob_estimated="",
        pin="",
        commune_code="",
        province_code="",
        mother_name="",
        father_name="",
    )
    features = prepare(frame)
    assert list(features["family_f"]) == ["nguyen", "nguyen", "le"]
    assert list(features["surname2_f"]) == ["pham", None, "pham"]
    assert list(features["middle_core_f"]) == ["minh", "minh", None]
