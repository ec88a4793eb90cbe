"""Realistic synthetic Vietnamese people for factories, demos and linkage evaluation.

Every draw comes from the `random.Random` passed in, so a seed reproduces the same people. All strings
are NFC and use the new tone-placement style ("Hòa", "Thủy"), like `vietnamese.normalise_tone_placement`.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from haven.lib.vietnamese import full_name

__all__ = [
    "ETHNIC_GROUPS",
    "ETHNIC_NAMES",
    "ETHNIC_WEIGHTS",
    "FEMALE_GIVEN",
    "FEMALE_MIDDLE",
    "MALE_GIVEN",
    "MALE_MIDDLE",
    "SEXES",
    "SURNAMES",
    "PersonName",
    "birth_date",
    "ethnicity",
    "person_name",
    "surname",
]

Weighted = Sequence[tuple[str, float]]

# Share of the population in per cent. Commonly cited estimates (e.g. Lê Trung Hoa, Họ và tên người
# Việt Nam); approximate. Where the sources give one figure for a Northern/Southern pair (Hoàng/Huỳnh,
# Vũ/Võ) it is split; Huỳnh and Võ are mostly Southern, but we draw nationally.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.0),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.1),
    ("Hoàng", 3.1),
    ("Huỳnh", 2.0),
    ("Phan", 4.5),
    ("Vũ", 2.0),
    ("Võ", 1.9),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    # The rarer surnames share the remaining 11.3 %, roughly by how often they are met.
    ("Trương", 1.0),
    ("Đinh", 0.9),
    ("Trịnh", 0.7),
    ("Đoàn", 0.7),
    ("Đào", 0.7),
    ("Hà", 0.7),
    ("Mai", 0.7),
    ("Lương", 0.7),
    ("Lâm", 0.7),
    ("Cao", 0.6),
    ("Tô", 0.5),
    ("Chu", 0.4),
    ("Tạ", 0.4),
    ("Thái", 0.4),
    ("Lưu", 0.4),
    ("Kiều", 0.3),
    ("La", 0.3),
    ("Quách", 0.3),
    ("Vương", 0.3),
    ("Triệu", 0.3),
    ("Phùng", 0.3),
)

# The tables below are kept compact by hand: one entry per line would make this file 400 lines long.
# fmt: off
# Middle names other than the traditional "Văn"/"Thị", with rough relative weights.
MALE_MIDDLE: tuple[tuple[str, float], ...] = (
    ("Minh", 8), ("Đức", 6), ("Quang", 6), ("Gia", 6), ("Hữu", 5), ("Thành", 5), ("Bảo", 5),
    ("Hoàng", 5), ("Công", 4), ("Anh", 4), ("Đình", 4), ("Quốc", 4), ("Thanh", 4), ("Tuấn", 3),
    ("Xuân", 3), ("Ngọc", 3), ("Trọng", 3), ("Nhật", 3), ("Duy", 3), ("Đăng", 3), ("Mạnh", 2),
    ("Khánh", 2), ("Tiến", 2), ("Trung", 2), ("Hải", 2), ("Phúc", 2), ("Thế", 2), ("Việt", 2),
)
FEMALE_MIDDLE: tuple[tuple[str, float], ...] = (
    ("Ngọc", 8), ("Thu", 6), ("Thanh", 6), ("Bảo", 5), ("Phương", 5), ("Kim", 5), ("Minh", 4),
    ("Khánh", 4), ("Mai", 4), ("Hồng", 4), ("Quỳnh", 4), ("Gia", 3), ("Thúy", 3), ("Hoài", 3),
    ("Bích", 3), ("Thùy", 3), ("Diệu", 2), ("Hải", 2), ("Tường", 2), ("Ánh", 2), ("Cẩm", 2),
    ("Như", 2), ("Tuyết", 2), ("Lan", 2), ("Yến", 2), ("Hà", 2), ("Xuân", 2), ("Huyền", 2),
)

MALE_GIVEN: tuple[tuple[str, float], ...] = (
    ("Anh", 5), ("Huy", 5), ("Minh", 5), ("Nam", 5), ("Tuấn", 5), ("Dũng", 4), ("Đạt", 4), ("Hải", 4),
    ("Hùng", 4), ("Long", 4), ("Quân", 4), ("Sơn", 4), ("Thành", 4), ("Bảo", 3), ("Bình", 3),
    ("Cường", 3), ("Duy", 3), ("Đức", 3), ("Hiếu", 3), ("Hoàng", 3), ("Hưng", 3), ("Khang", 3),
    ("Khoa", 3), ("Phong", 3), ("Phúc", 3), ("Quang", 3), ("Thắng", 3), ("Tiến", 3), ("Trí", 3),
    ("Trung", 3), ("Tùng", 3), ("An", 2), ("Chiến", 2), ("Khánh", 2), ("Khôi", 2), ("Kiên", 2),
    ("Lâm", 2), ("Lộc", 2), ("Mạnh", 2), ("Nghĩa", 2), ("Nguyên", 2), ("Nhân", 2), ("Nhật", 2),
    ("Phát", 2), ("Phú", 2), ("Tài", 2), ("Tân", 2), ("Thiện", 2), ("Thịnh", 2), ("Toàn", 2),
    ("Trường", 2), ("Tú", 2), ("Việt", 2), ("Vinh", 2), ("Vũ", 2), ("Công", 1), ("Danh", 1),
    ("Dương", 1), ("Đăng", 1), ("Định", 1), ("Đông", 1), ("Giang", 1), ("Hào", 1), ("Hậu", 1),
    ("Hiệp", 1), ("Hòa", 1), ("Khải", 1), ("Luân", 1), ("Lực", 1), ("Phước", 1), ("Quốc", 1),
    ("Sang", 1), ("Thái", 1), ("Thuận", 1), ("Trọng", 1), ("Vương", 1), ("Hiển", 1),
)
FEMALE_GIVEN: tuple[tuple[str, float], ...] = (
    ("Linh", 6), ("Anh", 5), ("Hương", 5), ("Thảo", 5), ("Trang", 5), ("Hà", 4), ("Hằng", 4),
    ("Huyền", 4), ("Lan", 4), ("Mai", 4), ("Ngọc", 4), ("Nhi", 4), ("Phương", 4), ("Thư", 4),
    ("Vy", 4), ("Chi", 3), ("Dung", 3), ("Giang", 3), ("Hạnh", 3), ("Hiền", 3), ("Hoa", 3),
    ("My", 3), ("Nga", 3), ("Ngân", 3), ("Nhung", 3), ("Quỳnh", 3), ("Tâm", 3), ("Thủy", 3),
    ("Uyên", 3), ("Vân", 3), ("Yến", 3), ("An", 2), ("Ánh", 2), ("Châu", 2), ("Duyên", 2),
    ("Hân", 2), ("Hồng", 2), ("Liên", 2), ("Loan", 2), ("Ly", 2), ("Như", 2), ("Oanh", 2),
    ("Quyên", 2), ("Thu", 2), ("Thúy", 2), ("Tiên", 2), ("Trâm", 2), ("Trinh", 2), ("Tuyết", 2),
    ("Xuân", 2), ("Bích", 1), ("Cúc", 1), ("Diệp", 1), ("Diễm", 1), ("Đào", 1), ("Hòa", 1),
    ("Huế", 1), ("Khánh", 1), ("Lệ", 1), ("Minh", 1), ("Nguyệt", 1), ("Thoa", 1), ("Thơ", 1),
    ("Vi", 1), ("Hảo", 1), ("Ngà", 1), ("Khuê", 1), ("Ngoan", 1),
)

# The 54 ethnic groups with their official codes, in the order of Decision 121-TCTK/PPCĐ
# (2 March 1979), which the population register and civil-status forms still use.
ETHNIC_GROUPS: tuple[tuple[str, str], ...] = (
    ("01", "Kinh"), ("02", "Tày"), ("03", "Thái"), ("04", "Hoa"), ("05", "Khơ-me"),
    ("06", "Mường"), ("07", "Nùng"), ("08", "HMông"), ("09", "Dao"), ("10", "Gia-rai"),
    ("11", "Ngái"), ("12", "Ê-đê"), ("13", "Ba Na"), ("14", "Xơ-Đăng"), ("15", "Sán Chay"),
    ("16", "Cơ-ho"), ("17", "Chăm"), ("18", "Sán Dìu"), ("19", "Hrê"), ("20", "Mnông"),
    ("21", "Ra-glai"), ("22", "Xtiêng"), ("23", "Bru-Vân Kiều"), ("24", "Thổ"), ("25", "Giáy"),
    ("26", "Cơ-tu"), ("27", "Gié Triêng"), ("28", "Mạ"), ("29", "Khơ-mú"), ("30", "Co"),
    ("31", "Tà-ôi"), ("32", "Chơ-ro"), ("33", "Kháng"), ("34", "Xinh-mun"), ("35", "Hà Nhì"),
    ("36", "Chu-ru"), ("37", "Lào"), ("38", "La Chí"), ("39", "La Ha"), ("40", "Phù Lá"),
    ("41", "La Hủ"), ("42", "Lự"), ("43", "Lô Lô"), ("44", "Chứt"), ("45", "Mảng"),
    ("46", "Pà Thẻn"), ("47", "Cờ Lao"), ("48", "Cống"), ("49", "Bố Y"), ("50", "Si La"),
    ("51", "Pu Péo"), ("52", "Brâu"), ("53", "Ơ Đu"), ("54", "Rơ-măm"),
)
ETHNIC_NAMES: dict[str, str] = dict(ETHNIC_GROUPS)

# Sampling weights by code: approximate 2019 census population in thousands (Kinh ≈ 85.3 %,
# Tày 1.9 %, Thái 1.9 %, Mường 1.5 %, HMông 1.5 %, Khơ-me 1.4 %...). Good enough for synthetic data,
# not for statistics.
ETHNIC_WEIGHTS: dict[str, float] = {
    "01": 82086, "02": 1845, "03": 1821, "04": 749, "05": 1320, "06": 1452, "07": 1083, "08": 1394,
    "09": 891, "10": 514, "11": 1.6, "12": 399, "13": 287, "14": 212, "15": 201, "16": 201,
    "17": 179, "18": 183, "19": 149, "20": 127, "21": 147, "22": 101, "23": 95, "24": 91,
    "25": 68, "26": 74, "27": 63, "28": 50, "29": 91, "30": 40, "31": 52, "32": 30, "33": 16,
    "34": 30, "35": 26, "36": 23, "37": 18, "38": 15, "39": 10, "40": 12, "41": 12, "42": 7,
    "43": 5, "44": 7.5, "45": 4.7, "46": 8.2, "47": 4, "48": 2.7, "49": 3.2, "50": 0.9,
    "51": 0.9, "52": 0.5, "53": 0.4, "54": 0.6,
}
# fmt: on

SEXES = ("male", "female", "unknown")
# Of the people with "Văn"/"Thị", this share extends it to two syllables ("Thị Thu", "Văn Đức").
_TWO_SYLLABLE_MIDDLE = 0.15


def _cumulative(pairs: Weighted) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Split (value, weight) pairs into values and cumulative weights for `Random.choices`."""
    return tuple(v for v, _ in pairs), tuple(itertools.accumulate(w for _, w in pairs))


# Precomputed once: `choices(cum_weights=...)` avoids re-summing the weights on every draw.
_SURNAMES = _cumulative(SURNAMES)
_MIDDLE = {"male": _cumulative(MALE_MIDDLE), "female": _cumulative(FEMALE_MIDDLE)}
_GIVEN = {"male": _cumulative(MALE_GIVEN), "female": _cumulative(FEMALE_GIVEN)}
_TRADITIONAL_MIDDLE = {"male": "Văn", "female": "Thị"}
_ETHNIC = _cumulative([(code, ETHNIC_WEIGHTS[code]) for code, _ in ETHNIC_GROUPS])


def _pick(rng: random.Random, table: tuple[tuple[str, ...], tuple[float, ...]]) -> str:
    values, cum_weights = table
    return rng.choices(values, cum_weights=cum_weights)[0]


@dataclass(frozen=True, slots=True)
class PersonName:
    """A Vietnamese name in its three parts; `middle` may be empty or have two syllables."""

    family: str
    middle: str
    given: str

    @property
    def full(self) -> str:
        """The name in Vietnamese order, e.g. "Nguyễn Văn An"."""
        return full_name(self.family, self.middle, self.given)


def _traditional_share(born_year: int) -> float:
    """Chance that the middle name is "Văn"/"Thị" for someone born in `born_year`.

    About a third of people born before 1990 carry it; parents of children born since 2010 mostly
    chose other middle names. Linear in between, which is crude but keeps cohorts distinguishable.
    """
    old, young = 0.35, 0.10
    if born_year < 1990:
        return old
    if born_year >= 2010:
        return young
    return old + (young - old) * (born_year - 1990) / 20


def surname(rng: random.Random) -> str:
    """Draw a surname by national frequency."""
    return _pick(rng, _SURNAMES)


def person_name(rng: random.Random, *, sex: str, born_year: int) -> PersonName:
    """Draw a name for a person of `sex` ("male", "female" or "unknown") born in `born_year`."""
    if sex not in SEXES:
        raise ValueError(f"sex must be one of {SEXES}, not {sex!r}")
    if sex == "unknown":
        sex = rng.choice(("male", "female"))
    family = surname(rng)
    if rng.random() < _traditional_share(born_year):
        middle = _TRADITIONAL_MIDDLE[sex]
        if rng.random() < _TWO_SYLLABLE_MIDDLE:
            middle = f"{middle} {_pick(rng, _MIDDLE[sex])}"
    else:
        middle = _pick(rng, _MIDDLE[sex])
    # "Nguyễn Minh Minh" does not occur: redraw a given name equal to the last middle syllable.
    last_middle = middle.rsplit(" ", 1)[-1]
    given = _pick(rng, _GIVEN[sex])
    while given == last_middle:
        given = _pick(rng, _GIVEN[sex])
    return PersonName(family=family, middle=middle, given=given)


def ethnicity(rng: random.Random) -> str:
    """Draw an ethnic-group code ("01".."54") roughly by 2019 census shares."""
    return _pick(rng, _ETHNIC)


def birth_date(rng: random.Random, *, min_age_days: int, max_age_days: int, today: date) -> date:
    """Draw a birth date uniformly so that the person is between the two ages (in days) on `today`."""
    if not 0 <= min_age_days <= max_age_days:
        raise ValueError("need 0 <= min_age_days <= max_age_days")
    return today - timedelta(days=rng.randint(min_age_days, max_age_days))
