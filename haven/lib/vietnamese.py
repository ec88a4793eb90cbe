"""Vietnamese text helpers: normalisation, tone placement, diacritic folding, search keys.

Framework-free on purpose: the linkage pipeline, the population-register simulator and the Django
models all need the same folding, and must agree on it byte for byte.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "full_name", "nfc", "normalise_tone_placement", "search_key", "search_tokens"]

_WHITESPACE = re.compile(r"\s+")
# Runs of letters and digits; everything else (spaces, hyphens, dots, commas) separates tokens.
_TOKEN = re.compile(r"[^\W_]+")
# A run of letters, i.e. one written syllable once the text is NFC.
_SYLLABLE = re.compile(r"[^\W\d_]+")

# The five tone marks as combining characters. Vowel-quality marks (circumflex U+0302, breve U+0306,
# horn U+031B) are not tones and stay where they are.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")

# Initials that may precede the "oa", "oe", "uy" rhymes. "q" is absent on purpose: in "quý", "quà" the
# "u" belongs to the initial "qu", so the tone is on the following vowel in both conventions.
_OA_OE_UY = re.compile(r"(?:b|c|ch|d|đ|g|gh|gi|h|k|kh|l|m|n|ng|ngh|nh|p|ph|r|s|t|th|tr|v|x)?(?:oa|oe|uy)")

# Legacy fonts and encoding converters often produce U+00D0 (Icelandic eth) where U+0110 Đ was meant;
# both must fold to "d" or "Ðặng" and "Đặng" would never match.
_D_MAP = str.maketrans({"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"})


def nfc(s: str | None) -> str:
    """Return `s` in Unicode NFC, stripped, with internal whitespace collapsed to single spaces."""
    if not s:
        return ""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", s)).strip()


def _place_tone(syllable: str) -> str:
    """Move the tone of a bare "oa", "oe", "uy" rhyme onto its first vowel; leave others alone."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tones = [c for c in decomposed if c in _TONES]
    if len(tones) != 1:
        return syllable  # toneless (nothing to move) or not a Vietnamese syllable
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    if not _OA_OE_UY.fullmatch(bare.lower()):
        return syllable
    # The rhyme is the last two letters, so the tone goes on the second-to-last one.
    toned = unicodedata.normalize("NFC", bare[-2] + tones[0])
    return bare[:-2] + toned + bare[-1]


def normalise_tone_placement(s: str) -> str:
    """Rewrite every syllable to the "new style" of tone placement: "hòa", "thủy", "khỏe".

    Vietnamese has two conventions for the open rhymes "oa", "oe", "uy": the old style puts the
    tone on the second vowel ("hoà", "thuỷ", "khoẻ"), the new style on the first ("hòa", "thủy",
    "khỏe"). We store the new style because administrative documents drafted under Decree 30/2020
    and most national databases (CSDL) use it, so names compare equal to the population register's.

    Only those rhymes without a final consonant or vowel change: "hoàng", "quý", "hoài", "khuyến"
    are the same in both styles and are left as they are. Case is preserved ("Hoà" → "Hòa",
    "THUỶ" → "THỦY"); the text is put in NFC, but whitespace is not touched.
    """
    return _SYLLABLE.sub(lambda m: _place_tone(m.group()), unicodedata.normalize("NFC", s))


def fold(s: str | None) -> str:
    """Return the lower-case, diacritic-free form: "ĐẶNG THỊ HOÀ" → "dang thi hoa".

    For Vietnamese text the result is plain ASCII; letters of other scripts pass through lower-cased.
    """
    decomposed = unicodedata.normalize("NFD", nfc(s))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(_D_MAP).lower()


def search_tokens(s: str | None) -> list[str]:
    """Split `s` into folded tokens on whitespace and punctuation, dropping empty ones."""
    return _TOKEN.findall(fold(s))


def search_key(family: str | None, middle: str | None, given: str | None) -> str:
    """Return the stored search string for a name, e.g. " nguyen van an ".

    The leading and trailing spaces let a query token match as a word prefix with
    `LIKE '% tok%'` on SQLite and PostgreSQL alike, without database-specific word boundaries.
    A name with no tokens at all gives "" so that it matches no query.
    """
    tokens = [t for part in (family, middle, given) for t in search_tokens(part)]
    return f" {' '.join(tokens)} " if tokens else ""


def full_name(family: str | None, middle: str | None, given: str | None) -> str:
    """Return the name in Vietnamese order (family, middle, given), skipping blank parts."""
    return " ".join(p for p in (nfc(family), nfc(middle), nfc(given)) if p)
