"""Text keys: one case- and accent-folding rule for every lookup, and it keeps every script.

The importer matches organization names with it, the geocoder matches street names, the newcomer page's
search and the neighbourhood, language and service-type lookups compare with it, and
``assets/elip_map.js`` (``normalize``) does exactly the same in the browser (one truth table checks both).

Why not "strip everything that is not ASCII": an organization named only in Arabic, Chinese, Punjabi or
Amharic would become an empty key. Marks are dropped only where they are accents on Latin, Greek or
Cyrillic letters ("Café" finds "cafe"); Gurmukhi, Devanagari or Ethiopic vowel signs are part of the
letter and stay. Arabic-script spelling variants that readers type interchangeably are unified (short
vowels and tatweel dropped, alef forms, Persian yeh and keheh), so "عربي" finds "عربى". Chinese and
Japanese write no spaces between words, so each ideograph or kana is a word of its own: "华人服务"
finds "埃德蒙顿华人服务中心".
"""

from __future__ import annotations

import re
import unicodedata

_ASCII_SPLIT = re.compile(r"[^a-z0-9]+")
# Arabic-script letters people type interchangeably -> one form (twin: ARABIC_FOLD in elip_map.js).
ARABIC_FOLD = str.maketrans({
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",  # alef forms -> alef
    "\u0649": "\u064a", "\u06cc": "\u064a",  # alef maksura, Persian yeh -> yeh
    "\u06a9": "\u0643",  # keheh -> kaf
    "\u0629": "\u0647",  # teh marbuta -> heh
    "\u0640": None,  # tatweel
})


def _drops_marks(base: int) -> bool:
    """Accents on Latin, Greek and Cyrillic letters are dropped; other scripts keep their marks."""
    return base < 0x0530 or 0x1E00 <= base < 0x2000


def _is_ideograph(ch: str) -> bool:
    """Han ideographs and kana: scripts written without spaces, searched character by character."""
    return "\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _is_arabic_vowel(ch: str) -> bool:
    return "\u064b" <= ch <= "\u065f" or ch == "\u0670"


def fold(text: str | None) -> str:
    """Lower-case words without accents, joined by single spaces; every script kept.

    >>> fold("Café-Santé  No. 5"), fold("جمعية الجالية العربية"), fold("ਅੰਗਰੇਜ਼ੀ"), fold("英语课")
    ('cafe sante no 5', 'جمعيه الجاليه العربيه', 'ਅੰਗਰੇਜ਼ੀ', '英 语 课')
    """
    if not text:
        return ""
    text = str(text)
    if text.isascii():
        return " ".join(w for w in _ASCII_SPLIT.split(text.lower()) if w)
    out: list[str] = []
    base = 0
    for ch in unicodedata.normalize("NFKD", text).lower():
        if unicodedata.category(ch)[0] == "M":
            if _drops_marks(base) or _is_arabic_vowel(ch):
                continue
        else:
            base = ord(ch)
        out.append(ch)
    plain = unicodedata.normalize("NFC", "".join(out).translate(ARABIC_FOLD))
    words, word = [], []
    for ch in plain:
        if _is_ideograph(ch):
            if word:
                words.append("".join(word))
                word = []
            words.append(ch)
        elif ch.isalnum() or unicodedata.category(ch)[0] == "M":
            word.append(ch)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return " ".join(words)


def strip_accents(text: str | None) -> str:
    """The text with accents taken off Latin, Greek and Cyrillic letters and nothing else changed:
    strip_accents('Rue Sainte-Thérèse, Édifice 2') -> 'Rue Sainte-Therese, Edifice 2' (addresses keep their punctuation)."""
    if not text or text.isascii():
        return text or ""
    out: list[str] = []
    base = 0
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.category(ch)[0] == "M":
            if _drops_marks(base):
                continue
        else:
            base = ord(ch)
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))
