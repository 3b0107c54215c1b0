"""Turning what people type into spreadsheets into clean directory values.

Every function is pure: it takes the cell text and returns the cleaned value plus, where the text had
to be changed or could not be used, a plain-words message for the import report. Nothing here touches
the database, so each rule has its own unit test.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers

from ..directory.models import Location, Organization
from ..directory.values import ValueRefused, check_position, check_website, fit_key, has_markup
from ..rules.cells import neutralise_cell, unneutralise_cell  # noqa: F401  (re-exported for readers)
from ..rules.phones import display_phone
from ..rules.postal import canonical_postal_code, find_postal_code
from ..rules.text import fold

# --- keys (identity for re-import and duplicate detection) ------------------------------------

_STREET_WORDS = {
    "street": "st", "str": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr", "boulevard": "blvd",
    "trail": "tr", "crescent": "cres", "place": "pl", "court": "crt", "square": "sq", "northwest": "nw",
    "northeast": "ne", "southwest": "sw", "southeast": "se", "suite": "ste", "unit": "ste", "number": "no",
}


_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th)$")


def plain_key(text: str | None) -> str:
    """The shared text key with '&' read as 'and', every script kept: 'Accès Emploi!' -> 'acces emploi',
    'جمعية الجالية العربية' -> 'جمعيه الجاليه العربيه' (an Arabic-only name is a name, not a blank)."""
    return fold((text or "").replace("&", " and "))


def name_key(name: str | None) -> str:
    """Organization identity: name_key('The Bissell Centre.') -> 'bissell centre'."""
    key = plain_key(name)
    return fit_key(re.sub(r"^the\s+", "", key), Organization, "name_key")


def address_key(address: str | None) -> str:
    """Street-address identity, with street words shortened: '10527 96 Street NW' -> '10527 96 st nw'."""
    words = [_STREET_WORDS.get(w, w) for w in plain_key(address).split()]
    # "118th avenue" and "118 avenue" are the same street.
    words = [_ORDINAL.sub(r"\1", w) if w[:1].isdigit() else w for w in words]
    return " ".join(words)


def location_key(address_1: str | None, address_2: str | None, name: str | None, postal_code: str | None) -> str:
    """Location identity within its organization: the street address, else the name, else the postal code."""
    street = address_key(" ".join(p for p in (address_1, address_2) if p))
    if street:
        return fit_key(street, Location, "location_key")
    if plain_key(name):
        return fit_key("name:" + plain_key(name), Location, "location_key")
    if postal_code:
        return "postal:" + postal_code.replace(" ", "").lower()
    return ""


# --- text cells ------------------------------------------------------------------------------

def clean_text(value: object) -> str:
    """Cell value as tidy text: None -> '', inner runs of spaces kept, ends stripped, NBSP made plain."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\u00a0", " ").replace("\r\n", "\n").replace("\r", "\n")
    return unneutralise_cell(text.strip()).strip()


# --- postal codes ----------------------------------------------------------------------------



def read_postal_code(text: str) -> tuple[str | None, str | None]:
    """('T5J 2R7', None) for 't5j2r7'; (None, reason) when it is not a Canadian postal code."""
    raw = clean_text(text)
    if not raw:
        return None, None
    code = canonical_postal_code(raw)
    if code:
        return code, None
    return None, f"postal code '{raw}' is not a Canadian postal code (like T5J 2R7); left out"


def split_postal_code(address: str) -> tuple[str, str | None]:
    """Take a postal code off the end of an address: '3410 - 118 Avenue  T5W 0Z4' -> ('3410 - 118 Avenue', 'T5W 0Z4')."""
    m = find_postal_code(address)
    if m is None or address[m.end():].strip(" ,.;") not in ("", "Canada", "CA"):
        return address, None
    rest = address[: m.start()].rstrip(" ,;")
    rest = re.sub(r",?\s*(Edmonton|AB|Alberta)(\s*,?\s*(AB|Alberta))?$", "", rest, flags=re.I).rstrip(" ,;")
    return rest, f"{m.group(1).upper()} {m.group(2).upper()}"


_PO_BOX_RE = re.compile(r"\b(p\.?\s*o\.?\s*box|post\s+office\s+box|box\s+\d+|c\.?p\.?\s+\d+|case\s+postale)\b", re.I)


def is_po_box(address: str | None) -> bool:
    """True for mailing-only addresses ('PO Box 1234'): they cannot be placed on a map."""
    return bool(address and _PO_BOX_RE.search(address))


# --- phones ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PhoneValue:
    number: str  # E.164
    extension: str | None = None


def _as_typed_is_fine(raw: str, value: PhoneValue) -> bool:
    """Forms we do not call a correction: E.164, '(780) 424-7709', '780-424-7709'."""
    base = display_phone(value.number)
    digits = value.number[2:] if value.number.startswith("+1") else None
    fine = {value.number, base}
    if digits:
        fine.add(f"({digits[:3]}) {digits[3:6]}-{digits[6:]}")
    raw_main = re.split(r"\s*(?:ext\.?|x|extension)\s*\d+$", raw, flags=re.I)[0].strip()
    return raw_main in fine


# One North American number alone in the cell, the usual case: handled without phonenumbers' matcher,
# which costs about a millisecond a cell (10 s on a 10,000-row file).
_ONE_NANP = re.compile(r"^(\+?1[\s.\-]?)?(\(?)([2-9]\d{2})(\)?)[\s.\-]?([2-9]\d{2})[\s.\-]?(\d{4})$")


def _one_nanp_number(raw: str) -> tuple[PhoneValue, bool] | None:
    """(phone, typed in an accepted form) for a cell holding one valid NANP number, else None."""
    m = _ONE_NANP.match(raw)
    if not m or bool(m.group(2)) != bool(m.group(4)):
        return None
    npa, nxx, line = m.group(3), m.group(5), m.group(6)
    number = phonenumbers.PhoneNumber(country_code=1, national_number=int(npa + nxx + line))
    if not (phonenumbers.is_valid_number_for_region(number, "CA") or phonenumbers.is_valid_number(number)):
        return None  # the general path reports it
    value = PhoneValue("+1" + npa + nxx + line)
    return value, raw in (value.number, f"({npa}) {nxx}-{line}", f"{npa}-{nxx}-{line}")


def read_phones(text: str) -> tuple[list[PhoneValue], list[str], list[str]]:
    """Every phone number in a cell, in E.164.

    Returns (phones, corrections, problems): '780.424.7709 / 780-496-7000 ext 5' gives two phones and
    one correction ("phone '780.424.7709' -> '+17804247709'"); text with digits that are not a valid
    number gives a problem and no phone.
    """
    raw = clean_text(text)
    phones: list[PhoneValue] = []
    corrections: list[str] = []
    problems: list[str] = []
    if not raw:
        return phones, corrections, problems
    if has_markup(raw):  # a number could be picked out of it, but whatever else it holds is not a phone
        problems.append(f"phone '{raw[:40]}' is not a phone number (it holds markup); left out")
        return phones, corrections, problems
    quick = _one_nanp_number(raw)
    if quick is not None:
        value, as_typed = quick
        return [value], ([] if as_typed else [f"phone '{raw}' -> '{value.number}'"]), []
    covered: list[tuple[int, int]] = []
    for match in phonenumbers.PhoneNumberMatcher(raw, "CA", leniency=phonenumbers.Leniency.POSSIBLE):
        num = match.number
        covered.append((match.start, match.end))
        if not phonenumbers.is_valid_number(num):
            problems.append(f"phone '{match.raw_string}' is not a valid number; left out")
            continue
        value = PhoneValue(phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164),
                           num.extension or None)
        if value in phones:
            continue
        phones.append(value)
        if not _as_typed_is_fine(match.raw_string.strip(), value):
            shown = value.number + (f" ext. {value.extension}" if value.extension else "")
            corrections.append(f"phone '{match.raw_string.strip()}' -> '{shown}'")
    leftover = raw
    for start, end in reversed(covered):
        leftover = leftover[:start] + " " + leftover[end:]
    stray = re.findall(r"[\d][\d\s().\-]{3,}\d", leftover)
    for chunk in stray:
        problems.append(f"phone '{chunk.strip()}' is not a valid number; left out")
    if not phones and not problems:
        problems.append(f"phone '{raw}' has no phone number in it; left out")
    return phones, corrections, problems


# --- websites and e-mail -----------------------------------------------------------------------

def read_website(text: str) -> tuple[str | None, str | None, str | None]:
    """(url, correction, problem): 'www.epl.ca' -> 'https://www.epl.ca'; 'javascript:...' is refused."""
    raw = clean_text(text)
    if not raw:
        return None, None, None
    m = re.match(r"^([a-z][a-z0-9+.\-]*):", raw, re.I)
    if m and not re.match(r"^https?://", raw, re.I):
        if m.group(1).lower() in ("http", "https"):
            return None, None, f"website '{raw}' is not a complete web address; left out"
        if not re.match(r"^[a-z0-9.\-]+:\d+", raw, re.I):  # "example.org:8080" has a port, not a scheme
            return None, None, f"website '{raw}' is not a web (http/https) address; left out"
    url = raw if m and re.match(r"^https?://", raw, re.I) else "https://" + raw
    host = re.match(r"^https?://([^/?#\s]+)", url, re.I)
    if not host or "." not in host.group(1) or re.search(r"\s", url):
        return None, None, f"website '{raw}' is not a web address; left out"
    try:
        url = check_website(url)
    except ValueRefused as exc:
        return None, None, f"{exc.problem}; left out"
    correction = None if url == raw else f"website '{raw}' -> '{url}'"
    return url, correction, None


_EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def read_email(text: str) -> tuple[str | None, str | None, str | None]:
    """(email, correction, problem) for a listing's cell, case kept as shown to the public:
    'mailto:Info@X.ca ' -> 'Info@X.ca'; 'info at x' is a problem."""
    raw = clean_text(text)
    if not raw:
        return None, None, None
    value = re.sub(r"^mailto:", "", raw, flags=re.I).strip()
    if not _EMAIL_RE.match(value):
        return None, None, f"e-mail '{raw}' is not an e-mail address; left out"
    return value, (None if value == raw else f"e-mail '{raw}' -> '{value}'"), None


# --- dates -----------------------------------------------------------------------------------

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y",
                 "%B %d %Y", "%b %d %Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


def parse_date(value: object) -> tuple[dt.date | None, str | None]:
    """(date, problem): '2025-03-01', 'March 1, 2025' and spreadsheet dates; '03/04/2025' is ambiguous."""
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    raw = clean_text(value)
    if not raw:
        return None, None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date(), None
        except ValueError:
            continue
    return None, f"date '{raw}' is not a date this importer can read (write it as YYYY-MM-DD); left out"


# --- coordinates -----------------------------------------------------------------------------

def parse_coordinate(value: object, kind: str) -> tuple[float | None, str | None]:
    """(degrees, problem) for a latitude ('lat') or longitude ('lon') cell."""
    if isinstance(value, (bool, list, dict, tuple)):
        return None, f"{'latitude' if kind == 'lat' else 'longitude'} '{str(value)[:40]}' is not a number; left out"
    raw = clean_text(value)
    if not raw:
        return None, None
    try:
        number = float(raw)
    except (ValueError, OverflowError):
        return None, f"{'latitude' if kind == 'lat' else 'longitude'} '{raw}' is not a number; left out"
    limit = 90 if kind == "lat" else 180
    if not -limit <= number <= limit:
        return None, f"{'latitude' if kind == 'lat' else 'longitude'} '{raw}' is out of range; left out"
    return number, None


def parse_position(lat_value: object, lon_value: object) -> tuple[float | None, float | None, list[str]]:
    """(lat, lon, problems) for a pair of cells: both inside the region, or both left out with the reason.

    parse_position('53.54', '-113.49') -> (53.54, -113.49, []); latitude 95, NaN, infinity or a point
    far from Edmonton gives (None, None, [reason]), so the address is geocoded instead.
    """
    lat, p1 = parse_coordinate(lat_value, "lat")
    lon, p2 = parse_coordinate(lon_value, "lon")
    problems = [p for p in (p1, p2) if p]
    if problems:
        return None, None, problems
    if lat is None and lon is None:
        return None, None, []
    if lat is None or lon is None:
        return None, None, ["only one of latitude and longitude is filled in; the location will be geocoded"]
    try:
        check_position(lat, lon)
    except ValueRefused as exc:
        return None, None, [f"{exc.problem}; left out, the location will be geocoded"]
    return lat, lon, []


def parse_float(value: object) -> float | None:
    raw = clean_text(value)
    try:
        return float(raw) if raw else None
    except ValueError:
        return None


def parse_bool(value: object) -> bool | None:
    raw = clean_text(value).lower()
    if raw in ("1", "true", "yes", "y", "oui"):
        return True
    if raw in ("0", "false", "no", "n", "non"):
        return False
    return None


# --- opening hours -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Opening:
    weekday: int  # ISO: 1 = Monday
    opens_at: dt.time
    closes_at: dt.time


_DAYS = {
    "mon": 1, "monday": 1, "mondays": 1, "lun": 1, "lundi": 1,
    "tue": 2, "tues": 2, "tuesday": 2, "tuesdays": 2, "mar": 2, "mardi": 2,
    "wed": 3, "weds": 3, "wednesday": 3, "wednesdays": 3, "mer": 3, "mercredi": 3,
    "thu": 4, "thur": 4, "thurs": 4, "thursday": 4, "thursdays": 4, "jeu": 4, "jeudi": 4,
    "fri": 5, "friday": 5, "fridays": 5, "ven": 5, "vendredi": 5,
    "sat": 6, "saturday": 6, "saturdays": 6, "sam": 6, "samedi": 6,
    "sun": 7, "sunday": 7, "sundays": 7, "dim": 7, "dimanche": 7,
}
_DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_WORD = r"[a-z]+\.?"
_TIME = r"(\d{1,2})(?:[:h.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?|noon|midnight"
_TIME_RE = re.compile(rf"^(?:{_TIME})$", re.I)
_RANGE_RE = re.compile(rf"^\s*({_TIME})\s*(?:-|–|—|to|à)\s*({_TIME})\s*$", re.I)


def _parse_time(text: str) -> dt.time | None:
    text = text.strip().lower()
    if text == "noon":
        return dt.time(12)
    if text == "midnight":
        return dt.time(0)
    m = _TIME_RE.match(text)
    if not m:
        return None
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), (m.group(3) or "").replace(".", "")
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    if hour == 24 and minute == 0:
        return dt.time(23, 59)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def _parse_days(text: str) -> list[int] | None:
    text = text.strip().lower().rstrip(":")
    if text in ("daily", "every day", "7 days", "7 days a week", "tous les jours"):
        return list(range(1, 8))
    if text in ("weekdays", "weekday", "monday to friday", "semaine"):
        return list(range(1, 6))
    if text in ("weekends", "weekend", "fin de semaine"):
        return [6, 7]
    days: list[int] = []
    for part in re.split(r"\s*(?:,|&|\band\b|\bet\b|/)\s*", text):
        if not part:
            continue
        bounds = re.split(r"\s*(?:-|–|—|\bto\b|\bau\b|\bthrough\b|\bthru\b)\s*", part)
        names = [b.strip(" .") for b in bounds]
        if not all(n in _DAYS for n in names) or len(names) > 2:
            return None
        if len(names) == 1:
            days.append(_DAYS[names[0]])
        else:
            start, end = _DAYS[names[0]], _DAYS[names[1]]
            span = range(start, end + 1) if start <= end else [*range(start, 8), *range(1, end + 1)]
            days.extend(span)
    return sorted(set(days)) or None


def parse_hours(text: str) -> tuple[list[Opening] | None, str]:
    """Cached front of :func:`_parse_hours` (same text, same answer; returns a fresh list)."""
    openings, raw = _parse_hours_cached(clean_text(text))
    return (list(openings) if openings is not None else None), raw


@lru_cache(maxsize=4096)
def _parse_hours_cached(text: str) -> tuple[tuple[Opening, ...] | None, str]:
    openings, raw = _parse_hours(text)
    return (tuple(openings) if openings is not None else None), raw


def _parse_hours(text: str) -> tuple[list[Opening] | None, str]:
    """Structured openings from text like 'Mon-Fri 9:00-19:00; Sat 9:00-17:00; Sun closed'.

    Returns (openings, text): openings is None when any part could not be read, and then the whole
    text is kept as a free-text note instead (nothing is half-parsed). 'Sun closed' gives no opening.
    """
    raw = clean_text(text)
    if not raw:
        return [], ""
    openings: list[Opening] = []
    for segment in re.split(r"\s*[;\n]\s*", raw):
        if not segment:
            continue
        closed = re.match(r"^(.*?)\s*:?\s*(closed|fermé|ferme)\.?$", segment, re.I)
        if closed:
            if _parse_days(closed.group(1)) is None:
                return None, raw
            continue
        m = re.match(rf"^((?:{_DAY_WORD})(?:\s*(?:,|&|-|–|—|/|\band\b|\bto\b|\bet\b|\bau\b|\bthrough\b|\s)\s*(?:{_DAY_WORD}))*)\s*:?\s*(.*)$",
                     segment, re.I)
        if not m:
            return None, raw
        day_text, times_text = m.group(1), m.group(2).strip()
        days = _parse_days(day_text)
        if days is None:
            # "Mon-Fri 9-5" where the regex swallowed too little/much: try splitting at the first digit.
            d = re.match(r"^([^\d]+?)\s*:?\s*(\d.*)$", segment)
            days = _parse_days(d.group(1)) if d else None
            if days is None:
                return None, raw
            times_text = d.group(2)
        ranges = re.split(r"\s*(?:,|&|\band\b)\s*", times_text)
        parsed = []
        for rng in ranges:
            rm = _RANGE_RE.match(rng)
            if not rm:
                return None, raw
            opens, closes = _parse_time(rm.group(1)), _parse_time(rm.group(5))
            if opens is None or closes is None:
                return None, raw
            if closes <= opens and rm.group(4) is None and rm.group(8) is None and closes.hour < 12:
                closes = dt.time(closes.hour + 12, closes.minute)  # "9-5" means nine to five
            if closes <= opens:
                return None, raw
            parsed.append((opens, closes))
        for day in days:
            openings.extend(Opening(day, o, c) for o, c in parsed)
    openings.sort(key=lambda o: (o.weekday, o.opens_at))
    return openings, raw


def format_hours(openings: list[Opening]) -> str:
    """Text that :func:`parse_hours` reads back: consecutive days with equal hours grouped ('Mon-Fri 09:00-17:00')."""
    by_day: dict[int, tuple[tuple[dt.time, dt.time], ...]] = {}
    for o in sorted(openings, key=lambda o: (o.weekday, o.opens_at)):
        by_day[o.weekday] = by_day.get(o.weekday, ()) + ((o.opens_at, o.closes_at),)
    parts: list[str] = []
    days = sorted(by_day)
    i = 0
    while i < len(days):
        j = i
        while j + 1 < len(days) and days[j + 1] == days[j] + 1 and by_day[days[j + 1]] == by_day[days[i]]:
            j += 1
        label = _DAY_ABBR[days[i] - 1] if i == j else f"{_DAY_ABBR[days[i] - 1]}-{_DAY_ABBR[days[j] - 1]}"
        times = ", ".join(f"{o:%H:%M}-{c:%H:%M}" for o, c in by_day[days[i]])
        parts.append(f"{label} {times}")
        i = j + 1
    return "; ".join(parts)


@dataclass
class Corrections:
    """Messages about one row, gathered while its cells are cleaned."""

    corrections: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def take(self, result: tuple[object, str | None, str | None]):
        """Keep a cleaner's (value, correction, problem) messages and return its value."""
        value, correction, problem = result
        if correction:
            self.corrections.append(correction)
        if problem:
            self.problems.append(problem)
        return value
