"""The newcomer page's filter predicate and ranking: the Python twin of ``window.elip.map.*``.

The browser filters with ``assets/elip_map.js``; this module does exactly the same so tests (and any
server-side use, such as the benchmark's baseline) share one truth table with the JavaScript.

Semantics: within a facet, any selected value matches (English classes OR employment); across
facets, all must match (service AND language AND neighbourhood AND text AND status AND hours).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from .text import fold

EARTH_RADIUS_KM = 6371.0088


def edit_distance(a: str, b: str, limit: int) -> int:
    """Typo distance (Levenshtein plus swapped neighbours, "optimal string alignment"), giving up
    (returning limit + 1) once it must exceed ``limit``: a swap such as "lnic" for "linc" is one typo."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        best = i
        for j, cb in enumerate(b, 1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, before[j - 2] + 1)
            current.append(value)
            best = min(best, value)
        # A swap can reach back one row, so stop only when two rows in a row are past the limit.
        if best > limit and (not before or min(previous) > limit):
            return limit + 1
        before, previous = previous, current
    return previous[-1] if previous[-1] <= limit else limit + 1


def allowed_typos(token: str) -> int:
    """Short words must match exactly (as a prefix); longer words may carry one or two typos."""
    if len(token) < 4:
        return 0
    return 1 if len(token) < 8 else 2


def token_matches(token: str, words: Sequence[str]) -> bool:
    """True when a query word is a prefix of, or within the allowed typos of, some listing word."""
    limit = allowed_typos(token)
    for word in words:
        if word.startswith(token):
            return True
        if limit:
            if edit_distance(token, word, limit) <= limit:
                return True
            # A typo in the first letters of a longer word: "englsh" against "english".
            if len(word) > len(token) and edit_distance(token, word[: len(token)], limit) <= limit:
                return True
    return False


def text_matches(query: str, haystack: str) -> bool:
    """Every word of the query matches a word of the (already normalised) haystack."""
    tokens = fold(query).split()
    if not tokens:
        return True
    words = haystack.split()
    return all(token_matches(t, words) for t in tokens)


def named_concepts(query: str, table: Sequence[Sequence[str]]) -> dict[str, list[str]]:
    """Service types and languages the whole query names, from the page's phrase table.

    ``table`` rows are ``[folded phrase, "t" | "l", slug or code]`` (elip_map/directory/search_words.py).
    A row is named when every query word matches a word of its phrase (prefix or typo, as for listing
    text), so "clases de ingles" names language training and "عربي" names Arabic. A query shorter than
    two letters names nothing (every phrase would match its first letter).
    """
    tokens = fold(query).split()
    found: dict[str, list[str]] = {"types": [], "langs": []}
    if not tokens or len("".join(tokens)) < 2:
        return found
    for phrase, kind, key in table or ():
        words = phrase.split()
        bucket = found["types" if kind == "t" else "langs"]
        if key not in bucket and all(token_matches(t, words) for t in tokens):
            bucket.append(key)
    return found


def with_named(criteria: Mapping, table: Sequence[Sequence[str]] | None) -> dict:
    """The criteria plus ``q_types``/``q_langs``, computed once per filter change (not per listing)."""
    named = named_concepts(criteria.get("q") or "", table or ())
    return {**criteria, "q_types": named["types"], "q_langs": named["langs"]}


def is_open(hours: Iterable[Sequence[int]], weekday: int, minutes: int) -> bool:
    """Open at ``minutes`` after midnight on ISO ``weekday``, from [weekday, opens_min, closes_min] rows."""
    return any(h[0] == weekday and h[1] <= minutes < h[2] for h in hours)


def matches(props: Mapping, criteria: Mapping) -> bool:
    """Does one location (feature properties) pass the reader's filters?

    Parameters
    ----------
    props : ``types`` (slugs), ``langs`` (ISO codes), ``hood`` (neighbourhood number), ``text``
        (normalised search words), ``hours`` ([weekday, opens_min, closes_min] rows), ``elig`` (status
        slugs served there) and ``elig_unknown`` (truthy when some service there has unknown eligibility:
        it then matches every status, and the card says "ask about eligibility").
    criteria : ``types``, ``langs`` (lists; empty means any), ``hood`` (or None), ``q`` (free text),
        ``open_now`` (bool) with ``now`` = {"weekday", "minutes"}, ``day`` (ISO weekday or None),
        ``status`` (an immigration-status slug of ``rules.eligibility``, or None);
        ``q_types``/``q_langs``: what the query names in the reader's words (:func:`with_named`): a listing
        of one of those types or languages matches the query even when its text does not.

    Example
    -------
    >>> matches({"types": ["food"], "langs": ["ar"], "hood": "1090", "text": "food bank", "hours": []},
    ...         {"types": ["food", "housing"], "langs": ["ar"]})
    True
    """
    types = criteria.get("types") or []
    if types and not any(t in types for t in props.get("types") or []):
        return False
    langs = criteria.get("langs") or []
    if langs and not any(code in langs for code in props.get("langs") or []):
        return False
    hood = criteria.get("hood")
    if hood and str(props.get("hood") or "") != str(hood):
        return False
    query = criteria.get("q")
    if query and not (text_matches(query, props.get("text") or "")
                      or any(t in (criteria.get("q_types") or ()) for t in props.get("types") or [])
                      or any(c in (criteria.get("q_langs") or ()) for c in props.get("langs") or [])):
        return False
    status = criteria.get("status")
    if status and not props.get("elig_unknown"):
        served = props.get("elig") or []
        if status not in served and "everyone" not in served:
            return False
    hours = props.get("hours") or []
    day = criteria.get("day")
    if day and not any(h[0] == int(day) for h in hours):
        return False
    if criteria.get("open_now"):
        now = criteria.get("now") or {}
        if not is_open(hours, int(now.get("weekday", 0)), int(now.get("minutes", -1))):
            return False
    return True


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in km; plenty for ranking within one city."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


_METRES_PER_DEGREE = 6371008.8 * math.pi / 180  # EARTH_RADIUS_KM in metres, written as the browser writes it


def ranking_metres(near_lat: float, near_lon: float, lat: float, lon: float) -> int:
    """Whole metres on a flat earth around ``near``: within a city it differs from the great circle by far
    less than a metre, and the browser ranks on exactly this number (rankFeatures in assets/elip_map.js)."""
    kx = _METRES_PER_DEGREE * math.cos(near_lat * math.pi / 180)
    dx, dy = (lon - near_lon) * kx, (lat - near_lat) * _METRES_PER_DEGREE
    return math.floor(math.sqrt(dx * dx + dy * dy) + 0.5)  # JavaScript's Math.round


def rank(features: Sequence[Mapping], criteria: Mapping, near: Mapping | None = None) -> list[tuple[Mapping, float | None]]:
    """Matching features with their distance in km, nearest first when ``near`` = {"lat", "lon"} is given
    (whole metres, then name), else by organization then location name; the browser's ``rankFeatures``
    gives the same order and distances."""
    out: list[tuple[Mapping, float | None]] = []
    for feature in features:
        props = feature["properties"]
        if not matches(props, criteria):
            continue
        dist = None
        if near:
            lon, lat = feature["geometry"]["coordinates"]
            dist = ranking_metres(near["lat"], near["lon"], lat, lon) / 1000
        out.append((feature, dist))
    if near:
        out.sort(key=lambda pair: (pair[1], pair[0]["properties"].get("sort") or ""))
    else:
        out.sort(key=lambda pair: pair[0]["properties"].get("sort") or "")
    return out
