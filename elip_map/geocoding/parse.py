"""Read an Edmonton address as people type it into the parts the grid geocoder needs.

Edmonton's numbered grid makes most addresses computable: avenues run east-west, numbered
northward from Quadrant (0) Avenue; streets run north-south, numbered westward from Meridian (0)
Street (eastward in the NE/SE quadrants; avenues southward in SW/SE). A house number encodes the
cross street: 10310 102 Avenue lies 10 % of the way from 103 Street to 104 Street.

The parser is deliberately rule-based (regular expressions over an upper-cased copy): the forms are
few and local, and a general address parser (libpostal) is a 2 GB model that knows nothing of the
grid. Whatever it cannot read it says so in ``problem``, so a person can look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..rules.postal import FSA_RE, POSTAL_CODE_RE, postal_or_fsa
from ..rules.text import strip_accents
from . import notes as N

# Kinds of parsed address.
CIVIC = "civic"                # house number on a numbered (grid) street or avenue
INTERSECTION = "intersection"  # a numbered street crossing a numbered avenue
NAMED_ROAD = "named-road"      # house number on a road outside the grid (Castle Downs Rd)
PO_BOX = "po-box"              # a mailing address, not a place
POSTAL_ONLY = "postal-only"    # nothing but a postal code
UNPARSED = "unparsed"          # nothing we can place (a building name, free text, empty)

QUADRANTS = ("NW", "NE", "SW", "SE")

# Named roads that ARE grid lines, so their civic numbers follow the grid. Each was checked
# against the transit stops: a model fitted on number-named stops predicts where the alias puts
# the stops named with the road's name (scripts/build_grid_model.py prints these figures).
#  - Jasper Avenue is 101 Avenue from 96 Street west: 21 stop corners, median 48 m off the line.
#  - Whyte Avenue is 82 Avenue (the City's own signage; no stop uses the name, all say 82 Ave).
#  - Gateway Boulevard is 103 Street: 64 m at 80/83 Avenue; about 200 m east of it at 48/51
#    Avenue, where Highway 2 leaves the line. Still well inside our 1 km bound.
# Not listed, on purpose: Calgary Trail is often called 104 Street, but its two stops sit 250-350 m
# from 104 Street (nearer 102), so no number can be justified; Kingsway, Fort Road, St. Albert
# Trail, Yellowhead Trail, Whitemud Drive and Stony Plain Road run diagonally or change line;
# "Alberta Avenue" is the district along 118 Avenue rather than a street name. These stay named
# roads: the offline grid refuses them and the online geocoder (when set) can try.
#  - Stony Plain Road is 101 Avenue from 149 Street to 184 Street: 27 stop corners there, all
#    within 180 m of the 101 Avenue line (median about 65 m); east of 149 Street it bends north-east.
GRID_ROAD_ALIASES: dict[str, tuple[str, int]] = {
    "JASPER": ("AVENUE", 101),
    "WHYTE": ("AVENUE", 82),
    "GATEWAY": ("STREET", 103),
    "STONY PLAIN": ("AVENUE", 101),
}
_ALIAS_RE = re.compile(
    r"\b(?P<name>JASPER|WHYTE)\s+(?:AVENUE|AVE|AV)\b\.?"
    r"|\b(?P<name2>GATEWAY)\s+(?:BOULEVARD|BLVD|BV)\b\.?"
    r"|\b(?P<name3>STONY PLAIN)\s+(?:ROAD|RD)\b\.?"
)
_ALIAS_LABEL = {"JASPER": "Jasper Avenue", "WHYTE": "Whyte Avenue", "GATEWAY": "Gateway Boulevard",
                "STONY PLAIN": "Stony Plain Road"}

# Municipalities of the Edmonton region: addresses there are allowed but lie outside the city
# (their own street numbering is not Edmonton's grid).
REGION_MUNICIPALITIES: dict[str, str] = {
    "ST ALBERT": "St. Albert",
    "SAINT ALBERT": "St. Albert",
    "SHERWOOD PARK": "Sherwood Park",
    "STRATHCONA COUNTY": "Strathcona County",
    "ARDROSSAN": "Ardrossan",
    "SPRUCE GROVE": "Spruce Grove",
    "STONY PLAIN": "Stony Plain",
    "PARKLAND COUNTY": "Parkland County",
    "ACHESON": "Acheson",
    "ENOCH": "Enoch",
    "LEDUC COUNTY": "Leduc County",
    "LEDUC": "Leduc",
    "NISKU": "Nisku",
    "BEAUMONT": "Beaumont",
    "DEVON": "Devon",
    "FORT SASKATCHEWAN": "Fort Saskatchewan",
    "STURGEON COUNTY": "Sturgeon County",
    "MORINVILLE": "Morinville",
}
# A few well-known places far outside the region, so "..., Calgary" is refused rather than
# placed on Edmonton's grid. Anything else unknown in the city column is refused too.
FAR_MUNICIPALITIES = ("CALGARY", "RED DEER", "LETHBRIDGE", "MEDICINE HAT", "GRANDE PRAIRIE",
                      "FORT MCMURRAY", "LLOYDMINSTER", "CAMROSE", "WETASKIWIN", "BANFF", "CANMORE",
                      "AIRDRIE", "JASPER AB", "VANCOUVER", "TORONTO", "MONTREAL", "OTTAWA",
                      "WINNIPEG", "SASKATOON", "REGINA", "VICTORIA")
_EDMONTON = "EDMONTON"

_PO_BOX_RE = re.compile(r"\b(?:P\s*O\s*BOX|POST\s+OFFICE\s+BOX|PO\s*BX|BOX)\s*#?\s*\d+\b")
# A municipality name, unless it is part of a road's name (St. Albert Trail, Stony Plain Road,
# Sherwood Park Freeway).
_MUNI_RE = re.compile(
    r"\b(" + "|".join(sorted((re.escape(k) for k in REGION_MUNICIPALITIES), key=len, reverse=True))
    + r")\b(?!\s+(?:TRAIL|TRL|TR|ROAD|RD|FREEWAY|FWY|DRIVE|DR|BOULEVARD|BLVD)\b)"
)
_FAR_RE = re.compile(r"\b(" + "|".join(re.escape(k) for k in FAR_MUNICIPALITIES) + r")\b"
                     r"(?!\s+(?:TRAIL|TRL|TR|ROAD|RD|DRIVE|DR)\b)")

# A numbered grid road: "107A Ave", "82nd Avenue", "163 Street NW", "95 A St". A lone "ST" that
# starts "St. Albert" is a saint, not a street.
_ROAD_RE = re.compile(
    r"(?<![\dA-Z])(?P<num>\d{1,3})(?:ST|ND|RD|TH)?\s?(?P<letter>[A-D])?\s+"
    r"(?P<type>STREET|STR|ST(?!\s+(?!AND\b|AT\b)[A-Z]{3,}\b)|AVENUE|AVE|AV)\b\.?"
    r"(?:\s+(?P<quad>NW|NE|SW|SE)\b)?"
)
# The house number right before a road: "10010 107A Ave", "9200-163 Street", "5004 - 98 Avenue".
_HOUSE_BEFORE_RE = re.compile(r"(?<![\dA-Z])(?P<house>\d{1,6})(?P<hletter>[A-Z])?\s*(?:-\s*)?$")
_UNIT_RE = re.compile(
    r"(?:\b(?:SUITE|STE|UNIT|APT|APARTMENT|ROOM|RM|NO|BAY|FLOOR|FL)\b\.?\s*#?\s*|#\s*)(?P<unit>[0-9A-Z]+)\b"
)
_UNIT_DASH_RE = re.compile(r"(?<![\dA-Z])(?P<unit>\d{1,5}[A-Z]?)\s*-\s*$")
_CONNECTOR_RE = re.compile(r"^\s*(?:,\s*)?(?:&|AND|AT|@|/|\+|X)\s*$")
_ROAD_TYPE_NAMES = {"STREET": "STREET", "STR": "STREET", "ST": "STREET",
                    "AVENUE": "AVENUE", "AVE": "AVENUE", "AV": "AVENUE"}
# Lettered roads sit between two numbered ones: 107A Avenue lies between 107 and 108 Avenue.
_LETTER_OFFSET = {"A": 0.5, "B": 0.67, "C": 0.8, "D": 0.9}

# Words of named roads as people and the transit stops abbreviate them, to one spelling each, so
# "Castle Downs Rd", "CASTLE DOWNS ROAD" and "Castle Downs Road NW" are one road.
_NAME_WORDS = {
    "RD": "ROAD", "DR": "DRIVE", "DRVIE": "DRIVE", "BLVD": "BOULEVARD", "BV": "BOULEVARD",
    "BOULVEVARD": "BOULEVARD", "CR": "CRESCENT", "CRES": "CRESCENT", "TRL": "TRAIL", "TR": "TRAIL",
    "GT": "GATE", "PL": "PLACE", "LN": "LANE", "WY": "WAY", "GRN": "GREEN", "GRNS": "GREENS",
    "LNDG": "LANDING", "PT": "POINT", "PTE": "POINTE", "HL": "HILL", "VW": "VIEW", "VLG": "VILLAGE",
    "SQ": "SQUARE", "PKWY": "PARKWAY", "FWY": "FREEWAY", "HWY": "HIGHWAY", "CT": "COURT",
    "CTR": "CENTRE", "CENTER": "CENTRE", "PK": "PARK", "FT": "FORT", "EDM": "EDMONTON", "MT": "MOUNT",
    "STA": "STATION", "RDG": "RIDGE", "GRV": "GROVE", "VLY": "VALLEY", "MDW": "MEADOW", "CM": "COMMON",
    "CL": "CLOSE", "TER": "TERRACE", "ESTS": "ESTATES", "HTS": "HEIGHTS", "MKT": "MARKET",
}
_DIRECTIONS = {"E": "E", "EAST": "E", "W": "W", "WEST": "W", "N": "N", "NORTH": "N", "S": "S", "SOUTH": "S"}
# Last words that make a piece of text a named road (after _NAME_WORDS).
NAMED_ROAD_TYPES = frozenset({
    "ROAD", "DRIVE", "BOULEVARD", "CRESCENT", "TRAIL", "GATE", "PLACE", "LANE", "WAY", "GREEN",
    "LANDING", "POINT", "POINTE", "HILL", "VIEW", "SQUARE", "PARKWAY", "FREEWAY", "HIGHWAY", "COURT",
    "LINK", "CLOSE", "WYND", "COMMON", "PROMENADE", "BEND", "TERRACE", "VISTA", "LOOP", "CREST",
    "RIDGE", "GROVE", "MEADOW", "KINGSWAY", "RUN", "HEIGHTS", "ESTATES", "GREENS",
})
_NAMED_PIECE_RE = re.compile(
    r"^(?:(?P<house>\d{1,6})[A-Z]?\s*(?:-\s*)?)?(?P<words>[A-Z][A-Z' ]*?)"
    r"(?:\s+(?P<quad>NW|NE|SW|SE))?$"
)


@dataclass(frozen=True)
class NamedRoadRef:
    """A named (not numbered) road as typed: ``key`` is its one spelling ("CASTLE DOWNS ROAD")."""

    key: str
    quadrant: str | None = None     # only when written ("Ellerslie Road SW")
    house: int | None = None

    def label(self) -> str:
        return self.key.title() + (f" {self.quadrant}" if self.quadrant else "")


def named_road_key(words: str) -> str | None:
    """One spelling of a named road's name, or None when the words do not end in a road type.

    ``named_road_key("Castle Downs Rd") == "CASTLE DOWNS ROAD"``; a direction after the type is
    kept, because "Ormsby Road W" and "Ormsby Road E" are two roads: "ORMSBY ROAD W".
    """
    tokens = [_NAME_WORDS.get(t, t) for t in re.sub(r"[^A-Z0-9' ]", " ", words.upper()).split()]
    direction = None
    if len(tokens) >= 3 and tokens[-1] in _DIRECTIONS:
        direction = _DIRECTIONS[tokens.pop()]
    if len(tokens) < 2 or tokens[-1] not in NAMED_ROAD_TYPES or any(t.isdigit() for t in tokens):
        return None
    return " ".join(tokens + ([direction] if direction else []))


def read_named_piece(piece: str) -> NamedRoadRef | None:
    """``"15379 Castle Downs Rd"`` -> NamedRoadRef("CASTLE DOWNS ROAD", None, 15379); else None."""
    m = _NAMED_PIECE_RE.match(piece.strip())
    if not m:
        return None
    key = named_road_key(m.group("words"))
    if key is None:
        return None
    return NamedRoadRef(key, m.group("quad"), int(m.group("house")) if m.group("house") else None)


def read_grid_piece(piece: str) -> GridRoad | None:
    """A whole piece of text that is one numbered road ("28 Avenue", "103A St SW"), else None."""
    m = _ROAD_RE.fullmatch(piece.strip())
    return _match_road(m) if m else None


@dataclass(frozen=True)
class GridRoad:
    """One numbered grid line: ``GridRoad("AVENUE", 107, "A", "NW")`` is 107A Avenue NW."""

    kind: str               # "STREET" or "AVENUE"
    number: int
    letter: str | None = None
    quadrant: str = "NW"

    @property
    def value(self) -> float:
        """Position along the numbering, lettered roads in between: 107A -> 107.5."""
        return self.number + (_LETTER_OFFSET.get(self.letter, 0.5) if self.letter else 0.0)

    def label(self) -> str:
        name = "Street" if self.kind == "STREET" else "Avenue"
        return f"{self.number}{self.letter or ''} {name} {self.quadrant}"


@dataclass
class ParsedAddress:
    raw: str
    kind: str
    unit: str | None = None
    house_number: int | None = None
    road: GridRoad | None = None
    cross: GridRoad | None = None
    named_road: str | None = None       # the named road's key ("CASTLE DOWNS ROAD")
    named_quadrant: str | None = None   # quadrant written after the named road, if any
    named_cross: GridRoad | NamedRoadRef | None = None  # the other road of "Hewes Way & 28 Avenue"
    named_candidates: list[NamedRoadRef] = field(default_factory=list)  # every "<number> <named road>"
    place_text: str | None = None       # what is left to look up as a named place ("Southgate Centre")
    postal_code: str | None = None      # "T5J 2R7", or a 3-character FSA when that is all there is
    municipality: str | None = None     # region municipality other than Edmonton ("St. Albert")
    outside_region: bool = False        # names a place far from Edmonton
    po_box: bool = False
    off_grid: bool = False              # a named road read as a grid line where it leaves that line
    ambiguous: bool = False             # two different street addresses: neither is trusted
    problem: str | None = None
    notes: list[str] = field(default_factory=list)
    # A location with no street address: the pieces of its name that may name a place ("City Hall").
    name_pieces: list[str] = field(default_factory=list)

    @property
    def outside_city(self) -> bool:
        return self.municipality is not None

    @property
    def fsa(self) -> str | None:
        return self.postal_code[:3] if self.postal_code else None

    def grid_xy(self) -> tuple[float, float] | None:
        """Grid coordinates (east, north) of the place, or None when the grid cannot say.

        East is minus the street number west of Meridian Street (plus in NE/SE); north is the avenue
        number north of Quadrant Avenue (minus in SW/SE). Example: 10310 102 Avenue NW -> (-103.10, 102).
        """
        if self.municipality is not None or self.outside_region or self.off_grid or self.ambiguous:
            return None
        if self.kind == INTERSECTION and self.road and self.cross and self.road.kind != self.cross.kind:
            street, avenue = (self.road, self.cross) if self.road.kind == "STREET" else (self.cross, self.road)
            quadrant = _common_quadrant(street, avenue)
            return _signed(quadrant, street.value, avenue.value)
        if self.kind == CIVIC and self.road and self.house_number is not None:
            along = self.house_number / 100.0
            if self.road.kind == "AVENUE":
                return _signed(self.road.quadrant, along, self.road.value)
            return _signed(self.road.quadrant, self.road.value, along)
        return None

    def key(self) -> str:
        """A normalised identity for caching: the same place typed two ways gives one key."""
        if self.kind == CIVIC and self.road:
            base = f"{self.house_number} {self.road.label()}"
        elif self.kind == INTERSECTION and self.road and self.cross:
            base = " & ".join(sorted((self.road.label(), self.cross.label())))
        elif self.kind == NAMED_ROAD and self.named_cross is not None:
            other = self.named_cross.label().upper()
            base = " & ".join(sorted((self.named_road or "", other)))
        elif self.kind == NAMED_ROAD:
            base = f"{self.house_number} {self.named_road}"
        else:
            base = canonical_address_text(self.raw)
        parts = [base, self.municipality or "EDMONTON", self.postal_code or ""]
        return "|".join(parts).upper()


def _common_quadrant(a: GridRoad, b: GridRoad) -> str:
    # "66 Street & 6 Avenue SW": the quadrant written on either road applies to the corner.
    for road in (a, b):
        if road.quadrant != "NW":
            return road.quadrant
    return "NW"


def _signed(quadrant: str, street: float, avenue: float) -> tuple[float, float]:
    east = street if quadrant in ("NE", "SE") else -street
    north = -avenue if quadrant in ("SW", "SE") else avenue
    return east, north


def canonical_address_text(text: str) -> str:
    """Upper-case ASCII with single spaces and no stray punctuation: ``"Suite 200, 10010 107A Ave."``
    -> ``"SUITE 200 , 10010 107A AVE"``."""
    text = strip_accents(text or "").upper()
    text = text.replace("ST.", "ST ").replace("N.W.", "NW").replace("S.W.", "SW")
    text = text.replace("N.E.", "NE").replace("S.E.", "SE").replace("P.O.", "PO ")
    text = re.sub(r"[()\[\]]", " , ", text)
    text = re.sub(r"[.;:]", " ", text)
    text = re.sub(r"\s*,\s*", " , ", text)
    text = re.sub(r"[–—]", "-", text)
    return re.sub(r"\s+", " ", text).strip(" ,")


def _match_road(m: re.Match) -> GridRoad:
    return GridRoad(_ROAD_TYPE_NAMES[m.group("type")], int(m.group("num")), m.group("letter"),
                    m.group("quad") or "NW")


def _apply_aliases(text: str, notes: list[str]) -> str:
    def repl(m: re.Match) -> str:
        name = m.group("name") or m.group("name2") or m.group("name3")
        kind, number = GRID_ROAD_ALIASES[name]
        notes.append(N.ALIAS_READ_AS(alias=_ALIAS_LABEL[name], road=f"{number} {kind.title()}"))
        return f"{number} {kind}"

    return _ALIAS_RE.sub(repl, text)


# Where an alias holds, as a range of street numbers along the named avenue (None: open).
# Jasper Avenue follows 101 Avenue only from 96 Street west: further east it bends north-east
# (the stops "87 Street & Jasper Avenue" and "84 Street & Jasper Avenue" are 0.6-1.3 km north of
# 101 Avenue). Stony Plain Road: see GRID_ROAD_ALIASES.
_ALIAS_STREET_RANGE: dict[str, tuple[float, float | None]] = {
    "Jasper Avenue": (96.0, None),
    "Stony Plain Road": (149.0, 185.0),
}


def alias_label(note: str) -> str | None:
    """The alias a note written by ``N.ALIAS_READ_AS`` names ("Jasper Avenue"); None for any other note.

    Read through the note's declared template, not by cutting its English at " read as ": the
    wording may change, and another note may contain those words.

    >>> alias_label("Jasper Avenue read as 101 Avenue"), alias_label("PO box ignored; the street address was used")
    ('Jasper Avenue', None)
    """
    found = N.read_note(note)
    return found[1]["alias"] if found is not None and found[0] == N.ALIAS_READ_AS else None


def _check_alias_ranges(result: ParsedAddress) -> None:
    for note in result.notes:
        label = alias_label(note)
        span = _ALIAS_STREET_RANGE.get(label) if label else None
        if span is None:
            continue
        if result.kind == CIVIC and result.road and result.house_number is not None:
            street = result.house_number / 100.0
        elif result.kind == INTERSECTION and result.road and result.cross:
            street = (result.road if result.road.kind == "STREET" else result.cross).value
        else:
            continue
        low, high = span
        if street < low or (high is not None and street > high):
            result.off_grid = True
            start = f"{low:.0f} Street"
            result.problem = (N.ALIAS_ONLY_BETWEEN(alias=label, line="101 Avenue", start=start,
                                                   end=f"{high:.0f} Street")
                              if high else N.ALIAS_ONLY_WEST(alias=label, line="101 Avenue", start=start))


# Floors and "care of" lines say nothing about where the building is: "2nd Floor", "Floor 3",
# "Main Floor", "Lower Level", "c/o Mosaic Centre," (up to the next comma).
_FLOOR_RE = re.compile(
    r"\b(?:\d{1,2}(?:ST|ND|RD|TH)?\s+(?:FLOOR|FLR|FL)|(?:FLOOR|FLR)\s*#?\s*\d{1,2}"
    r"|(?:MAIN|GROUND|UPPER|LOWER|TOP|SECOND|THIRD|FOURTH|FIFTH)\s+(?:FLOOR|FLR|LEVEL)|LOWER LEVEL|BASEMENT)\b"
)
_CARE_OF_RE = re.compile(r"\bC\s*/\s*O\b[^,]*,|\bC\s*/\s*O\b|\bCARE OF\b[^,]*,")
_PIECE_SPLIT_RE = re.compile(r"\s*(?:&|@|/|\bAND\b|\bAT\b)\s*")


def _read_named(norm: str, result: ParsedAddress) -> None:
    """Named roads: "<number> <named road>" (every one, in order) or "<road> & <road>" where at
    least one of the two has a name ("Hewes Way & 28 Avenue", "Leger Way & Leger Road")."""
    for segment in (s.strip() for s in norm.split(",")):
        if not segment:
            continue
        pieces = [p for p in _PIECE_SPLIT_RE.split(segment) if p.strip()]
        if len(pieces) == 2:
            refs = [read_grid_piece(p) or read_named_piece(p) for p in pieces]
            named = [r for r in refs if isinstance(r, NamedRoadRef) and r.house is None]
            if None not in refs and named and all(getattr(r, "house", None) is None for r in refs):
                first = named[0]
                other = refs[1] if refs[0] is first else refs[0]
                if result.named_cross is None:
                    _place_on_named_road(result, first, cross=other)
                continue
        ref = read_named_piece(segment)
        if ref is not None and ref.house is not None:
            result.named_candidates.append(ref)
    if result.named_candidates:
        first = result.named_candidates[0]
        result.house_number = first.house
        if result.named_cross is None:
            _place_on_named_road(result, first)
    result.place_text = norm


def _place_on_named_road(result: ParsedAddress, road: NamedRoadRef, cross=None) -> None:
    """A named road wins over a grid road read earlier: the grid guess and its problem no longer apply."""
    result.kind = NAMED_ROAD
    result.named_road, result.named_quadrant = road.key, road.quadrant
    if cross is not None:
        result.named_cross = cross
    result.road = None
    result.problem = None


def _check_second_civic(norm: str, roads: list, result: ParsedAddress) -> None:
    """Two different street addresses in one cell: neither can be trusted to be the place."""
    seen = {(result.house_number, result.road)}
    last_end = roads[0].end()
    for m in roads[1:]:
        house = _HOUSE_BEFORE_RE.search(norm[last_end:m.start()])
        last_end = m.end()
        if house:
            other = (int(house.group("house")), _match_road(m))
            if other not in seen:
                result.ambiguous = True
                result.problem = N.TWO_ADDRESSES(first=f"{result.house_number} {result.road.label()}",
                                                 second=f"{other[0]} {other[1].label()}")
                return


_PARENS_RE = re.compile(r"\(([^()]*)\)")
_AT_IN_RE = re.compile(r"\s(?:at|in)\s+", re.IGNORECASE)


def name_pieces(name: str | None) -> list[str]:
    """The distinct pieces of a location's name that may each name a place, in order: its
    comma-separated parts, the parts in parentheses, and what follows " at " or " in " in any of
    them. A place must be one whole piece: "Office in downtown Edmonton" offers "downtown Edmonton",
    never "Edmonton".

    >>> name_pieces("Citizen Centre, City Hall")
    ['Citizen Centre', 'City Hall']
    >>> name_pieces("ESL Centre at Eastglen School (Edmonton Public Schools)")
    ['ESL Centre at Eastglen School', 'Eastglen School', 'Edmonton Public Schools']
    """
    text = name or ""
    inner = _PARENS_RE.findall(text)
    outside = _PARENS_RE.sub(",", text)
    pieces: list[str] = []
    for part in (p.strip(" -") for chunk in [outside, *inner] for p in chunk.split(",")):
        if not part:
            continue
        pieces.append(part)
        pieces.extend(part[m.end():].strip() for m in _AT_IN_RE.finditer(part))
    return list(dict.fromkeys(p for p in pieces if p))


def parse_address(text: str | None, postal_code: str | None = None, city: str | None = None) -> ParsedAddress:
    """Parse one address (plus the optional postal-code and city columns).

    Parameters
    ----------
    text : the street address as typed ("Suite 200, 10010 107A Ave NW").
    postal_code, city : separate columns when the source has them.

    Returns
    -------
    ParsedAddress whose ``kind`` says which form it is and whose ``problem`` says, in plain words,
    why it cannot be placed (``None`` when it can be tried).

    Example
    -------
    >>> p = parse_address("9200-163 Street")
    >>> (p.kind, p.house_number, p.road.label())
    ('civic', 9200, '163 Street NW')
    """
    raw = text or ""
    notes: list[str] = []
    norm = canonical_address_text(raw)
    city_norm = canonical_address_text(city or "")

    postal = postal_or_fsa(postal_code)
    m = POSTAL_CODE_RE.search(norm)
    if m:
        postal = postal if postal and len(postal) == 7 else f"{m.group(1).upper()} {m.group(2).upper()}"
        norm = (norm[:m.start()] + " " + norm[m.end():]).strip(" ,")
    elif not postal:
        fsa = FSA_RE.match(norm)
        if fsa:
            postal, norm = fsa.group(1).upper(), ""

    result = ParsedAddress(raw=raw, kind=UNPARSED, postal_code=postal, notes=notes)

    # Where is it? The city column wins over names inside the address text.
    muni = None
    for source in (city_norm, norm):
        if not source:
            continue
        mm = _MUNI_RE.search(source)
        if mm:
            muni = REGION_MUNICIPALITIES[mm.group(1)]
            break
        if source is city_norm:
            if _EDMONTON in source:
                break
            result.outside_region = True
            result.problem = N.CITY_OUTSIDE_REGION(city=city)
            break
        if _FAR_RE.search(source):
            result.outside_region = True
            result.problem = N.TEXT_OUTSIDE_REGION()
            break
    result.municipality = muni
    norm = re.sub(r"\b(EDMONTON|ALBERTA|AB|CANADA)\b", " ", norm)
    if muni:
        norm = _MUNI_RE.sub(" ", norm)
    norm = re.sub(r"\s+", " ", norm).strip(" ,")

    if _PO_BOX_RE.search(norm):
        result.po_box = True
        norm = _PO_BOX_RE.sub(" ", norm).strip(" ,")

    norm = _CARE_OF_RE.sub(" , ", norm)
    norm = _FLOOR_RE.sub(" , ", norm)
    norm = re.sub(r"\s+", " ", norm).strip(" ,")
    norm = _apply_aliases(norm, notes)
    roads = list(_ROAD_RE.finditer(norm))

    if roads:
        first = roads[0]
        before = norm[:first.start()]
        house = _HOUSE_BEFORE_RE.search(before)
        if house:
            result.kind = CIVIC
            result.house_number = int(house.group("house"))
            result.road = _match_road(first)
            lead = before[:house.start()]
            unit = _UNIT_RE.search(norm) or _UNIT_DASH_RE.search(lead)
            if unit:
                result.unit = unit.group("unit")
        elif len(roads) >= 2 and _CONNECTOR_RE.match(norm[first.end():roads[1].start()]):
            a, b = _match_road(first), _match_road(roads[1])
            if a.kind == b.kind:
                result.kind = INTERSECTION
                result.road, result.cross = a, b
                result.problem = N.PARALLEL_ROADS(road=a.label(), other=b.label())
            else:
                result.kind = INTERSECTION
                result.road, result.cross = a, b
        elif len(roads) == 1:
            result.road = _match_road(first)
            result.problem = N.NO_HOUSE_NUMBER(road=result.road.label())
    if result.kind == UNPARSED:
        _read_named(norm, result)
    elif result.kind == CIVIC:
        _check_second_civic(norm, roads, result)
    result.place_text = norm

    _check_alias_ranges(result)
    if result.po_box and result.kind in (UNPARSED, NAMED_ROAD) and result.house_number is None:
        result.kind = PO_BOX
        result.problem = N.PO_BOX_MAILING()
    elif result.po_box:
        notes.append(N.PO_BOX_IGNORED())
    if result.kind == UNPARSED:
        if postal and not re.sub(r"[\s,#-]", "", norm):
            result.kind = POSTAL_ONLY
        elif result.problem is None:
            result.problem = N.NO_STREET_ADDRESS() if not norm else N.UNREADABLE()
    if result.municipality and result.kind != POSTAL_ONLY and (result.problem is None or result.kind == UNPARSED):
        result.problem = N.OUTSIDE_EDMONTON(municipality=result.municipality)
    return result
