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
from collections import Counter

from pathlib import Path

from ..directory.languages import resolve_language
from ..directory.taxonomy import BY_SLUG, resolve_service_type
from ..hsds.export import DAYS, LOCATION_KEY_TYPE, contact_id
from ..hsds.shapes import Collected, ShapeError, collect
from ..hsds.tabular import collect_tables, read_package
from . import normalize as nz
from .records import LocationRecord, OrganizationRecord, Plan, ServiceRecord
from .report import ImportRefused, ImportReport, RowReport

_ADDRESS_FIELDS = ("attention", "address_1", "address_2", "city", "region", "state_province", "postal_code",
                   "country", "address_type")
# Column widths of the directory tables: longer text from another system is cut, with a note.
# HSDS parts the directory has no place for: counted and reported, never dropped silently.
_NOT_KEPT = ("contacts", "funding", "programs", "program", "organization_identifiers", "service_areas", "cost_options",
             "required_documents", "additional_websites", "additional_urls", "capacities", "metadata")
_WIDTH = {"name": 300, "alternate_name": 300, "website": 500, "email": 300, "attention": 300, "address_1": 300,
          "address_2": 300, "city": 120, "region": 120, "state_province": 60, "postal_code": 10, "status": 20,
          "type": 20, "description": 300, "note": 300, "code": 12, "extension": 10}


def plan_from_hsds(data: bytes, report: ImportReport) -> Plan:
    """Records from an HSDS JSON file in any published shape."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRefused(f"the file is not readable JSON ({exc.__class__.__name__}: {exc})") from None
    try:
        collected = collect(document)
    except ShapeError as exc:
        raise ImportRefused(str(exc)) from None
    return plan_from_collected(collected, report)


def plan_from_package(path: Path, max_bytes: int, report: ImportReport) -> Plan:
    """Records from an HSDS tabular package: a zip file or a folder of CSV files (with datapackage.json)."""
    try:
        collected = collect_tables(read_package(path, max_bytes))
    except ShapeError as exc:
        raise ImportRefused(str(exc)) from None
    return plan_from_collected(collected, report)


def plan_from_collected(collected: Collected, report: ImportReport) -> Plan:
    report.file_notes.append(f"HSDS {collected.shape}: {len(collected.organizations)} organization(s)")
    report.file_notes.extend(collected.notes)
    reader = _Reader(collected.taxonomy_terms, report)
    try:
        for org_doc in collected.organizations:
            reader.organization(org_doc)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ImportRefused(f"the HSDS data is malformed near organization {reader.row}: {exc}") from None
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


def _text(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


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

    def fit(self, where: str, field: str, value):
        text = _text(value)
        width = _WIDTH.get(field)
        if text and width and len(text) > width:
            self.report.file_notes.append(f"{where}: {field} longer than {width} characters; cut to fit")
            return text[:width]
        return text

    def phones(self, items, where: str) -> list[dict]:
        out = []
        for p in items or []:
            if not isinstance(p, dict) or not _text(p.get("number")):
                continue
            found, _, problems = nz.normalize_phones(str(p["number"]))
            self.report.file_notes.extend(f"{where}: {msg}" for msg in problems)
            extension = (p.get("x_elip") or {}).get("extension") or _text(p.get("extension"))
            if isinstance(p.get("extension"), float) and p["extension"].is_integer():
                extension = str(int(p["extension"]))
            for value in found:
                out.append({"number": value.number, "extension": self.fit(where, "extension", extension or value.extension),
                            "type": self.fit(where, "type", p.get("type")) or "voice",
                            "description": self.fit(where, "description", p.get("description"))})
        return out

    def languages(self, items, where: str) -> list[dict]:
        out = []
        for lang in items or []:
            code = _text(lang.get("code")) if isinstance(lang, dict) else None
            if not code:
                if isinstance(lang, dict) and lang.get("name"):
                    self.report.file_notes.append(f"{where}: language '{lang['name']}' has no code; left out")
                continue
            out.append({"code": self.fit(where, "code", code), "note": self.fit(where, "note", lang.get("note"))})
        return out

    def schedules(self, items, where: str) -> list[dict]:
        out = []
        for s in items or []:
            if not isinstance(s, dict):
                continue
            days = [d.strip().upper() for d in (_text(s.get("byday")) or "").split(",") if d.strip()]
            try:
                base = {"opens_at": _time(s.get("opens_at")), "closes_at": _time(s.get("closes_at")),
                        "valid_from": _date(s.get("valid_from")), "valid_to": _date(s.get("valid_to")),
                        "description": _text(s.get("description"))}
            except ValueError:
                self.report.file_notes.append(f"{where}: schedule with a time or date that cannot be read "
                                              f"({s.get('opens_at')}-{s.get('closes_at')}, {s.get('valid_from')}); "
                                              "left out")
                continue
            base["description"] = base["description"] or _text(s.get("notes"))  # HSDS free-text notes
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
        key = nz.name_key(doc.get("name"))
        if not key:
            self.row += 1
            self.report.rows.append(RowReport(row=self.row, status="rejected", action="none",
                                              messages=["organization without a name"]))
            return
        name = doc["name"]
        ours = [c for c in doc.get("contacts") or [] if isinstance(c, dict) and c.get("id") == contact_id(key)]
        self.not_kept({**doc, "contacts": [c for c in doc.get("contacts") or [] if c not in ours]}, "organization")
        fields = {f: self.fit(name, f, doc.get(f)) for f in ("name", "alternate_name", "description", "email", "website")}
        if ours:
            fields.update(self.contact(ours[0], name))
        org = self.plan.organizations.get(key)
        if org is None:
            org = OrganizationRecord(key=key, fields=fields, phones=self.phones(doc.get("phones"), name))
            self.plan.organizations[key] = org
        by_id: dict[str, LocationRecord] = {}
        for loc_doc in doc.get("locations") or []:
            self.row += 1
            self.report.rows.append(RowReport(row=self.row, organization=name, location=loc_doc.get("name") or ""))
            org.rows.append(self.row)
            loc = self.location(loc_doc, name)
            org.locations[loc.key] = loc
            if loc_doc.get("id"):
                by_id[loc_doc["id"]] = loc
        for svc_doc in doc.get("services") or []:
            svc = self.service(svc_doc, name)
            links = [link for link in svc_doc.get("service_at_locations") or [] if isinstance(link, dict)]
            home: LocationRecord | None = None
            for link in links:
                self.not_kept(link, "service-at-location link")
                loc = by_id.get(link.get("location_id"))
                if loc is None:
                    self.report.file_notes.append(f"service '{svc_doc.get('name')}' of '{name}' points at a location "
                                                  "the file does not describe; kept without that location")
                elif home is None:  # the service lives at its first location and is linked to the others
                    home = loc
                    svc.link_description, svc.rows = _text(link.get("description")), list(loc.rows)
                    loc.services[svc.key] = svc
                elif loc is not home:
                    svc.also_at[loc.key] = _text(link.get("description"))
            if home is None:
                org.unlinked_services[svc.key] = svc

    def contact(self, doc: dict, org_name: str) -> dict:
        """Our verification contact's three private fields, each checked as the spreadsheet reader does."""
        where = f"{org_name} / contact"
        email, _, problem = nz.normalize_email(_text(doc.get("email")) or "")
        language_word = _text((doc.get("x_elip") or {}).get("language"))
        language = resolve_language(language_word) if language_word else None
        phones = self.phones(doc.get("phones"), where)
        if problem:
            self.report.file_notes.append(f"{where}: {problem}")
        if language_word and language is None:
            self.report.file_notes.append(f"{where}: language '{language_word}' is not a language this importer "
                                          "knows; left out")
        return {"contact_email": self.fit(where, "email", email), "contact_language": language,
                "contact_phone": phones[0]["number"] if phones else None}

    def location(self, doc: dict, org_name: str) -> LocationRecord:
        where = f"{org_name} / {doc.get('name') or doc.get('id') or 'location'}"
        self.not_kept(doc, "location")
        addresses = []
        for a in doc.get("addresses") or []:
            unknown = set((a.get("x_elip") or {}).get("unknown") or ())
            values = {f: None if f in unknown else self.fit(where, f, a.get(f)) for f in _ADDRESS_FIELDS}
            country = (values["country"] or "").upper()
            if country and len(country) != 2:
                self.report.file_notes.append(f"{where}: country '{values['country']}' is not a two-letter code; "
                                              "left empty")
                country = ""
            values["country"] = country or "CA" if values["country"] is None else country
            values["address_type"] = values["address_type"] or "physical"
            addresses.append(values)
        first = addresses[0] if addresses else {}
        extra = doc.get("x_elip") or {}
        if doc.get("external_identifier_type") == LOCATION_KEY_TYPE and doc.get("external_identifier"):
            key = doc["external_identifier"]
        elif doc.get("id"):
            key = f"hsds:{doc['id']}"
        else:
            key = nz.location_key(first.get("address_1"), first.get("address_2"), doc.get("name"),
                                  first.get("postal_code"))
        geo = extra.get("geocode") or {}
        hood = extra.get("neighbourhood") or {}
        accessibility = "\n".join(a.get("description") or "" for a in doc.get("accessibility") or []) or None
        lat, lat_problem = nz.parse_coordinate(doc.get("latitude"), "lat")
        lon, lon_problem = nz.parse_coordinate(doc.get("longitude"), "lon")
        problems = [p for p in (lat_problem, lon_problem) if p]
        if problems or (lat is None) != (lon is None):
            self.report.file_notes.extend(f"{where}: {p}" for p in problems)
            if lat is not None or lon is not None:
                self.report.file_notes.append(f"{where}: coordinates incomplete; the address will be geocoded instead")
            lat = lon = None
        fields = {
            "name": self.fit(where, "name", doc.get("name")), "description": _text(doc.get("description")),
            "transportation": _text(doc.get("transportation")),
            "accessibility": accessibility, "notes": extra.get("notes"), "source_url": extra.get("source_url"),
            "closed": bool(extra.get("closed", False)), "last_verified": _safe_date(extra.get("last_verified")),
            "latitude": lat, "longitude": lon,
            "geocode_status": geo.get("status") or ("ok" if lat is not None and lon is not None else "needs-attention"),
            "geocode_method": geo.get("method"), "geocode_precision_m": geo.get("precision_m"),
            "geocode_confidence": geo.get("confidence"), "geocode_source": geo.get("source"),
            "geocoded_at": dt.datetime.fromisoformat(geo["geocoded_at"]) if geo.get("geocoded_at") else None,
            "geocode_note": geo.get("note"), "geocoded_address": geo.get("geocoded_address"),
            "neighbourhood_number": hood.get("number"), "neighbourhood_name": hood.get("name"),
            "ward": extra.get("ward"), "outside_city": bool(extra.get("outside_city", False)),
        }
        if not extra:  # not our export: the neighbourhood is assigned from the coordinates instead
            for name in ("neighbourhood_number", "neighbourhood_name", "ward", "outside_city"):
                fields.pop(name)
        # Our own export carries the geocode provenance: it is restored, and the geocoder re-geocodes only
        # an edited address. Coordinates that no geocoder made (another producer's, or a pin) stay pins.
        return LocationRecord(key=key, fields=fields, addresses=addresses, phones=self.phones(doc.get("phones"), where),
                              schedules=self.schedules(doc.get("schedules"), where),
                              languages=self.languages(doc.get("languages"), where),
                              has_coordinates=lat is not None and lon is not None and not geo.get("geocoded_address"),
                              rows=[self.row])

    def service(self, doc: dict, org_name: str) -> ServiceRecord:
        name = _text(doc.get("name"))
        if not name:
            raise ValueError(f"a service of '{org_name}' has no name")
        where = f"{org_name} / {name}"
        self.not_kept(doc, "service")
        slugs: list[str] = []
        for attribute in doc.get("attributes") or []:
            term = attribute.get("taxonomy_term") or self.terms.get(attribute.get("taxonomy_term_id"))
            if not term and attribute.get("taxonomy_term_id"):
                term = {"code": attribute["taxonomy_term_id"]}
            slug = map_term(term)
            if slug and slug not in slugs:
                slugs.append(slug)
            elif not slug and term:
                self.unmapped[(term.get("code"), term.get("name"))] += 1
        extra = doc.get("x_elip") or {}
        fields = {"name": self.fit(where, "name", name), "description": _text(doc.get("description")),
                  "website": self.fit(where, "website", doc.get("url")), "email": self.fit(where, "email", doc.get("email")),
                  "status": self.fit(where, "status", extra.get("status") or doc.get("status")) or "active",
                  "fees": _text(doc.get("fees_description")) or _text(doc.get("fees")),
                  "eligibility": _text(doc.get("eligibility_description")),
                  "application_process": _text(doc.get("application_process")),
                  "last_verified": _safe_date(doc.get("assured_date") or extra.get("last_verified"))}
        return ServiceRecord(key=nz.plain_key(name), fields=fields, types=sorted(slugs),
                             languages=self.languages(doc.get("languages"), where),
                             schedules=self.schedules(doc.get("schedules"), where))
