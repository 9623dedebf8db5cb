"""Vietnamese text handling: diacritic-insensitive search keys and a proper alphabetical order.

Vietnamese letters with marks are letters of their own (ă, â, đ, ê, ô, ơ, ư come after a, a, d,
e, o, o, u), while tone marks (huyền, sắc, hỏi, ngã, nặng) only break ties. Python's default
string order and most database collations get both wrong; ``sort_key`` produces an ASCII key
any database orders correctly.
"""

from __future__ import annotations

import unicodedata

# Combining marks that make a separate letter vs. those that mark a tone.
_LETTER_MARKS = {"\u0306": "breve", "\u0302": "circumflex", "\u031b": "horn"}
_TONE_ORDER = {"": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
#  ngang, huyền, hỏi, ngã, sắc, nặng: the order of Vietnamese dictionaries.

_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
    "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]
_LETTER_INDEX = {ch: i for i, ch in enumerate(_ALPHABET)}


def fold(text: str) -> str:
    """Lower-case, strip every diacritic (đ -> d), collapse spaces: the search key."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def _split_tone(ch: str) -> tuple[str, int]:
    """Return the letter without its tone (keeping ă â ê ô ơ ư) and the tone's rank."""
    decomposed = unicodedata.normalize("NFD", ch)
    base, tone = decomposed[0], ""
    marks = ""
    for mark in decomposed[1:]:
        if mark in _LETTER_MARKS:
            marks += mark
        elif mark in _TONE_ORDER:
            tone = mark
    return unicodedata.normalize("NFC", base + marks), _TONE_ORDER.get(tone, 0)


def word_key(text: str) -> str:
    """ASCII key ordering ``text`` by the Vietnamese alphabet, tones breaking ties."""
    primary: list[str] = []
    tones: list[str] = []
    for ch in unicodedata.normalize("NFC", text.lower()):
        if ch.isspace():
            primary.append("#")
            continue
        letter, tone = _split_tone(ch)
        idx = _LETTER_INDEX.get(letter)
        if idx is None:
            # digits and other characters: keep their code point order after a space
            primary.append(f"~{ord(ch):05x}" if not ch.isdigit() else f"0{ch}")
        else:
            primary.append(f"{idx + 10:02d}")
        tones.append(str(tone))
    # "!" ends the primary key: it sorts before the word separator "#" and every letter code,
    # so "an" < "an b" < "anh".
    return "".join(primary) + "!" + "".join(tones)


def name_sort_key(full_name: str) -> str:
    """Vietnamese names sort by given name (the last word), then family and middle names."""
    parts = full_name.split()
    if not parts:
        return ""
    reordered = " ".join([parts[-1], *parts[:-1]])
    return word_key(reordered)[:500]


def matches(query: str, *fields: str) -> bool:
    """True when every word of ``query`` appears (folded) in one of ``fields``."""
    haystack = " ".join(fold(f) for f in fields)
    return all(word in haystack for word in fold(query).split())
