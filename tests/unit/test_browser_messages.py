"""The browser writes only words the page sent it: a key assets/elip_map.js reads from ``t`` that is
missing from BROWSER_MESSAGES comes out as "undefined" (the printout's search line said
"undefined: Strathcona" for a neighbourhood)."""

from __future__ import annotations

import re
from pathlib import Path

from elip_map.components.home_context import BROWSER_MESSAGES
from elip_map.i18n import translate_all

SCRIPT = Path(__file__).resolve().parents[2] / "assets" / "elip_map.js"


def _keys_read(source: str) -> set[str]:
    return set(re.findall(r'\bt\["((?:[^"\\]|\\.)*)"\]', source))


def test_every_word_the_browser_reads_is_sent():
    keys = _keys_read(SCRIPT.read_text(encoding="utf-8"))
    assert "Neighbourhood" in keys and len(keys) > 20  # the pattern still finds what the script reads
    assert sorted(keys - set(BROWSER_MESSAGES)) == []


def test_the_neighbourhood_word_reaches_the_browser_translated():
    sent = translate_all("fr", BROWSER_MESSAGES)
    assert sent["Neighbourhood"] and sent["Neighbourhood"] != "Neighbourhood"


def test_the_check_finds_a_word_not_sent():
    assert _keys_read('x = t["Search"] + t["Not a \\"sent\\" word"];') == {"Search", 'Not a \\"sent\\" word'}
