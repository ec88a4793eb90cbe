"""Vietnamese name normalisation for record linkage (anchors.md §E.1–E.2).

Builds on `haven.lib.vietnamese` (NFC, tone placement, folding) and adds what linkage needs:
Telex residue repair, splitting of concatenated syllables ("MỹLinh"), family / middle / given parsing
that survives Western order, surname variant classes and character-level edit distance.
Framework-free: the linkage model, the CLI and the benchmark share it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from haven.lib import vnnames
from haven.lib.vietnamese import fold, nfc, normalise_tone_placement

__all__ = [
    "DUAL_SURNAME_MIN_SYLLABLES",
    "WEAK_MIDDLE",
    "ParsedName",
    "canonical",
    "edit_distance",
    "fold_word",
    "parse_name",
    "repair_telex",
    "split_concatenated",
    "surname_class",
]

# Regional or orthographic variants of one surname, written with the same Hán character (anchors.md
# §E.1): each folded form maps to the key of its class.
_SURNAME_CLASSES: dict[str, str] = {"vu": "vu", "vo": "vu", "hoang": "hoang", "huynh": "hoang"}

# "Văn" (male) and "Thị" (female) are carried by a large share of people: agreement on them says
# little, so the model compares the middle name without them.
WEAK_MIDDLE: frozenset[str] = frozenset({"van", "thi"})

_KNOWN_SURNAMES: frozenset[str] = frozenset(fold(s) for s, _ in vnnames.SURNAMES)
_SURNAME_SHARE: dict[str, float] = {fold(s): w for s, w in vnnames.SURNAMES}
# Given names with their diacritics: folded, "Nguyên" (a given name) would hide "Nguyễn" (never one).
_KNOWN_GIVEN: frozenset[str] = frozenset(
    nfc(n).lower() for table in (vnnames.MALE_GIVEN, vnnames.FEMALE_GIVEN) for n, _ in table
)
_KNOWN_NAME_SYLLABLES: frozenset[str] = (
    frozenset(
        fold(n)
        for table in (vnnames.MALE_GIVEN, vnnames.FEMALE_GIVEN, vnnames.MALE_MIDDLE, vnnames.FEMALE_MIDDLE)
        for n, _ in table
    )
    | WEAK_MIDDLE
)

# Telex: a syllable never ends in f, j, r, s, x or z, so a trailing one is a tone key left in the text.
_TELEX_TONES = {"s": "\u0301", "f": "\u0300", "r": "\u0309", "x": "\u0303", "j": "\u0323"}
_TELEX_LETTERS = (
    ("uow", "ươ"),
    ("dd", "đ"),
    ("aa", "â"),
    ("aw", "ă"),
    ("ee", "ê"),
    ("oo", "ô"),
    ("ow", "ơ"),
    ("uw", "ư"),
)
_ETH = str.maketrans({"Ð": "Đ", "ð": "đ"})  # legacy fonts type the Icelandic eth for Đ
_VOWELS = "aăâeêioôơuưy"
_MARKED_VOWELS = "ăâêôơư"
_WORD = re.compile(r"[^\W\d_]+")


def _place_tone(base: str, tone: str) -> str:
    """Put `tone` on the vowel of `base` that carries it (new-style placement)."""
    lower = base.lower()
    start = 2 if lower[:2] in ("qu", "gi") and len(lower) > 2 and lower[2] in _VOWELS else 0
    positions = [i for i in range(start, len(lower)) if lower[i] in _VOWELS]
    if not positions:
        return base
    marked = [i for i in positions if lower[i] in _MARKED_VOWELS]
    if marked:
        index = marked[-1]  # "ươ" takes the tone on "ơ"
    elif positions[-1] < len(lower) - 1:
        index = positions[-1]  # closed syllable: the last vowel ("hoàng", "tuấn")
    elif len(positions) >= 3:
        index = positions[1]
    else:
        index = positions[0]  # open syllable: the first vowel ("hòa", "thủy", "mài")
    toned = unicodedata.normalize("NFC", base[index] + tone)
    return base[:index] + toned + base[index + 1 :]


# What a Vietnamese syllable can be (after the Telex letters are turned into ă â đ ê ô ơ ư, before
# tones): an initial consonant, a vowel group with its glides, and a final consonant. Telex is only
# repaired into such a syllable, so minority and foreign names ("Ksor", "Alex", "Thomas") stay.
_INITIALS = "ngh|ng|nh|gh|gi|kh|ph|th|tr|ch|qu|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
_NUCLEI = (
    "uyê|uya|uyu|iêu|yêu|oai|oao|oay|oeo|uôi|ươi|ươu|uây|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|oo|ua|uâ|uê|ui|uô|uơ|ưa|ưi|ươ|ưu|uy|yê|"
    "a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
)
_SYLLABLE = re.compile(rf"(?:{_INITIALS})?(?:{_NUCLEI})(?:ch|nh|ng|c|m|n|p|t)?")
_TONE_KEYS = frozenset(_TELEX_TONES)


def _is_syllable(letters: str) -> bool:
    return _SYLLABLE.fullmatch(letters) is not None


def _telex_letters(text: str) -> str:
    for telex, letter in _TELEX_LETTERS:
        text = text.replace(telex, letter)
    return text


def _repair_syllable(syllable: str) -> str:
    lower = syllable.lower()
    if _is_syllable(lower):
        return syllable  # a real syllable typed without diacritics: nothing to repair
    # The tone key may be typed anywhere after the first letter ("Nguyeenx", "Nguyeexn", "Hoafng");
    # the end is tried first, then no tone key, then each other place.
    keys = [i for i in range(len(lower) - 1, 0, -1) if lower[i] in _TONE_KEYS]
    tries = [(keys[0], _TELEX_TONES[lower[keys[0]]])] if keys and keys[0] == len(lower) - 1 else []
    tries += [(-1, "")] + [(i, _TELEX_TONES[lower[i]]) for i in keys if i != len(lower) - 1]
    for index, tone in tries:
        rest = lower if index < 0 else lower[:index] + lower[index + 1 :]
        letters = _telex_letters(rest)
        if (not tone and letters == rest) or not _is_syllable(letters):
            continue
        if letters == rest and fold(letters) not in _KNOWN_NAME_SYLLABLES | _KNOWN_SURNAMES:
            # Only a tone key, into a syllable no name uses: more likely a foreign name ("Max").
            continue
        if tone:
            letters = _place_tone(letters, tone)
        return letters[:1].upper() + letters[1:] if syllable[:1].isupper() else letters
    return syllable


def repair_telex(s: str) -> str:
    """Turn Telex keystrokes left in plain-ASCII syllables into letters: "Nguyeenx" → "Nguyễn".

    Only unaccented syllables are touched; a syllable that already has diacritics was typed with a
    working input method.
    """
    return _WORD.sub(lambda m: _repair_syllable(m.group()) if m.group().isascii() else m.group(), s)


def split_concatenated(token: str) -> list[str]:
    """Split syllables written without a space: "MỹLinh" → ["Mỹ", "Linh"], "mylinh" → ["my", "linh"].

    A capital inside a word marks a boundary; an all-lower-case run is split only where both halves
    are known name syllables, so real syllables like "nguyen" are never cut.
    """
    cuts = [i for i in range(1, len(token)) if token[i].isupper() and token[i - 1].islower()]
    parts = [token[a:b] for a, b in zip([0, *cuts], [*cuts, len(token)], strict=True)]
    if len(parts) > 1:
        return parts
    folded = fold(token)
    if folded in _KNOWN_NAME_SYLLABLES or folded in _KNOWN_SURNAMES or len(folded) < 4:
        return [token]
    for cut in range(2, len(token) - 1):
        if fold(token[:cut]) in _KNOWN_NAME_SYLLABLES and fold(token[cut:]) in _KNOWN_NAME_SYLLABLES:
            return [token[:cut], token[cut:]]
    return [token]


# Tone marks, and the marks that change a vowel (circumflex, breve, horn). Unicode gives the
# grave/acute/tilde/hook tones and the circumflex and breve the same combining class, so a tone typed
# before the vowel mark ("e" + grave + circumflex) is kept in that order and never composes to "ề".
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWEL_MARKS = frozenset("\u0302\u0306\u031b")


def _marks_in_order(word: str) -> str:
    """The vowel marks before the tone on each letter, so that NFC composes them ("è̂" → "ề")."""
    if word.isascii() or not any(unicodedata.combining(c) for c in word):
        return word
    out: list[str] = []
    marks: list[str] = []
    for c in unicodedata.normalize("NFD", word) + " ":
        if unicodedata.combining(c):
            marks.append(c)
            continue
        out += sorted(marks, key=lambda m: m in _TONE_MARKS)  # stable: vowel marks, then tones
        marks = []
        out.append(c)
    return unicodedata.normalize("NFC", "".join(out[:-1]))


@lru_cache(maxsize=100_000)
def _canonical_word(word: str) -> str:
    # Split first, then repair and place tones in each syllable ("HoàLinh" as "Hoà Linh"); a
    # repaired part may itself be two joined syllables ("mylinhf").
    parts = [
        normalise_tone_placement(piece)
        for part in split_concatenated(_marks_in_order(word.translate(_ETH)))
        for piece in split_concatenated(repair_telex(part))
    ]
    return " ".join(t[:1].upper() + t[1:].lower() for t in parts if t)


def canonical(s: str | None) -> str:
    """One written form for a name: NFC, new-style tones, Telex repaired, syllables split, title case.

    Every step works within a word, so words are normalised once each and cached: a national
    register has millions of names but only thousands of distinct words.
    """
    return " ".join(_canonical_word(w) for w in nfc(s).split(" ") if w)


@lru_cache(maxsize=100_000)
def fold_word(word: str) -> str:
    """`fold` for one word, cached."""
    return fold(word)


def surname_class(family_folded: str) -> str:
    """The variant class of a folded surname ("vo" → "vu"); a surname without variants is its own."""
    return _SURNAME_CLASSES.get(family_folded, family_folded)


@dataclass(frozen=True)
class ParsedName:
    family: str
    middle: str
    given: str
    # A second surname, usually the mother's, written after the father's: "Nguyễn Phạm Minh Anh".
    second_surname: str = ""

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.family, self.second_surname, self.middle, self.given) if p)


# A name has a second surname only when it has at least this many syllables: family, second surname,
# middle name, given name. In three syllables the second one is the middle name ("Nguyễn Hoàng Anh").
DUAL_SURNAME_MIN_SYLLABLES = 4


def _second_surname(tokens: list[str]) -> bool:
    """Whether the second syllable of `tokens` (family name first) is a second surname.

    Yes when the name has at least four syllables and both the first and the second are known
    surnames ("Nguyễn Phạm Minh Anh"). Hoàng, Mai and Hà are surnames and middle names as well; in a
    four-syllable name after a surname they are read as a second surname, on both sides of every
    comparison alike, so this only matters when one side drops a syllable.
    """
    return (
        len(tokens) >= DUAL_SURNAME_MIN_SYLLABLES
        and fold_word(tokens[0]) in _KNOWN_SURNAMES
        and fold_word(tokens[1]) in _KNOWN_SURNAMES
    )


def _western_order(first_word: str, last_word: str) -> bool:
    """Whether a name whose first syllable is `first_word` and last is `last_word` (canonical forms)
    was written given name first.

    Yes when only the last is a surname ("Linh Nguyễn"), and also when both are but the first is a
    given name and the last is a commoner surname that no one is given ("Lâm Trần", "Mai Nguyễn").
    """
    first, last = fold_word(first_word), fold_word(last_word)
    if last not in _KNOWN_SURNAMES:
        return False
    if first not in _KNOWN_SURNAMES:
        return True
    return (
        first_word.lower() in _KNOWN_GIVEN
        and last_word.lower() not in _KNOWN_GIVEN
        and _SURNAME_SHARE[last] > _SURNAME_SHARE[first]
    )


@lru_cache(maxsize=1_000_000)
def parse_name(family: str | None, middle: str | None, given: str | None) -> ParsedName:
    """Family, middle and given name in canonical form, whatever order the parts were written in.

    The parts are read as one sequence of syllables. When its first syllable is not a known surname
    but its last one is, the name was written in Western order ("Linh Nguyễn", "Bảo Thanh Nguyễn")
    and the first and last are exchanged; also when both are surnames but the first is a given name
    and the last a commoner surname no one is given ("Lâm Trần"). A
    first syllable that is a known surname starts the family name; the last syllable is the given name.
    In a name of four syllables or more, a known surname right after the family name is a second
    surname (a child given both parents' surnames, "Nguyễn Phạm Minh Anh"): the family name stays
    the first, and the second is kept apart from the middle name.
    """
    tokens = canonical(" ".join(p for p in (family, middle, given) if p)).split()
    if not tokens:
        return ParsedName("", "", "")
    if len(tokens) > 1 and _western_order(tokens[0], tokens[-1]):
        tokens = [tokens[-1], *tokens[1:-1], tokens[0]]
    elif not (family or "").strip() and fold_word(tokens[0]) not in _KNOWN_SURNAMES:
        # Only a given (and perhaps middle) name was recorded, as for many foundlings.
        return ParsedName("", " ".join(tokens[:-1]), tokens[-1])
    if len(tokens) == 1:
        return ParsedName(tokens[0], "", "") if (family or "").strip() else ParsedName("", "", tokens[0])
    if _second_surname(tokens):
        return ParsedName(tokens[0], " ".join(tokens[2:-1]), tokens[-1], second_surname=tokens[1])
    return ParsedName(tokens[0], " ".join(tokens[1:-1]), tokens[-1])


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance counted in characters of the NFC text, not in UTF-8 bytes (§E.2)."""
    a, b = unicodedata.normalize("NFC", a), unicodedata.normalize("NFC", b)
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]
