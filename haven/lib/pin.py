"""The 12-digit personal identification number (số định danh cá nhân).

Structure (Law on Identification 26/2023/QH15 art. 12; Decree 70/2024/NĐ-CP art. 12, continuing
Circular 07/2016/TT-BCA art. 7 — confidence [S] per shared/domain/vietnam-process.md):

    PPP  C  YY  NNNNNN
    │    │  │   └ 6 random digits
    │    │  └ last two digits of the year of birth
    │    └ century-and-sex digit: 20th century 0 male / 1 female, 21st 2 / 3, 22nd 4 / 5, 23rd 6 / 7,
    │      24th 8 / 9
    └ 3-digit code of the province where the birth was registered (the pre-2025 province codes; the
      34 provinces since 2025 keep the code of one of the merged provinces)
"""

from __future__ import annotations

from dataclasses import dataclass

# The 63 pre-2025 province codes (General Statistics Office list, Decision 124/2004/QĐ-TTg as
# amended), written with three digits in a PIN. Every post-2025 province code is one of them.
PROVINCE_CODES: frozenset[str] = frozenset(
    f"{c:03d}"
    for c in (
        1,
        2,
        4,
        6,
        8,
        10,
        11,
        12,
        14,
        15,
        17,
        19,
        20,
        22,
        24,
        25,
        26,
        27,
        30,
        31,
        33,
        34,
        35,
        36,
        37,
        38,
        40,
        42,
        44,
        45,
        46,
        48,
        49,
        51,
        52,
        54,
        56,
        58,
        60,
        62,
        64,
        66,
        67,
        68,
        70,
        72,
        74,
        75,
        77,
        79,
        80,
        82,
        83,
        84,
        86,
        87,
        89,
        91,
        92,
        93,
        94,
        95,
        96,
    )
)

FIRST_CENTURY_YEAR = 1900


class InvalidPin(ValueError):
    """``reason`` is a short code; the caller turns it into a message in the user's language."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Pin:
    value: str

    @property
    def province_code(self) -> str:
        return self.value[:3]

    @property
    def sex(self) -> str:
        return "male" if int(self.value[3]) % 2 == 0 else "female"

    @property
    def century_start(self) -> int:
        return FIRST_CENTURY_YEAR + 100 * (int(self.value[3]) // 2)

    @property
    def birth_year(self) -> int:
        return self.century_start + int(self.value[4:6])


def century_sex_digit(*, birth_year: int, sex: str) -> int:
    century = (birth_year - FIRST_CENTURY_YEAR) // 100
    return 2 * century + (1 if sex == "female" else 0)


def parse(value: str, *, sex: str | None = None, birth_year: int | None = None) -> Pin:
    """Check the structure of ``value`` and, when known, that it agrees with the sex and birth year.

    Raises InvalidPin with reason ``length``, ``digits``, ``province``, ``sex`` or ``year``.
    """
    value = value.strip().replace(" ", "")
    if not value.isascii() or not value.isdigit():
        raise InvalidPin("digits")
    if len(value) != 12:
        raise InvalidPin("length")
    pin = Pin(value)
    if pin.province_code not in PROVINCE_CODES:
        raise InvalidPin("province")
    if sex in ("male", "female") and pin.sex != sex:
        raise InvalidPin("sex")
    if birth_year is not None and pin.birth_year != birth_year:
        raise InvalidPin("year")
    return pin
