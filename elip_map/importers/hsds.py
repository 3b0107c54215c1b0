"""Import records from HSDS: our own package, any published JSON shape, or the tabular CSV package.

``elip_map.hsds`` recognises the shapes and joins the tables into nested organizations; this module
turns those into the records every reader produces, so one writer applies them.

Identity, so that re-importing another system's data updates instead of duplicating: an organization
is its name (as for spreadsheets); a location is our own key when the file is our export, otherwise
the producer's location ``id`` (``hsds:<id>``), which survives an address change; a service is its
name within its location. Taxonomy terms become our service types by code, then by name; terms that
match none are listed in the report, never dropped silently.

Private contacts: our own ``--private`` export carries each organization's verification contact as
the HSDS contact whose id is ``export.contact_id`` of the organization; that one is restored (all
three fields, as exported). Other producers' contacts are reported as not kept. A file without our
contact leaves the contact staff keep untouched.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
import zlib
from collections import Counter

from pathlib import Path

from ..directory.languages import resolve_language
from ..directory.models import Address, Language, Location, Organization, Phone, Service
from ..directory.taxonomy import BY_SLUG, resolve_service_type
from ..directory.values import (NOT_A_LIST, NOT_A_NUMBER, NOT_AN_OBJECT, TOO_LONG, Problem, ValueRefused,
                                check_column_text, check_text, check_website, column_limit, fit_key)
from ..hsds.export import DAYS, LOCATION_KEY_TYPE, contact_id
from ..hsds.shapes import Collected, ShapeError, collect
from ..hsds.tabular import collect_tables, read_package
from ..i18n import N_
from . import normalize as nz
from .limits import Counter as LimitCounter
from .limits import ImportLimits, check_zip, refuse
from .records import LocationRecord, OrganizationRecord, Plan, ServiceRecord
from .report import ImportRefused, ImportReport, RowReport

_ADDRESS_FIELDS = ("attention", "address_1", "address_2", "city", "region", "state_province", "postal_code",
                   "country", "address_type")
# HSDS parts the directory has no place for: counted and reported, never dropped silently.
_NOT_KEPT = ("contacts", "funding", "programs", "program", "organization_identifiers", "service_areas", "cost_options",
             "required_documents", "additional_websites", "additional_urls", "capacities", "metadata")
_GEOCODE_STATUSES = ("ok", "needs-attention", "manual")
_PHONE_TYPES = ("text", "voice", "fax", "cell", "video", "pager", "textphone")


JSON_UNREADABLE = N_("The file is not readable JSON ({cause}). Save it again as HSDS JSON in UTF-8.")
JSON_TOO_DEEP = N_("The JSON file is nested more deeply than any HSDS file is; it was not read.")
NOT_HSDS = N_("The file is JSON, but not HSDS data this importer reads ({cause}).")
HSDS_MALFORMED = N_("The HSDS data is malformed near organization {number} ({cause}).")
PACKAGE_DAMAGED = N_("The zip file is damaged or is not an HSDS package ({cause}).")


def plan_from_hsds(data: bytes, report: ImportReport, limits: ImportLimits = ImportLimits()) -> Plan:
    """Records from an HSDS JSON file in any published shape."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise refuse(JSON_UNREADABLE, cause=f"not UTF-8 text at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise refuse(JSON_UNREADABLE, cause=f"{exc.msg}, line {exc.lineno} column {exc.colno}") from None
    except RecursionError:  # json's parser nests as deep as the text does, until Python's recursion limit
        raise refuse(JSON_TOO_DEEP) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise refuse(JSON_UNREADABLE, cause=str(exc)[:100]) from None
    try:
        collected = collect(document)
    except ShapeError as exc:
        raise ImportRefused(str(exc)) from None
    except (AttributeError, TypeError, KeyError, ValueError, RecursionError) as exc:
        # Shapes it cannot place, such as {"organizations": [[]]}: a list where an organization should be.
        raise refuse(NOT_HSDS, cause=_cause(exc)) from None
    return plan_from_collected(collected, report, limits)


def plan_from_package(path: Path, max_bytes: int, report: ImportReport,
                      limits: ImportLimits = ImportLimits()) -> Plan:
    """Records from an HSDS tabular package: a zip file or a folder of CSV files (with datapackage.json)."""
    try:
        if path.is_file():
            with zipfile.ZipFile(path) as archive:
                check_zip(archive, limits)
        collected = collect_tables(read_package(path, max_bytes))
    except ShapeError as exc:
        raise ImportRefused(str(exc)) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError,
            KeyError, TypeError, AttributeError) as exc:  # CRC and zlib errors, encrypted or odd members
        raise refuse(PACKAGE_DAMAGED, cause=_cause(exc)) from None
    return plan_from_collected(collected, report, limits)


def _cause(exc: Exception) -> str:
    """What went wrong, for the refusal: our own ValueErrors are already plain words; others name their kind."""
    if type(exc) is ValueError:
        return str(exc)[:100]
    return f"{exc.__class__.__name__}: {str(exc)[:100]}"


def _count_records(organizations: list, limits: ImportLimits) -> None:
    """Refuse more organizations, locations or services than the row limit, before reading any of them."""
    counter = LimitCounter(limits)
    counter.records(len(organizations))
    locations = services = 0
    for org in organizations:
        if isinstance(org, dict):
            locations += len(org.get("locations") or ()) if isinstance(org.get("locations"), list) else 0
            services += len(org.get("services") or ()) if isinstance(org.get("services"), list) else 0
    counter.records(max(locations, services))


def plan_from_collected(collected: Collected, report: ImportReport, limits: ImportLimits = ImportLimits()) -> Plan:
    _count_records(collected.organizations, limits)
    report.file_notes.append(f"HSDS {collected.shape}: {len(collected.organizations)} organization(s)")
    report.file_notes.extend(collected.notes)
    reader = _Reader(collected.taxonomy_terms, report)
    number = 0
    try:
        for number, org_doc in enumerate(collected.organizations, 1):
            if not isinstance(org_doc, dict):
                raise ValueRefused(Problem(NOT_AN_OBJECT, column=f"organization {reader.row + 1}", found=_kind(org_doc)))
            reader.organization(org_doc)
    except ValueRefused as exc:
        # A value of the wrong kind or too long for its column: the producer's data is not what HSDS
        # says, so nothing is imported rather than a part of it.
        raise ImportRefused(f"{exc.problem}; nothing was imported") from None
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise refuse(HSDS_MALFORMED, number=number, cause=_cause(exc)) from None
    if reader.dropped:
        parts = ", ".join(f"{count} {part.replace('_', ' ')} of {kind}s" for (kind, part), count in reader.dropped.items())
        report.file_notes.append(f"not kept, the directory has no place for them: {parts}")
    for (code, name), count in reader.unmapped.items():
        report.file_notes.append(f"taxonomy term '{name or code}'" + (f" (code {code})" if code and name else "")
                                 + f" matches none of our service types; {count} service(s) carry it and keep "
                                   "their other types")
    return reader.plan


def map_term(term: dict | None) -> str | None:
    """Our service-type slug for an HSDS taxonomy term, by code first, then by name."""
    if not term:
        return None
    for text in (term.get("code"), term.get("name")):
        if isinstance(text, str) and text.strip():
            slug = text.strip() if text.strip() in BY_SLUG else resolve_service_type(text)
            if slug:
                return slug
    return None


def _text(value, column: str = "value") -> str | None:
    """Text or None; a list, an object or true/false where HSDS has text is refused (ValueRefused)."""
    return check_text(value, column, None, numbers=True)


def _kind(value) -> str:
    return {bool: "boolean", int: "number", float: "number", list: "list", dict: "object"}.get(type(value), "object")


def _objects(doc: dict, part: str, where: str) -> list[dict]:
    """A list of HSDS objects (``addresses``, ``phones``...); anything else is refused with its name."""
    items = doc.get(part)
    if items is None:
        return []
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        found = _kind(items if not isinstance(items, list) else next(x for x in items if not isinstance(x, dict)))
        raise ValueRefused(Problem(NOT_A_LIST, column=f"{where}: {part}", found=found))
    return items


def _extra(doc: dict, key: str, where: str) -> dict:
    value = doc.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueRefused(Problem(NOT_AN_OBJECT, column=f"{where}: {key}", found=_kind(value)))
    return value


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _flag(value) -> bool:
    """True or false from our export's flags; text like 'no' is read as a person would, not as Python would."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "y")
    return value is True or value == 1


def _measure(value, column: str) -> float | None:
    """A finite number or None; text, lists or NaN where a number belongs are refused."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or abs(value) == float("inf"):
        raise ValueRefused(Problem(NOT_A_NUMBER, column=column, value=_short(str(value))))
    return float(value)


def _time(value) -> dt.time | None:
    text = _text(value)
    if not text:
        return None
    text = text.rstrip("Zz")
    for sep in ("+", "-"):
        if sep in text[5:]:
            text = text[:5 + text[5:].index(sep)]
    return dt.time.fromisoformat(text)


def _date(value) -> dt.date | None:
    text = _text(value)
    return dt.date.fromisoformat(text[:10]) if text else None


def _safe_date(value) -> dt.date | None:
    try:
        return _date(value)
    except ValueError:
        return None


class _Reader:
    def __init__(self, terms: dict[str, dict], report: ImportReport):
        self.terms = terms
        self.report = report
        self.plan = Plan()
        self.row = 0
        self.unmapped: Counter = Counter()
        self.dropped: Counter = Counter()  # (object kind, HSDS part) -> how many were not kept

    def fit(self, where: str, model, column: str, value, field: str | None = None, **kwargs):
        """The value as text that fits ``model.column`` (the table's own length), else ValueRefused naming
        the row and the HSDS field."""
        return check_column_text(value, model, column, label=f"{where}: {field or column}", **kwargs)

    def website(self, where: str, model, value, field: str = "website"):
        """An http(s) address, or None with a note: a ``javascript:`` or ``data:`` address is left out."""
        try:
            return check_website(value, f"{where}: {field}", column_limit(model, "website"))
        except ValueRefused as exc:
            if isinstance(value, str) and exc.problem.template != TOO_LONG:
                self.report.file_notes.append(f"{exc.problem}; left out")
                return None
            raise

    def phones(self, doc: dict, where: str) -> list[dict]:
        items = _objects(doc, "phones", where)
        out = []
        for p in items:
            number = _text(p.get("number"), f"{where}: phone number")
            if not number:
                continue
            found, _, problems = nz.read_phones(number)
            self.report.file_notes.extend(f"{where}: {msg}" for msg in problems)
            extension = (_extra(p, "x_elip", where).get("extension") or _text(p.get("extension"), f"{where}: extension"))
            extension = _text(extension, f"{where}: extension")
            if extension and not extension.isdigit():
                self.report.file_notes.append(f"{where}: phone extension '{_short(extension)}' is not a number; left out")
                extension = None
            kind = _text(p.get("type"), f"{where}: phone type") or "voice"
            if kind not in _PHONE_TYPES:
                self.report.file_notes.append(f"{where}: phone type '{_short(kind)}' is not an HSDS phone type; "
                                              "kept as voice")
                kind = "voice"
            for value in found:
                out.append({"number": value.number,
                            "extension": self.fit(where, Phone, "extension", extension or value.extension,
                                                  numbers=True),
                            "type": kind, "description": self.fit(where, Phone, "description", p.get("description"),
                                                                  "phone description")})
        return out

    def languages(self, doc: dict, where: str) -> list[dict]:
        out = []
        for lang in _objects(doc, "languages", where):
            code = self.fit(where, Language, "code", lang.get("code"), "language code")
            if not code:
                if lang.get("name"):
                    self.report.file_notes.append(f"{where}: language '{_short(str(lang['name']))}' has no code; "
                                                  "left out")
                continue
            out.append({"code": code, "note": self.fit(where, Language, "note", lang.get("note"), "language note")})
        return out

    def schedules(self, doc: dict, where: str) -> list[dict]:
        out = []
        for s in _objects(doc, "schedules", where):
            days = [d.strip().upper() for d in (_text(s.get("byday"), f"{where}: byday") or "").split(",") if d.strip()]
            try:
                base = {"opens_at": _time(s.get("opens_at")), "closes_at": _time(s.get("closes_at")),
                        "valid_from": _date(s.get("valid_from")), "valid_to": _date(s.get("valid_to")),
                        "description": _text(s.get("description"))}
            except ValueRefused:
                raise
            except ValueError:
                self.report.file_notes.append(f"{where}: schedule with a time or date that cannot be read "
                                              f"({s.get('opens_at')}-{s.get('closes_at')}, {s.get('valid_from')}); "
                                              "left out")
                continue
            base["description"] = base["description"] or _text(s.get("notes"), f"{where}: schedule notes")  # HSDS free-text notes
            weekdays = [DAYS.index(d) + 1 for d in days if d in DAYS]
            if not weekdays:
                out.append({"weekday": None, **base})
            for day in weekdays:  # 'MO,TU' is two openings in our table
                out.append({"weekday": day, **base})
        return out

    def not_kept(self, doc: dict, kind: str) -> None:
        for part in _NOT_KEPT:
            if doc.get(part):
                self.dropped[(kind, part)] += len(doc[part]) if isinstance(doc[part], list) else 1

    def organization(self, doc: dict) -> None:
        where = f"organization {len(self.plan.organizations) + 1}"
        key = nz.name_key(self.fit(where, Organization, "name", doc.get("name")))
        if not key:
            self.row += 1
            self.report.rows.append(RowReport(row=self.row, status="rejected", action="none",
                                              messages=["organization without a name"]))
            return
        name = doc["name"].strip()
        where = _short(name)
        ours = [c for c in doc.get("contacts") or [] if isinstance(c, dict) and c.get("id") == contact_id(key)]
        self.not_kept({**doc, "contacts": [c for c in doc.get("contacts") or [] if c not in ours]}, "organization")
        fields = {f: self.fit(where, Organization, f, doc.get(f)) for f in ("name", "alternate_name", "description", "email")}
        fields["website"] = self.website(where, Organization, doc.get("website"))
        if ours:
            fields.update(self.contact(ours[0], where))
        org = self.plan.organizations.get(key)
        if org is None:
            org = OrganizationRecord(key=key, fields=fields, phones=self.phones(doc, name))
            self.plan.organizations[key] = org
        by_id: dict[str, LocationRecord] = {}
        for loc_doc in _objects(doc, "locations", where):
            self.row += 1
            loc_name = _text(loc_doc.get("name"), f"row {self.row}, {where}: location name") or ""
            self.report.rows.append(RowReport(row=self.row, organization=name, location=loc_name))
            org.rows.append(self.row)
            loc = self.location(loc_doc, name)
            org.locations[loc.key] = loc
            if loc_doc.get("id"):
                by_id[str(loc_doc["id"])] = loc
        for svc_doc in _objects(doc, "services", where):
            svc = self.service(svc_doc, name)
            links = _objects(svc_doc, "service_at_locations", f"{where} / {svc.fields['name']}")
            home: LocationRecord | None = None
            for link in links:
                self.not_kept(link, "service-at-location link")
                loc = by_id.get(str(link.get("location_id")))
                if loc is None:
                    self.report.file_notes.append(f"service '{svc_doc.get('name')}' of '{name}' points at a location "
                                                  "the file does not describe; kept without that location")
                elif home is None:  # the service lives at its first location and is linked to the others
                    home = loc
                    svc.link_description, svc.rows = _text(link.get("description"), f"{where}: link description"), list(loc.rows)
                    loc.services[svc.key] = svc
                elif loc is not home:
                    svc.also_at[loc.key] = _text(link.get("description"), f"{where}: link description")
            if home is None:
                org.unlinked_services[svc.key] = svc

    def contact(self, doc: dict, org_name: str) -> dict:
        """Our verification contact's three private fields, each checked as the spreadsheet reader does."""
        where = f"{org_name} / contact"
        email, _, problem = nz.read_email(_text(doc.get("email"), f"{where}: email") or "")
        language_word = _text(_extra(doc, "x_elip", where).get("language"), f"{where}: language")
        language = resolve_language(language_word) if language_word else None
        phones = self.phones(doc, where)
        if problem:
            self.report.file_notes.append(f"{where}: {problem}")
        if language_word and language is None:
            self.report.file_notes.append(f"{where}: language '{_short(language_word)}' is not a language this "
                                          "importer knows; left out")
        return {"contact_email": self.fit(where, Organization, "contact_email", email, "email"),
                "contact_language": language, "contact_phone": phones[0]["number"] if phones else None}

    def location(self, doc: dict, org_name: str) -> LocationRecord:
        where = f"row {self.row}, {_short(org_name)} / {_short(str(doc.get('name') or doc.get('id') or 'location'))}"
        self.not_kept(doc, "location")
        addresses = []
        for a in _objects(doc, "addresses", where):
            unknown = set(_extra(a, "x_elip", where).get("unknown") or ())
            values = {f: None if f in unknown else self.fit(where, Address, f, a.get(f)) for f in _ADDRESS_FIELDS}
            country = (values["country"] or "").upper()
            if country and len(country) != 2:
                self.report.file_notes.append(f"{where}: country '{_short(values['country'])}' is not a two-letter "
                                              "code; left empty")
                country = ""
            values["country"] = country or "CA" if values["country"] is None else country
            values["address_type"] = values["address_type"] or "physical"
            addresses.append(values)
        first = addresses[0] if addresses else {}
        extra = _extra(doc, "x_elip", where)
        external = _text(doc.get("external_identifier"), f"{where}: external_identifier")
        own_id = _text(doc.get("id"), f"{where}: id")
        if doc.get("external_identifier_type") == LOCATION_KEY_TYPE and external:
            key = fit_key(external, Location, "location_key")
        elif own_id:
            key = fit_key(f"hsds:{own_id}", Location, "location_key")
        else:
            key = nz.location_key(first.get("address_1"), first.get("address_2"), doc.get("name"),
                                  first.get("postal_code"))
        geo = _extra(extra, "geocode", where)
        hood = _extra(extra, "neighbourhood", where)
        accessibility = "\n".join(self.fit(where, Location, "accessibility", a.get("description")) or ""
                                  for a in _objects(doc, "accessibility", where)) or None
        lat, lon, problems = nz.parse_position(doc.get("latitude"), doc.get("longitude"))
        self.report.file_notes.extend(f"{where}: {p}" for p in problems)
        status = self.fit(where, Location, "geocode_status", geo.get("status"), "geocode status")
        if status is not None and status not in _GEOCODE_STATUSES:
            self.report.file_notes.append(f"{where}: geocode status '{status}' is not one this map knows; "
                                          "the location needs attention")
            status = "needs-attention"
        if lat is None and status != "needs-attention":
            status = None  # a status without a usable position is not a placed location
        when = _text(geo.get("geocoded_at"), f"{where}: geocoded_at")
        fields = {
            "name": self.fit(where, Location, "name", doc.get("name")),
            "description": self.fit(where, Location, "description", doc.get("description")),
            "transportation": self.fit(where, Location, "transportation", doc.get("transportation")),
            "accessibility": accessibility, "notes": self.fit(where, Location, "notes", extra.get("notes"), verbatim=True),
            "source_url": self.fit(where, Location, "source_url", extra.get("source_url"), verbatim=True),
            "closed": _flag(extra.get("closed", False)),
            "last_verified": _safe_date(extra.get("last_verified")),
            "latitude": lat, "longitude": lon,
            "geocode_status": status or ("ok" if lat is not None and lon is not None else "needs-attention"),
            "geocode_method": self.fit(where, Location, "geocode_method", geo.get("method"), "geocode method", verbatim=True),
            "geocode_precision_m": _measure(geo.get("precision_m"), f"{where}: geocode precision_m"),
            "geocode_confidence": _measure(geo.get("confidence"), f"{where}: geocode confidence"),
            "geocode_source": self.fit(where, Location, "geocode_source", geo.get("source"), "geocode source", verbatim=True),
            "geocoded_at": dt.datetime.fromisoformat(when) if when else None,
            "geocode_note": self.fit(where, Location, "geocode_note", geo.get("note"), "geocode note", verbatim=True),
            "geocoded_address": self.fit(where, Location, "geocoded_address", geo.get("geocoded_address"),
                                         "geocoded address", verbatim=True),
            "neighbourhood_number": self.fit(where, Location, "neighbourhood_number", hood.get("number"),
                                             "neighbourhood number", verbatim=True),
            "neighbourhood_name": self.fit(where, Location, "neighbourhood_name", hood.get("name"), "neighbourhood name", verbatim=True),
            "ward": self.fit(where, Location, "ward", extra.get("ward"), verbatim=True),
            "outside_city": _flag(extra.get("outside_city", False)),
        }
        if not extra:  # not our export: the neighbourhood is assigned from the coordinates instead
            for name in ("neighbourhood_number", "neighbourhood_name", "ward", "outside_city"):
                fields.pop(name)
        # Our own export carries the geocode provenance: it is restored, and the geocoder re-geocodes only
        # an edited address. Coordinates that no geocoder made (another producer's, or a pin) stay pins.
        return LocationRecord(key=key, fields=fields, addresses=addresses, phones=self.phones(doc, where),
                              schedules=self.schedules(doc, where),
                              languages=self.languages(doc, where),
                              has_coordinates=lat is not None and lon is not None and not geo.get("geocoded_address"),
                              rows=[self.row])

    def service(self, doc: dict, org_name: str) -> ServiceRecord:
        name = self.fit(f"{_short(org_name)} / service", Service, "name", doc.get("name"), "service name")
        if not name:
            raise ValueError(f"a service of '{org_name}' has no name")
        where = f"{_short(org_name)} / {_short(name)}"
        self.not_kept(doc, "service")
        slugs: list[str] = []
        for attribute in _objects(doc, "attributes", where):
            term = attribute.get("taxonomy_term") or self.terms.get(attribute.get("taxonomy_term_id"))
            if not term and attribute.get("taxonomy_term_id"):
                term = {"code": attribute["taxonomy_term_id"]}
            slug = map_term(term)
            if slug and slug not in slugs:
                slugs.append(slug)
            elif not slug and term:
                self.unmapped[(term.get("code"), term.get("name"))] += 1
        extra = _extra(doc, "x_elip", where)
        fields = {"name": name, "description": self.fit(where, Service, "description", doc.get("description")),
                  "website": self.website(where, Service, doc.get("url"), "url"),
                  "email": self.fit(where, Service, "email", doc.get("email")),
                  "status": self.fit(where, Service, "status", extra.get("status") or doc.get("status")) or "active",
                  "fees": self.fit(where, Service, "fees", doc.get("fees_description"), "fees_description")
                  or self.fit(where, Service, "fees", doc.get("fees")),
                  "eligibility": self.fit(where, Service, "eligibility", doc.get("eligibility_description"),
                                          "eligibility_description"),
                  "application_process": self.fit(where, Service, "application_process", doc.get("application_process")),
                  "last_verified": _safe_date(doc.get("assured_date") or extra.get("last_verified"))}
        return ServiceRecord(key=nz.plain_key(name), fields=fields, types=sorted(slugs),
                             languages=self.languages(doc, where),
                             schedules=self.schedules(doc, where))
