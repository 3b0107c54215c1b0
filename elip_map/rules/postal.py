"""Canadian postal codes: one rule for the importer, the geocoder and the partner and staff forms.

Canada Post never uses D, F, I, O, Q or U, and W and Z never start a code; people write the code with
or without its space, in either case, sometimes with a dash ("t5j-2r7").
"""

from __future__ import annotations

import re

_FIRST, _LETTER = "[ABCEGHJ-NPRSTVXY]", "[ABCEGHJ-NPRSTV-Z]"
# Anywhere in a text (an address cell, a search box): the forward sortation area, then the local unit.
POSTAL_CODE_RE = re.compile(rf"\b({_FIRST}\d{_LETTER})\s*-?\s*(\d{_LETTER}\d)\b", re.I)
# A forward sortation area alone ("T5J"): the first half of a code, a 3-6 km area in Edmonton.
FSA_RE = re.compile(rf"^\s*({_FIRST}\d{_LETTER})\s*$", re.I)


def canonical_postal_code(text: str | None) -> str | None:
    """The code in Canada Post's form when the whole text is one: canonical_postal_code('t5j2r7') -> 'T5J 2R7'."""
    m = POSTAL_CODE_RE.fullmatch((text or "").strip())
    return f"{m.group(1).upper()} {m.group(2).upper()}" if m else None


def find_postal_code(text: str | None) -> re.Match | None:
    """The last postal code written in a text (an address ends with it), or None."""
    found = None
    for found in POSTAL_CODE_RE.finditer(text or ""):
        pass
    return found


def postal_or_fsa(text: str | None) -> str | None:
    """A full code ('T5J 2R7') or a lone forward sortation area ('T5J') found in a text, else None."""
    m = find_postal_code(text)
    if m:
        return f"{m.group(1).upper()} {m.group(2).upper()}"
    m = FSA_RE.match(text or "")
    return m.group(1).upper() if m else None
