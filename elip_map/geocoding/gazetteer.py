"""Places people name instead of addresses: transit centres, LRT stations, malls, squares,
campuses, and the neighbouring municipalities.

One small table, ``geodata/gazetteer.csv``, built by ``scripts/build_gazetteer.py`` from the shipped
open data (ETS stop names, LRT stations) plus a short, commented list of well-known names for the
same points ("Sir Winston Churchill Square" is at Churchill station) and the region's town centres.
Both the geocoding chain and the newcomer page's "near" box call :func:`find_place`.

Spelling mistakes are tolerated (RapidFuzz ratio, one clear winner only); a name that matches two
far-apart places is refused rather than guessed.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..paths import GEODATA_DIR

GAZETTEER_PATH = GEODATA_DIR / "gazetteer.csv"
COLUMNS = ("name", "key", "kind", "lat", "lon", "precision_m", "outside_city", "source")
# Kinds of place.
TRANSIT_CENTRE = "transit-centre"
LRT_STATION = "lrt-station"
MALL = "mall"
SQUARE = "square"
CAMPUS = "campus"
LANDMARK = "landmark"
MUNICIPALITY = "municipality"

_SAME_PLACE_SUFFIXES = ((" STATION", " TRANSIT CENTRE"), (" STOP", " TRANSIT CENTRE"),
                        (" TRANSIT CENTRE", " STATION"))
FUZZY_CUTOFF = 85.0     # RapidFuzz ratio: "Soutgate Transit Centre" passes, "Northgate" vs "Southgate" not
AMBIGUOUS_M = 600.0     # several places answer a name: fine if they are this close, else refused

# How the stops and people shorten the words of place names, to one spelling.
_WORDS = {
    "TC": "TRANSIT CENTRE", "EDM": "EDMONTON", "STA": "STATION", "CTR": "CENTRE", "CENTER": "CENTRE",
    "PK": "PARK", "PL": "PLACE", "VLY": "VALLEY", "INT": "INTERNATIONAL", "FT": "FORT", "UNIV": "UNIVERSITY",
    "U": "UNIVERSITY", "SQ": "SQUARE", "ST": "SAINT", "MT": "MOUNT", "SHOPPING": "", "THE": "", "OF": "",
}


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    kind: str
    precision_m: float
    outside_city: bool = False
    source: str = ""


def place_key(text: str) -> str:
    """Folded, abbreviation-free spelling of a place name: ``"West Edm Mall TC"`` ->
    ``"WEST EDMONTON MALL TRANSIT CENTRE"``."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii").upper()
    text = re.sub(r"[^A-Z0-9 ]+", " ", text.replace("'", ""))
    words = []
    for w in text.split():
        w = _WORDS.get(w, w)
        if w:
            words.append(w)
    return " ".join(words)


class Gazetteer:
    """Name -> place, exact first, then the one clear fuzzy winner."""

    def __init__(self, places: list[Place]):
        self.places = places
        self._by_key: dict[str, list[Place]] = {}
        for p in places:
            self._by_key.setdefault(place_key(p.name), []).append(p)
        self._keys = list(self._by_key)
        # Leading words of every name ("SOUTHGATE" of "SOUTHGATE TRANSIT CENTRE"): one dict lookup.
        self._by_prefix: dict[str, list[Place]] = {}
        for k, found in self._by_key.items():
            words = k.split()
            for i in range(1, len(words)):
                self._by_prefix.setdefault(" ".join(words[:i]), []).extend(found)

    def __len__(self) -> int:
        return len(self.places)

    def _one(self, found: list[Place]) -> Place | None:
        if not found:
            return None
        first = found[0]
        for other in found[1:]:
            # Several entries for one name (two platforms of a station) are one place if close.
            if _metres(first.lat, first.lon, other.lat, other.lon) > AMBIGUOUS_M:
                return None
        return first

    def find(self, text: str | None, *, fuzzy: bool = True, cutoff: float = FUZZY_CUTOFF,
             whole: bool = False) -> Place | None:
        """``whole``: the text must be a whole name (or an alias, or the station of a transit centre's
        name), spelled right: a location's name is free text, where "Alberta" or "City" is a word
        of a sentence, not the leading part of "Alberta Hospital" or "City Hall"."""
        key = place_key(text or "")
        if len(key) < 3:
            return None
        if key in self._by_key:
            return self._one(self._by_key[key])
        # A transit centre and the LRT station beside it share their name ("Century Park").
        for a, b in _SAME_PLACE_SUFFIXES:
            if key.endswith(a) and key[: -len(a)] + b in self._by_key:
                return self._one(self._by_key[key[: -len(a)] + b])
        if whole:
            return None
        # A leading part of names ("Southgate" -> Southgate Transit Centre, Southgate Station).
        starts = self._by_prefix.get(key, [])
        if starts:
            return self._one(starts)
        if not fuzzy:
            return None
        from rapidfuzz import fuzz, process  # delayed: loaded on the first fuzzy lookup, keeps app start light

        found = process.extract(key, self._keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=2)
        if not found or (len(found) == 2 and found[0][1] == found[1][1]):
            return None
        return self._one(self._by_key[found[0][0]])

    def find_in_pieces(self, pieces: Iterable[str]) -> Place | None:
        """The place in the city that pieces of a free text name, each piece a whole name
        (``find(piece, whole=True)``); None when none does, when the only one is outside the city (a
        neighbouring town, its transit centre), or when two pieces name places far apart."""
        place = self._one([p for p in (self.find(t, whole=True) for t in pieces) if p is not None])
        return place if place is not None and not place.outside_city and place.kind != MUNICIPALITY else None


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Flat-earth distance is plenty at city scale (and avoids numpy for one pair).
    dy = (lat2 - lat1) * 111_200.0
    dx = (lon2 - lon1) * 111_200.0 * 0.594
    return (dx * dx + dy * dy) ** 0.5


def read_places(path: Path) -> list[Place]:
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return [Place(r["name"], float(r["lat"]), float(r["lon"]), r["kind"], float(r["precision_m"]),
                      r["outside_city"] == "1", r["source"]) for r in csv.DictReader(fh)]


def write_places(path: Path, places: list[Place]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for p in sorted(places, key=lambda p: (p.kind, place_key(p.name), p.lat)):
            w.writerow([p.name, place_key(p.name), p.kind, f"{p.lat:.6f}", f"{p.lon:.6f}", f"{p.precision_m:.0f}",
                        "1" if p.outside_city else "0", p.source])


@functools.lru_cache(maxsize=4)
def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """The shipped table (read-only, loaded once per process); empty if the file is missing."""
    return Gazetteer(read_places(Path(path) if path else GAZETTEER_PATH))


def find_place(text: str | None) -> Place | None:
    """The named place a person typed, or None.

    Example
    -------
    >>> p = find_place("Soutgate Transit Centre")
    >>> p.name, p.kind
    ('Southgate Transit Centre', 'transit-centre')
    >>> find_place("St. Albert").outside_city
    True
    """
    return load_gazetteer().find(text)
