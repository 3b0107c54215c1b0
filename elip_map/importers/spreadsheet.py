"""Reading partner spreadsheets (CSV or XLSX) into import records, and the import entry point.

Real spreadsheets are messy: a BOM, semicolons, Windows-1252 text, odd header names, blank rows,
merged cells, one organization spread over many rows. Reading is separate from writing so that a
file-level problem refuses the import before the database is touched.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..directory.languages import resolve_language, split_languages
from ..directory.models import Address, Location, Organization, Service
from ..directory.values import ValueRefused, check_column_text
from ..directory.taxonomy import resolve_service_type
from ..i18n import N_
from ..rules.eligibility import GENDERS, STATUS_SLUGS, join_statuses, parse_eligibility, parse_fee
from . import normalize as nz
from .limits import Counter, ImportLimits, check_size, refuse  # noqa: F401 - check_size: callers import it from here
from .records import LocationRecord, OrganizationRecord, Plan, ServiceRecord
from .report import MERGED, REJECTED, SKIPPED, ImportRefused, ImportReport, RowReport

# --- header mapping ----------------------------------------------------------------------------

# Field -> header names seen in real spreadsheets (and our own export's names).
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "organization": ("organization", "organisation", "organization name", "organisation name", "agency name",
                     "agency", "name", "org", "org name", "provider", "organization/agency", "organisme"),
    "location_name": ("location_name", "location name", "location", "branch", "branch name", "site", "site name",
                      "office", "facility"),
    "service_name": ("service_name", "service name", "service", "program", "programme", "program name"),
    "address": ("address", "street address", "address 1", "address line 1", "street", "street_address",
                "address_1", "civic address", "adresse"),
    "address_2": ("address 2", "address_2", "address line 2", "unit", "suite", "unit/suite"),
    "city": ("city", "municipality", "town", "ville"),
    "province": ("province", "prov", "state", "state_province", "province/territory"),
    "postal_code": ("postal code", "postal_code", "postcode", "postal", "zip", "zip code", "code postal"),
    "phone": ("phone", "phone #", "phone number", "phone numbers", "phones", "telephone", "tel", "tel.",
              "contact number", "téléphone"),
    "languages": ("languages", "languages spoken", "language", "language(s)", "langues"),
    "service_types": ("service_types", "service types", "services offered", "service type", "services", "category",
                      "categories", "type", "types"),
    "organization_website": ("organization_website", "organization website", "organisation website"),
    "organization_email": ("organization_email", "organization email", "organisation email"),
    "website": ("website", "url", "web", "web site", "homepage", "site web"),
    "email": ("email", "e-mail", "email address", "e-mail address", "courriel"),
    "hours": ("hours", "opening hours", "hours of operation", "schedule", "heures"),
    "eligibility": ("eligibility", "who can use", "who can use it", "who is eligible", "eligible", "eligibility criteria",
                    "client eligibility", "eligible clients", "admissibilité"),
    # Our export's structured columns (and sheets that already keep statuses apart from the note).
    "eligible_statuses": ("eligible_statuses", "eligible statuses", "immigration status", "immigration statuses",
                          "status served", "statuses served"),
    "minimum_age": ("minimum_age", "minimum age", "min age", "age from"),
    "maximum_age": ("maximum_age", "maximum age", "max age", "age to"),
    "gender": ("gender", "gender served", "genre"),
    "fee": ("fee_level", "fee level", "fee"),
    "fees": ("fees", "cost", "costs", "price", "fees description", "frais", "coût"),
    "contact_email": ("contact_email", "contact email", "contact e-mail", "contact person email",
                      "verification email", "courriel de contact"),
    "contact_language": ("contact_language", "contact language", "preferred language", "contact preferred language",
                         "langue de contact"),
    "contact_phone": ("contact_phone", "contact phone", "contact phone number", "contact person phone"),
    "accessibility": ("accessibility", "accessibility notes", "accessible"),
    "notes": ("notes", "note", "comments", "remarks"),
    "description": ("description", "service description"),
    "source_url": ("source_url", "source", "source url", "sources"),
    "last_verified": ("last_verified", "last verified", "verified", "date verified", "verified on"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "long", "longitude"),
    # Our export's provenance columns, so an export re-imports losslessly.
    "geocode_status": ("geocode_status",),
    "geocode_method": ("geocode_method",),
    "geocode_precision_m": ("geocode_precision_m", "precision", "precision_m"),
    "geocode_confidence": ("geocode_confidence",),
    "geocode_source": ("geocode_source",),
    "geocode_note": ("geocode_note",),
    "geocoded_at": ("geocoded_at",),
    "geocoded_address": ("geocoded_address",),
    "neighbourhood_number": ("neighbourhood_number",),
    "neighbourhood": ("neighbourhood", "neighborhood", "neighbourhood_name"),
    "ward": ("ward",),
    "outside_city": ("outside_city",),
    "closed": ("closed",),
    "location_description": ("location_description",),
    "transportation": ("transportation", "transit"),
}


def _header_key(text: str) -> str:
    return nz.plain_key(text).replace(" ", "")


_HEADER_LOOKUP = {_header_key(name): fld for fld, names in HEADER_NAMES.items() for name in names}


@dataclass
class HeaderMap:
    columns: dict[str, int]  # field -> column index
    notes: list[str] = field(default_factory=list)


def map_headers(headers: list[str]) -> HeaderMap:
    """Which column holds which field: map_headers(['Agency Name', 'Phone #']).columns -> {'organization': 0, 'phone': 1}.

    Refuses (ImportRefused) a header without an organization name column, or without any of address,
    location name or postal code, naming what is missing and what was found.
    """
    columns: dict[str, int] = {}
    notes: list[str] = []
    for index, header in enumerate(headers):
        text = nz.clean_text(header)
        if not text:
            continue
        fld = _HEADER_LOOKUP.get(_header_key(text))
        if fld is None:
            notes.append(f"column '{text}' is not one this importer knows; ignored")
        elif fld in columns:
            notes.append(f"column '{text}' repeats '{headers[columns[fld]]}'; ignored")
        else:
            columns[fld] = index
    missing = []
    if "organization" not in columns:
        missing.append("organization name (e.g. 'Organization', 'Agency Name')")
    if not {"address", "location_name", "postal_code"} & set(columns):
        missing.append("address, location name or postal code (e.g. 'Street Address', 'Branch', 'Postal Code')")
    if missing:
        found = ", ".join(f"'{nz.clean_text(h)}'" for h in headers if nz.clean_text(h)) or "none"
        raise ImportRefused(f"the file has no column for {' and no column for '.join(missing)}. "
                            f"Headers found: {found}.")
    return HeaderMap(columns, notes)


# --- reading files -----------------------------------------------------------------------------

@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[object]]]  # (row number as the person sees it, cells)
    notes: list[str] = field(default_factory=list)
    blank_rows: list[int] = field(default_factory=list)
    carried: dict[int, list[str]] = field(default_factory=dict)  # row -> fields filled from a merged cell


NOT_TEXT = N_("The file is neither UTF-8 nor Windows-1252 text. Save it as CSV UTF-8 or as XLSX.")
BAD_UTF8 = N_("The file starts with the UTF-8 mark but is not UTF-8 text (line {line} has bytes that are not). "
              "Save it again as CSV UTF-8.")
BINARY = N_("The file contains binary data (line {line}); it is not a CSV text file. Save it as CSV UTF-8 or as XLSX.")
CSV_UNREADABLE = N_("The CSV file cannot be read near line {line}: {cause}. Check for a quotation mark that is never "
                    "closed, then save it again as CSV UTF-8.")
WRONG_KIND = N_("The file is named {suffix} but is not an Excel workbook. Save it as .xlsx or as CSV UTF-8.")
OLD_EXCEL = N_("Old Excel .xls files are not read. Save it as .xlsx or as CSV UTF-8.")
NOT_IMPORTED = N_("'{suffix}' files are not imported. Use CSV or XLSX (or HSDS .json).")
EMPTY = N_("The file is empty: no header row and no data.")

_CHUNK = 1 << 20


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _encoding(data: bytes) -> tuple[str, str | None]:
    """The file's encoding (checked chunk by chunk, never copied whole) and a note when it is not UTF-8."""
    bom = data.startswith(b"\xef\xbb\xbf")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(3 if bom else 0, len(data), _CHUNK):
            decoder.decode(data[start:start + _CHUNK], final=start + _CHUNK >= len(data))
        decoder.decode(b"", final=True)
        return ("utf-8-sig" if bom else "utf-8"), None
    except UnicodeDecodeError as exc:
        if bom:
            raise refuse(BAD_UTF8, line=_line_at(data, start + exc.start)) from None
    decoder = codecs.getincrementaldecoder("cp1252")()
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(data[start:start + _CHUNK])
    except UnicodeDecodeError:
        raise refuse(NOT_TEXT) from None
    return "cp1252", "the file is not UTF-8; it was read as Windows-1252 (check accented letters)"


def read_csv_bytes(data: bytes, limits: ImportLimits = ImportLimits()) -> Table:
    """Rows of a CSV file, comma or semicolon separated, UTF-8 (with or without BOM) or Windows-1252.

    Read row by row from the bytes and counted as it goes: the first limit passed (rows, columns,
    characters in a cell, cells) refuses the file, so memory grows with the rows kept, never more.
    """
    encoding, note = _encoding(data)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise refuse(BINARY, line=_line_at(data, nul))
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    first_line = stream.readline(4096).split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line or ",", delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    stream.seek(0)
    reader = csv.reader(stream, delimiter=delimiter)
    counter = Counter(limits)

    def numbered():
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    counter.too_long(number + 1, None)
                raise refuse(CSV_UNREADABLE, line=reader.line_num, cause=str(exc)[:100]) from None
            number += 1
            counter.row(number)
            counter.width(number, len(cells))
            if cells and max(map(len, cells)) > limits.cell_chars:
                counter.too_long(number, next(i for i, c in enumerate(cells, 1) if len(c) > limits.cell_chars))
            yield number, cells

    table = _table_from_rows(numbered())
    if note:
        table.notes.append(note)
    if delimiter == ";":
        table.notes.append("columns were separated by semicolons")
    return table


def _table_from_rows(rows: Iterable[tuple[int, list[object]]]) -> Table:
    """Header (the first row with text) and data rows; rows missing from a sparse sheet count as blank."""
    table: Table | None = None
    previous = 0
    for number, cells in rows:
        if table is None:
            previous = number
            if any(nz.clean_text(c) for c in cells):
                table = Table(headers=[nz.clean_text(c) for c in cells], rows=[])
            continue
        table.blank_rows.extend(range(previous + 1, number))
        previous = number
        if not any(nz.clean_text(c) for c in cells):
            table.blank_rows.append(number)
            continue
        table.rows.append((number, list(cells) + [None] * (len(table.headers) - len(cells))))
    if table is None:
        raise refuse(EMPTY)
    return table


def read_xlsx_bytes(data: bytes, limits: ImportLimits = ImportLimits()) -> Table:
    """Rows of the first sheet of an XLSX workbook (values only); merged cells are carried down."""
    from .xlsx import read_first_sheet  # delayed: it loads openpyxl (about 0.2 s), and only XLSX uploads need it

    sheet = read_first_sheet(data, limits)
    by_number = {number: cells for number, cells in sheet.rows}
    numbers = [number for number, _ in sheet.rows]
    widest = max((len(cells) for cells in by_number.values()), default=0)
    carried: dict[int, list[int]] = {}
    for min_col, min_row, max_col, max_row in sheet.merged:
        first = by_number.get(min_row)
        if first is None:
            continue
        max_col = min(max_col, widest)  # a range may claim every column; only columns some row has matter
        value = first[min_col - 1] if min_col - 1 < len(first) else None
        for r in numbers[bisect.bisect_left(numbers, min_row):bisect.bisect_right(numbers, max_row)]:
            row = by_number[r]
            row.extend([None] * (max_col - len(row)))
            for c in range(min_col, max_col + 1):
                if (r, c) != (min_row, min_col):
                    row[c - 1] = value
                    carried.setdefault(r, []).append(c)
    table = _table_from_rows(sheet.rows)
    if len(sheet.sheet_names) > 1:
        table.notes.append(f"only the first sheet ('{sheet.sheet_names[0]}') was read; "
                           f"{len(sheet.sheet_names) - 1} other sheet(s) ignored")
    for r, cols in carried.items():
        names = [table.headers[c - 1] for c in sorted(set(cols)) if c - 1 < len(table.headers) and table.headers[c - 1]]
        if names and r > 1:
            table.carried[r] = names
    return table


def read_table(data: bytes, name: str, limits: ImportLimits = ImportLimits()) -> Table:
    """Parse CSV or XLSX bytes by content (an XLSX is a zip archive) and file name."""
    suffix = Path(name).suffix.lower()
    if data.startswith(b"PK\x03\x04"):
        return read_xlsx_bytes(data, limits)
    if suffix in (".xlsx", ".xlsm"):
        raise refuse(WRONG_KIND, suffix=suffix)
    if suffix == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise refuse(OLD_EXCEL)
    if suffix not in ("", ".csv", ".txt", ".tsv"):
        raise refuse(NOT_IMPORTED, suffix=suffix[:20])
    return read_csv_bytes(data, limits)


# --- rows -> records -----------------------------------------------------------------------------

@lru_cache(maxsize=8192)
def service_type_slug(word: str) -> str | None:
    return resolve_service_type(word)


@lru_cache(maxsize=4096)
def _website(text: str):
    return nz.read_website(text)


@lru_cache(maxsize=4096)
def _language_words(cell: str) -> tuple[str, ...]:
    return tuple(split_languages(cell))


def _resolve_words(words, resolve, msgs: nz.Corrections, unknown: str) -> list[str]:
    """Sorted distinct codes for the words a cell lists; each word that resolves to nothing is reported."""
    codes: set[str] = set()
    for word in words:
        code = resolve(word)
        if code is None:
            msgs.problems.append(unknown.format(word))
        else:
            codes.add(code)
    return sorted(codes)


def _cell(cells: list[object], columns: dict[str, int], fld: str) -> object:
    index = columns.get(fld)
    return cells[index] if index is not None and index < len(cells) else None


def _text(cells, columns, fld) -> str:
    return nz.clean_text(_cell(cells, columns, fld))


def _split_list(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;,|\n]+", text) if p.strip()]


# Where each text column of a sheet is stored: its cells are checked against that column's length
# (read off the table), so a value that would not fit rejects its row before anything is written.
STORED_IN = {
    "organization": (Organization, "name"), "location_name": (Location, "name"), "service_name": (Service, "name"),
    "address": (Address, "address_1"), "address_2": (Address, "address_2"), "city": (Address, "city"),
    "province": (Address, "state_province"), "website": (Service, "website"), "email": (Service, "email"),
    "organization_website": (Organization, "website"), "organization_email": (Organization, "email"),
    "contact_email": (Organization, "contact_email"), "geocode_method": (Location, "geocode_method"),
    "geocode_source": (Location, "geocode_source"), "geocoded_address": (Location, "geocoded_address"),
    "neighbourhood_number": (Location, "neighbourhood_number"), "neighbourhood": (Location, "neighbourhood_name"),
    "ward": (Location, "ward"),
}


def _too_long(cells, columns: dict[str, int], headers: dict[str, str]) -> list[str]:
    """A message for each cell longer than the column it is stored in, naming the sheet's own header."""
    problems = []
    for fld, (model, column) in STORED_IN.items():
        if fld not in columns:
            continue
        try:
            check_column_text(_text(cells, columns, fld), model, column, label=f"column '{headers.get(fld, fld)}'")
        except ValueRefused as exc:
            problems.append(str(exc.problem))
    return problems


def _row_to_records(row_no: int, cells: list[object], columns: dict[str, int], rep: RowReport,
                    headers: dict[str, str] | None = None):
    """One spreadsheet row -> (org record, location record, service record), or None when rejected."""
    msgs = nz.Corrections()
    org_name = _text(cells, columns, "organization")
    location_name = _text(cells, columns, "location_name")
    rep.organization, rep.location = org_name, location_name
    if not nz.name_key(org_name):
        rep.status = REJECTED
        rep.messages.append("no organization name")
        return None
    too_long = _too_long(cells, columns, headers or {})
    if too_long:
        rep.status = REJECTED
        rep.messages.extend(too_long)
        return None

    address = _text(cells, columns, "address")
    address_2 = _text(cells, columns, "address_2")
    postal_cell = _text(cells, columns, "postal_code")
    postal, problem = nz.read_postal_code(postal_cell)
    if problem:
        msgs.problems.append(problem)
    elif postal and postal != postal_cell:
        msgs.corrections.append(f"postal code '{postal_cell}' -> '{postal}'")
    if address:
        street, inside = nz.split_postal_code(address)
        if inside:
            if postal and postal != inside:
                msgs.notes.append(f"the address contains postal code {inside} but the postal code column says {postal}; "
                                  f"kept {postal}")
            elif not postal:
                postal = inside
                msgs.corrections.append(f"postal code '{inside}' taken out of the address into its own field")
            address = street
    if nz.is_po_box(address):
        msgs.notes.append("PO box: a mailing address cannot be placed on the map; the location will need attention")
    if not address and not location_name and not postal:
        rep.status = REJECTED
        rep.messages.append("no address, location name or postal code: nothing says where this service is")
        return None

    loc_key = nz.location_key(address, address_2, location_name, postal)
    loc = LocationRecord(key=loc_key, rows=[row_no])
    if {"address", "address_2", "city", "province", "postal_code"} & set(columns):
        city, province = _text(cells, columns, "city"), _text(cells, columns, "province")
        if address or address_2 or city or province or postal:
            loc.addresses = [{
                "address_1": address or None, "address_2": address_2 or None, "city": city or None,
                "state_province": province or None, "postal_code": postal, "country": "CA",
                # A PO box stays the physical-address text so the geocoder sees it and flags it itself.
                "address_type": "physical", "attention": None,
                "region": None}]
        else:
            loc.addresses = []
    for fld, attr in (("location_name", "name"), ("accessibility", "accessibility"), ("notes", "notes"),
                      ("source_url", "source_url"), ("location_description", "description"),
                      ("transportation", "transportation")):
        if fld in columns:
            loc.fields[attr] = _text(cells, columns, fld) or None
    if "closed" in columns:
        loc.fields["closed"] = bool(nz.parse_bool(_cell(cells, columns, "closed")))
    if "last_verified" in columns:
        verified, problem = nz.parse_date(_cell(cells, columns, "last_verified"))
        loc.fields["last_verified"] = verified
        if problem:
            msgs.problems.append(problem)

    if "phone" in columns:
        phones, corrections, problems = nz.read_phones(_text(cells, columns, "phone"))
        loc.phones = [{"number": p.number, "extension": p.extension, "type": "voice", "description": None}
                      for p in phones]
        msgs.corrections.extend(corrections)
        msgs.problems.extend(problems)
    if "hours" in columns:
        openings, hours_text = nz.parse_hours(_text(cells, columns, "hours"))
        if openings is None:
            loc.schedules = [_schedule(description=hours_text)]
            msgs.notes.append(f"hours '{hours_text}' could not be read as days and times; kept as text")
        else:
            loc.schedules = [_schedule(o.weekday, o.opens_at, o.closes_at) for o in openings]

    if "lat" in columns and "lon" in columns:
        lat, lon, problems = nz.parse_position(_cell(cells, columns, "lat"), _cell(cells, columns, "lon"))
        msgs.problems.extend(problems)
        if _text(cells, columns, "geocode_status"):
            # Our own export: restore the geocode as it was. The geocoder still sees the location and
            # re-geocodes only if the address was edited since (it compares geocoded_address).
            loc.fields.update(_provenance(cells, columns, lat, lon))
        elif lat is not None:
            # Coordinates typed into a spreadsheet: a person placed it; keep the pin, do not geocode.
            loc.has_coordinates = True
            loc.fields.update(_provenance(cells, columns, lat, lon))

    service_name = _text(cells, columns, "service_name")
    explicit = bool(service_name)
    service_name = service_name or location_name or org_name
    svc = ServiceRecord(key=nz.plain_key(service_name) if explicit else "", rows=[row_no])
    svc.fields["name"] = service_name
    if "description" in columns:
        svc.fields["description"] = _text(cells, columns, "description") or None
    svc.fields.update(_eligibility_fields(cells, columns, msgs))
    if "website" in columns:
        svc.fields["website"] = msgs.take(_website(_text(cells, columns, "website")))
    if "email" in columns:
        svc.fields["email"] = msgs.take(nz.read_email(_text(cells, columns, "email")))
    if "service_types" in columns:
        svc.types = _resolve_words(_split_list(_text(cells, columns, "service_types")), service_type_slug, msgs,
                                   "service type '{}' is not in the service-type list; left out")
    if "languages" in columns:
        codes = _resolve_words(_language_words(_text(cells, columns, "languages")), resolve_language, msgs,
                               "language '{}' is not a language this importer knows; left out")
        svc.languages = [{"code": c, "note": None} for c in codes]

    org = OrganizationRecord(key=nz.name_key(org_name), rows=[row_no])
    org.fields["name"] = org_name
    org.create_fields = {"website": svc.fields.get("website"), "email": svc.fields.get("email")}
    if "organization_website" in columns:
        org.fields["website"] = msgs.take(nz.read_website(_text(cells, columns, "organization_website")))
    if "organization_email" in columns:
        org.fields["email"] = msgs.take(nz.read_email(_text(cells, columns, "organization_email")))
    org.fields.update(_contact_fields(cells, columns, msgs))
    if msgs.corrections or msgs.problems:
        rep.status = "corrected"
    rep.messages.extend(msgs.corrections + msgs.problems + msgs.notes)
    return org, loc, svc


def _eligibility_fields(cells, columns, msgs: nz.Corrections) -> dict:
    """Service eligibility from the sheet's columns.

    A free ``eligibility`` cell stays the note as typed, and statuses, ages and a gender are read from
    its words; words it cannot place are reported, and the statuses stay unknown rather than guessed.
    Structured columns (our export's ``eligible_statuses``, ``minimum_age``, ``maximum_age``, ``gender``,
    ``fee``) win over what the words say. ``fees`` is the fee note, read for a level when there is no
    ``fee`` column.
    """
    fields: dict = {}
    structured = "eligible_statuses" in columns
    if "eligibility" in columns:
        text = _text(cells, columns, "eligibility")
        found = parse_eligibility(text)
        fields["eligibility"] = text or None
        fields.update({"minimum_age": found.minimum_age, "maximum_age": found.maximum_age, "gender": found.gender})
        if not structured:
            fields["eligible_statuses"] = join_statuses(found.statuses)
            if found.unknown:
                msgs.notes.append("eligibility " + ", ".join(f"'{w}'" for w in found.unknown)
                                  + " not recognised as an immigration status; kept in the eligibility note")
    if structured:
        text = _text(cells, columns, "eligible_statuses")
        slugs = [w for w in re.split(r"[;,|\s]+", text) if w in STATUS_SLUGS]
        found = parse_eligibility(text) if text and not slugs else None
        fields["eligible_statuses"] = join_statuses(slugs or (found.statuses if found else []))
        if found and found.unknown:
            msgs.notes.append("status " + ", ".join(f"'{w}'" for w in found.unknown) + " not recognised; left out")
    for fld in ("minimum_age", "maximum_age"):
        if fld in columns:
            raw = _text(cells, columns, fld)
            fields[fld] = int(raw) if raw.isdigit() else None
            if raw and not raw.isdigit():
                msgs.problems.append(f"{fld.replace('_', ' ')} '{raw}' is not a whole number of years; left out")
    if "gender" in columns:
        gender = _text(cells, columns, "gender").lower()
        fields["gender"] = gender if gender in GENDERS else parse_eligibility(gender).gender
    if "fees" in columns:
        fees_text = _text(cells, columns, "fees")
        fields["fees"] = fees_text or None
        if "fee" not in columns:
            fields["fee"] = parse_fee(fees_text)
            if fees_text and fields["fee"] is None:
                msgs.notes.append(f"fees '{fees_text}' could not be read as free, low cost or fee; kept as text")
    if "fee" in columns:
        fields["fee"] = parse_fee(_text(cells, columns, "fee"))
    return fields


def _contact_fields(cells, columns, msgs: nz.Corrections) -> dict:
    """The organization's private contact (verification mail): only columns the sheet has; an empty
    cell leaves the contact staff already keep."""
    fields: dict = {}
    if "contact_email" in columns and _text(cells, columns, "contact_email"):
        email = msgs.take(nz.read_email(_text(cells, columns, "contact_email")))
        if email:
            fields["contact_email"] = email
    if "contact_language" in columns and _text(cells, columns, "contact_language"):
        word = _text(cells, columns, "contact_language")
        code = resolve_language(word)
        if code is None:
            msgs.problems.append(f"contact language '{word}' is not a language this importer knows; left out")
        else:
            fields["contact_language"] = code
    if "contact_phone" in columns and _text(cells, columns, "contact_phone"):
        phones, corrections, problems = nz.read_phones(_text(cells, columns, "contact_phone"))
        msgs.corrections.extend(corrections)
        msgs.problems.extend(problems)
        if phones:
            fields["contact_phone"] = phones[0].number
    return fields


def _raw_text(value: object) -> str:
    return nz.unneutralise_cell(str(value)) if value not in (None, "") else ""


def _schedule(weekday=None, opens_at=None, closes_at=None, description=None) -> dict:
    return {"weekday": weekday, "opens_at": opens_at, "closes_at": closes_at, "valid_from": None, "valid_to": None,
            "description": description}


def _provenance(cells, columns, lat: float | None, lon: float | None) -> dict:
    """Coordinates a row carries, with the geocode provenance our export writes beside them."""
    status = _text(cells, columns, "geocode_status") or "ok"
    if status not in ("ok", "needs-attention", "manual") or (lat is None and status != "needs-attention"):
        status = "ok" if lat is not None else "needs-attention"
    geocoded_at = None
    raw_when = _text(cells, columns, "geocoded_at")
    if raw_when:
        try:
            geocoded_at = dt.datetime.fromisoformat(raw_when)
        except ValueError:
            geocoded_at = None
    fields = {
        "latitude": lat, "longitude": lon, "geocode_status": status,
        "geocode_method": _text(cells, columns, "geocode_method") or ("import" if "geocode_method" not in columns else None),
        "geocode_precision_m": nz.parse_float(_cell(cells, columns, "geocode_precision_m")),
        "geocode_confidence": nz.parse_float(_cell(cells, columns, "geocode_confidence")),
        "geocode_source": _text(cells, columns, "geocode_source") or None,
        "geocode_note": _text(cells, columns, "geocode_note") or None,
        "geocoded_at": geocoded_at,
        # Verbatim, spaces included: the geocoder compares it with the address to skip unchanged ones.
        "geocoded_address": _raw_text(_cell(cells, columns, "geocoded_address")) or None,
    }
    if "neighbourhood_number" in columns or "neighbourhood" in columns:
        fields.update({
            "neighbourhood_number": _text(cells, columns, "neighbourhood_number") or None,
            "neighbourhood_name": _text(cells, columns, "neighbourhood") or None,
            "ward": _text(cells, columns, "ward") or None,
            "outside_city": bool(nz.parse_bool(_cell(cells, columns, "outside_city"))),
        })
    return fields


def _merge_values(target: dict, source: dict, first_row: int, rep: RowReport, quiet: tuple[str, ...] = ()) -> None:
    for key, value in source.items():
        if key not in target or target[key] in (None, ""):
            target[key] = value
        elif value not in (None, "") and value != target[key] and key not in quiet:
            label = {"name": "location name"}.get(key, key.replace("_", " "))
            rep.messages.append(f"{label} '{value}' differs from row {first_row}; kept row {first_row}'s")


def _merge_list(existing: list | None, new: list | None) -> list | None:
    if existing is None:
        return new
    return existing + [x for x in (new or []) if x not in existing]


def build_plan(table: Table, header: HeaderMap, report: ImportReport) -> Plan:
    """Turn rows into records grouped by organization and location, merging duplicate rows."""
    plan = Plan()
    headers = {fld: nz.clean_text(table.headers[i]) for fld, i in header.columns.items() if i < len(table.headers)}
    for row_no in table.blank_rows:
        report.rows.append(RowReport(row=row_no, status=SKIPPED, action="none", messages=["blank row skipped"]))
    for row_no, cells in table.rows:
        rep = RowReport(row=row_no)
        report.rows.append(rep)
        if row_no in table.carried:
            rep.messages.append("merged cell: " + ", ".join(f"'{n}'" for n in table.carried[row_no])
                                + " filled in from the row above")
        result = _row_to_records(row_no, cells, header.columns, rep, headers)
        if result is None:
            rep.action = "none"
            continue
        org_rec, loc_rec, svc_rec = result
        org = plan.organizations.setdefault(org_rec.key, org_rec)
        if org is not org_rec:
            org.rows.append(row_no)
        loc = org.locations.get(loc_rec.key)
        if loc is None:
            org.locations[loc_rec.key] = loc_rec
            loc_rec.services[svc_rec.key] = svc_rec
            continue
        svc = loc.services.get(svc_rec.key)
        if svc is None:  # another service (own 'Service' column) at a location already seen
            loc.services[svc_rec.key] = svc_rec
            loc.rows.append(row_no)
            _merge_location(loc, loc_rec, rep)
            continue
        # Same organization, same address, same service: a duplicate row, merged into the first.
        first = svc.rows[0]
        rep.status, rep.action = MERGED, "merged"
        rep.messages.insert(0, f"same organization and address as row {first}: merged into it "
                               "(service types, languages and phones combined)")
        _merge_location(loc, loc_rec, rep)
        # The service name defaults to the location name, whose difference is already reported.
        _merge_values(svc.fields, svc_rec.fields, first, rep, quiet=("name",))
        svc.types = sorted(set(svc.types or []) | set(svc_rec.types or [])) if svc.types is not None else svc_rec.types
        svc.languages = _merge_list(svc.languages, svc_rec.languages)
        if svc.languages:
            svc.languages.sort(key=lambda lang: lang["code"])
        svc.rows.append(row_no)
        loc.rows.append(row_no)
        group = next((g for g in plan.duplicate_groups if g[0] == org.key and g[1] == loc.key), None)
        if group is None:
            plan.duplicate_groups.append((org.key, loc.key, [first, row_no]))
        else:
            group[2].append(row_no)
    return plan


def _merge_location(loc: LocationRecord, other: LocationRecord, rep: RowReport) -> None:
    _merge_values(loc.fields, other.fields, loc.rows[0], rep)
    loc.phones = _merge_list(loc.phones, other.phones)
    if not loc.schedules:
        loc.schedules = other.schedules
    if not loc.addresses:
        loc.addresses = other.addresses
    loc.has_coordinates = loc.has_coordinates or other.has_coordinates
