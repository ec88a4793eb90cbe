import unicodedata

import pytest

from haven.lib.vietnamese import (
    fold,
    full_name,
    nfc,
    normalise_tone_placement,
    search_key,
    search_tokens,
)


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def test_nfc_composes_strips_and_collapses_whitespace() -> None:
    assert nfc(nfd("  Nguyễn \t Văn\n\nÂn  ")) == "Nguyễn Văn Ân"
    assert unicodedata.is_normalized("NFC", nfc(nfd("Đặng Thị Hòa")))
    assert nfc("") == ""
    assert nfc(None) == ""


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("Hoà", "Hòa"),
        ("HOÀ", "HÒA"),
        ("Thuý", "Thúy"),
        ("uỷ ban", "ủy ban"),
        ("toạ", "tọa"),
        ("Đặng Thị Hoà", "Đặng Thị Hòa"),
        ("Nguyễn Thị Thuỷ, Khoẻ-Hoá", "Nguyễn Thị Thủy, Khỏe-Hóa"),
    ],
)
def test_tone_moves_to_first_vowel_of_open_oa_oe_uy(old: str, new: str) -> None:
    assert normalise_tone_placement(old) == new


def test_tone_placement_accepts_decomposed_input() -> None:
    assert normalise_tone_placement(nfd("Thuỷ")) == "Thủy"


@pytest.mark.parametrize(
    "word",
    ["hoàng", "Hoàng", "quý", "Quỳnh", "quà", "hoài", "khuyến", "hoặc", "Huế", "khoa", "thủy", "Hòa"],
)
def test_tone_placement_leaves_other_syllables_unchanged(word: str) -> None:
    assert normalise_tone_placement(word) == word


def test_tone_placement_keeps_whitespace_and_non_letters() -> None:
    assert normalise_tone_placement("  hoà  2024 ") == "  hòa  2024 "


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nguyễn Văn Ân", "nguyen van an"),
        ("ĐẶNG THỊ HOÀ", "dang thi hoa"),
        ("đỗ thủy", "do thuy"),
        ("\u00d0ặng", "dang"),  # legacy eth in place of Đ
        (nfd("Trần  Thị   Quỳnh"), "tran thi quynh"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_makes_both_tone_styles_equal() -> None:
    assert fold("Hoà") == fold("Hòa") == "hoa"


def test_search_tokens_split_on_whitespace_and_punctuation() -> None:
    assert search_tokens("  Bru-Vân Kiều, (Lê)  ") == ["bru", "van", "kieu", "le"]
    assert search_tokens(" - ") == []
    assert search_tokens(None) == []


def test_search_key_is_space_delimited_for_word_prefix_like() -> None:
    key = search_key("Nguyễn", "Văn", "Ân")
    assert key == " nguyen van an "
    assert " ng" in key and " an" in key and " guy" not in key


def test_search_key_skips_blank_parts_and_splits_compound_parts() -> None:
    assert search_key("NGUYỄN", "", "Thị  Thu Hoà") == " nguyen thi thu hoa "
    assert search_key("", None, "  ") == ""


def test_full_name_vietnamese_order_skipping_blanks() -> None:
    assert full_name("Nguyễn", "Văn", "An") == "Nguyễn Văn An"
    assert full_name(" Lê ", "", "Hoa") == "Lê Hoa"
    assert full_name("", None, "") == ""
    assert full_name(nfd("Đặng"), "Thị", "Hòa") == "Đặng Thị Hòa"
