"""Staff notes stored in English, shown in the reader's language.

The geocoder's reasons ("no street address to place"; "the street address and the postal code T5J 1C4
are 2.3 km apart: one of them is wrong"), the importer's duplicate reasons and why a verification
e-mail did not arrive are written once, in English, into the database (``Location.geocode_note``,
``DuplicateSuspect.reason``, ``VerificationMail.last_error``), the exports, the audit log and the
command line, where English is what people grep and compare. Every such message is
declared here as a template, so the code that writes it and the page that shows it use the same text:
the writer fills a template in English (byte for byte what was stored before), and :func:`display_note`
reads a stored note back by matching the declared templates and translates it for the reader, with the
same values (numbers, postal codes, road and place names stay as they are). A note nobody declared (an
older wording, an online geocoder's error) is shown as stored.

This module sits in the geocoding room, the lowest one that writes such notes (the importer and the
verification mail sit above it and import their templates from here), so that there is one list of them:
:func:`display_note` can only read back what this module declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..i18n import DEFAULT_UI, N_, match_tag, text_direction, translator

# Several notes are stored joined with this; a reader sees their own script's semicolon.
SEPARATOR = "; "
_SHOWN_SEPARATOR = {"ar": "؛ ", "fa": "؛ ", "prs": "؛ ", "zh-Hans": "；", "zh-Hant": "；", "am": "፤ ", "ti": "፤ "}
_FIELD = re.compile(r"\{(\w+)\}")
# What a value may look like, per placeholder name: numbers are numbers, so a template whose only
# difference is a number cannot swallow a longer sentence. Any other value: text without a "; ".
_VALUE_PATTERNS = {"km": r"\d+(?:\.\d+)?", "house": r"\d+", "rows": r"\d+(?:, \d+)*", "attempts": r"\d+",
                   "mail": r"\d+"}
_ANY_VALUE = r"(?:(?!; ).)+?"


@dataclass(frozen=True)
class NoteTemplate:
    """One declared message: ``NOTE(code="T5J")`` writes it in English, as it is stored."""

    msgid: str

    def __call__(self, **values) -> str:
        return self.msgid.format(**values)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(_FIELD.findall(self.msgid))


_TEMPLATES: list[NoteTemplate] = []


def note(msgid: str) -> NoteTemplate:
    """Declare a message (wrap the text in ``N_`` where it is written, for the catalogue)."""
    template = NoteTemplate(msgid)
    _TEMPLATES.append(template)
    return template


# -- geocoding methods, as staff read them ---------------------------------------------------------
METHOD_LABELS = {
    "address-point": N_("City address point"),
    "centreline": N_("City road centreline"),
    "grid": N_("numbered-street grid"),
    "road": N_("road through transit stops"),
    "place": N_("named place"),
    "online": N_("online geocoder"),
    "postal": N_("postal code"),
    "postal-fsa": N_("postal area"),
    "municipality": N_("town centre"),
    "manual": N_("pin placed by staff"),
}


def method_label(method: str | None, ui: str = DEFAULT_UI) -> str:
    """``method_label("grid", "fr")`` -> "grille des rues numérotées"; an unknown method as it is."""
    label = METHOD_LABELS.get(method or "")
    return translator(ui)(label) if label else (method or "")


# -- the address as typed (parse.py) -----------------------------------------------------------------
ALIAS_READ_AS = note(N_("{alias} read as {road}"))
ALIAS_ONLY_WEST = note(N_("{alias} follows {line} only from {start} west: the offline grid cannot place this part "
                          "of it"))
ALIAS_ONLY_BETWEEN = note(N_("{alias} follows {line} only from {start} to {end}: the offline grid cannot place this "
                             "part of it"))
TWO_ADDRESSES = note(N_("two different street addresses in one cell ({first} and {second}): say which one is the "
                        "location"))
CITY_OUTSIDE_REGION = note(N_("the city '{city}' is outside the Edmonton region"))
TEXT_OUTSIDE_REGION = note(N_("the address names a place outside the Edmonton region"))
PARALLEL_ROADS = note(N_("{road} and {other} run the same way and never cross"))
NO_HOUSE_NUMBER = note(N_("no house number or cross street on {road}"))
PO_BOX_MAILING = note(N_("a PO box is a mailing address, not a place to visit"))
PO_BOX_IGNORED = note(N_("PO box ignored; the street address was used"))
NO_STREET_ADDRESS = note(N_("no street address to place"))
UNREADABLE = note(N_("not a form of address the geocoder can read"))
OUTSIDE_EDMONTON = note(N_("{municipality} is outside Edmonton and does not use Edmonton's numbered grid"))

# -- the chain (chain.py, apply.py) ------------------------------------------------------------------
OUTSIDE_REGION = note(N_("outside the Edmonton region"))
PO_BOX_NOT_A_PLACE = note(N_("a PO box is not a place"))
GRID_NOT_CALIBRATED = note(N_("the grid is not calibrated there (no numbered corners near it): check the address"))
PLACED_ALONG_ROAD = note(N_("placed along the road, {detail}"))
PLACED_AT_PLACE = note(N_("placed at the named place {place}"))
PLACED_FROM_NAME = note(N_("placed from the location's name (no street address given)"))
PLACED_AT_NAMED_PLACE = note(N_("placed at {place}, named in the location's name (no street address given)"))
ONLINE_UNAVAILABLE = note(N_("online geocoder unavailable: {error}"))
NOT_ALBERTA_POSTAL = note(N_("the postal code {code} is not an Alberta one"))
NO_METHOD = note(N_("no method could place this address"))
POSTAL_DISAGREES = note(N_("the street address and the postal code {code} are {km} km apart: one of them is wrong"))
PLACE_DISAGREES = note(N_("the street address and {place} are {km} km apart: one of them is wrong"))
RESULT_OUTSIDE_REGION = note(N_("the result lies outside the Edmonton region"))
ONLY_POSTAL_AREA = note(N_("only the postal area {fsa} is known (about {km} km)"))
TOO_ROUGH = note(N_("the {method} result is too rough (about {km} km)"))
APPROX_POSTAL_AREA = note(N_("approximate: centre of postal area {fsa} (about {km} km)"))
APPROX_PLACE = note(N_("approximate: somewhere at {place} (within about {km} km)"))
APPROX_TOWN = note(N_("approximate: centre of {municipality}, outside Edmonton (about {km} km)"))

# -- the road model (roads.py): where it placed a point, or why not ---------------------------------
HOUSE_NUMBER = note(N_("number {house}"))
NEAR_STOPS = note(N_("near {point}, along the road's stops"))
NEXT_TO = note(N_("next to {point}"))
BETWEEN = note(N_("between {point} and {other}"))
BETWEEN_ON_LINE = note(N_("between {point} and {other}, on the grid line"))
BEYOND_ON_LINE = note(N_("beyond {point}, on the grid line"))
NAMED_CROSSING = note(N_("a named crossing"))
NEAREST_POINTS = note(N_("nearest known points of both roads"))
COURSES_CROSS = note(N_("where the courses of both roads cross"))
ROAD_POINTS_DISAGREE = note(N_("the known points of {road} disagree about where it passes {point}"))
ROAD_PASSES_TWICE = note(N_("{road} passes {point} in more than one place: say which (a cross street or a house "
                            "number)"))
OUTSIDE_KNOWN_PART = note(N_("{point} is outside the part of {road} the open data covers"))
OUTSIDE_KNOWN_SPAN = note(N_("{point} is outside the part of {road} the open data covers ({low} to {high})"))
NO_POINT_ON_AVENUES = note(N_("no known point of {road} on the avenue lines"))
NO_POINT_ON_STREETS = note(N_("no known point of {road} on the street lines"))
NO_POINT_WITH_NUMBER = note(N_("no known point of {road} with a number"))
ROAD_MAY_BEND = note(N_("the known points of {road} around {point} are {km} km apart: it may bend in between"))
ROAD_UNKNOWN = note(N_("{road} is not among the roads the open data names"))
NUMBER_DOES_NOT_FIT = note(N_("number {house} does not fit the known part of {road}"))
NUMBER_FITS_TWICE = note(N_("number {house} fits {road} in two places {km} km apart"))
CORNER_MISPLACED = note(N_("{road} and {other} do not meet where the open data puts them"))
NO_MEETING_POINT = note(N_("no known point where {road} meets {other}"))
PATHS_TOO_SHORT = note(N_("the open data does not follow both {road} and {other} far enough to say where they meet"))
COURSES_DO_NOT_MEET = note(N_("the known courses of {road} and {other} do not meet"))
MEET_TWICE = note(N_("{road} and {other} meet in more than one place: say which"))

# -- the City's road centrelines (address_points.py) ------------------------------------------------
CENTRELINE_NOT_ON_LINE = note(N_("the City's centreline of this road does not cross that line where the grid is "
                                 "known"))
CENTRELINE_CROSSES_TWICE = note(N_("the road crosses that line in more than one place"))

# -- the online geocoder's failures (online.py), stored inside ONLINE_UNAVAILABLE ------------------
ONLINE_UNREADABLE = note(N_("the geocoder sent an unreadable answer ({detail})"))
ONLINE_NO_ANSWER = note(N_("the geocoder did not answer after {attempts} attempts ({error})"))

# -- the importer (importers/writer.py) --------------------------------------------------------------
DUPLICATE_ROWS = note(N_("rows {rows} name the same organization and address; they were merged into one listing"))

# -- verification mail that did not arrive (verification/bounces.py), VerificationMail.last_error -------
# The reason is the report's own status and diagnostic ("5.1.1 User unknown"), kept as the server wrote it.
BOUNCE_REPORTED = note(N_("delivery report: {reason}"))
BOUNCE_GAVE_UP = note(N_("delivery report, the receiving server gave up: {reason}"))
BOUNCE_NO_REASON = note(N_("reported undeliverable"))

# -- who acted, when not a person (AuditEntry.actor_label, shown on the audit page) ------------------------
ACTOR_COMMAND_LINE = note(N_("command line"))
ACTOR_COMMAND_LINE_IMPORT = note(N_("command line ({user}): import {file}"))
ACTOR_COMMAND_LINE_GEOCODE = note(N_("command line ({user}): geocode"))
ACTOR_IMPORT = note(N_("import: {source}"))
ACTOR_MAIL_SERVER = note(N_("mail server"))
ACTOR_VERIFICATION_LINK = note(N_("verification link #{mail} ({address})"))
# Written by directory/audit.py, a room below this one, which cannot import it: a test keeps the two equal.
ACTOR_SYSTEM = note(N_("system"))


def shown_separator(ui: str) -> str:
    """What joins several notes for a reader: "; ", or the script's own semicolon ("؛ " in Arabic)."""
    return _SHOWN_SEPARATOR.get(match_tag(ui) or DEFAULT_UI, SEPARATOR)


def declared() -> tuple[NoteTemplate, ...]:
    """Every declared message (for the tests: each must read back from its own English)."""
    return tuple(_TEMPLATES)


def _literal_length(template: NoteTemplate) -> int:
    return len(_FIELD.sub("", template.msgid))


def _pattern(template: NoteTemplate) -> re.Pattern:
    parts, last = [], 0
    for m in _FIELD.finditer(template.msgid):
        parts.append(re.escape(template.msgid[last:m.start()]))
        parts.append(f"(?P<{m.group(1)}>{_VALUE_PATTERNS.get(m.group(1), _ANY_VALUE)})")
        last = m.end()
    parts.append(re.escape(template.msgid[last:]))
    # DOTALL: a value may span lines (a server's error text quoted in "the geocoder sent an unreadable answer").
    return re.compile("".join(parts), re.DOTALL)


# Most literal text first: "the street address and the postal code {code} ..." before "... and {place} ...".
_COMPILED = [(t, _pattern(t)) for t in sorted(_TEMPLATES, key=_literal_length, reverse=True)]
_MAX_PARTS = max(t.msgid.count(SEPARATOR) for t in _TEMPLATES) + 1


def read_note(text: str) -> tuple[NoteTemplate, dict[str, str]] | None:
    """The declared template one stored message was written from, with its values; None if none fits."""
    for template, pattern in _COMPILED:
        m = pattern.fullmatch(text)
        if m:
            return template, m.groupdict()
    return None


def _one(text: str, ui: str, depth: int = 0) -> str | None:
    found = read_note(text)
    if found is None:
        return None
    template, values = found
    shown = {}
    for name, value in values.items():
        if name == "method":
            shown[name] = method_label(value, ui)
        else:   # a value may itself be a declared message ("placed along the road, next to number 2019")
            shown[name] = (_one(value, ui, depth + 1) if depth < 3 else None) or value
    if text_direction(ui) == "rtl":
        # Each value in its own direction (FSI ... PDI): "St. Albert" or "T5J 1C4" inside an Arabic
        # sentence must not carry the words around it to the wrong side.
        shown = {name: f"\u2068{value}\u2069" for name, value in shown.items()}
    return translator(ui)(template.msgid, **shown)


@lru_cache(maxsize=4096)
def display_note(text: str | None, ui: str = DEFAULT_UI) -> str:
    """A stored note in the reader's language; what no declared message fits stays as stored.

    >>> display_note("no street address to place; the postal code V6B 1A1 is not an Alberta one",
    ...              "fr")  # doctest: +SKIP
    'aucune adresse municipale à placer; le code postal V6B 1A1 n’est pas un code de l’Alberta'
    """
    ui = match_tag(ui) or DEFAULT_UI
    if not text or ui == DEFAULT_UI:
        return text or ""
    pieces = text.split(SEPARATOR)
    out, i, matched = [], 0, False
    while i < len(pieces):
        for j in range(i + 1, min(len(pieces), i + _MAX_PARTS) + 1):
            shown = _one(SEPARATOR.join(pieces[i:j]), ui)
            if shown is not None:
                out.append(shown)
                i, matched = j, True
                break
        else:
            out.append(pieces[i])
            i += 1
    if not matched:
        return text
    joined = shown_separator(ui).join(out)
    # A right-to-left mark first: a table cell that takes its direction from its text (dir=auto) would
    # otherwise read "St. Albert is outside Edmonton…" in Arabic as a left-to-right line.
    return "\u200f" + joined if text_direction(ui) == "rtl" else joined
