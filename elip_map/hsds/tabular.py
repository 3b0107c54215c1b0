"""HSDS tabular form: one CSV per object type plus ``datapackage.json``, as a zip or a folder.

Export flattens the nested organizations of ``export.build_directory`` into tables (each child row
names its parent by id); import joins the tables back into nested organizations, so both readers
share ``reader.plan_from_collected``. Staff-only ``x_elip`` details are not part of the tabular form.

The private package (``private=True``) adds ``contacts.csv`` with each organization's verification
contact (its preferred language in the extension column ``x_elip_language``), says in
``datapackage.json`` and a ``README.txt`` that it holds personal data, and is never the default.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from .export import HSDS_VERSION, PRIVATE_WARNING, build_directory, taxonomy, taxonomy_terms
from .shapes import Collected, ShapeError

# (resource name, file, columns) in the order HSDS lists them; the first column is the primary key.
TABLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("organization", "organizations.csv", ("id", "name", "alternate_name", "description", "email", "website")),
    ("service", "services.csv", ("id", "organization_id", "name", "description", "url", "email", "status",
                                 "fees_description", "eligibility_description", "application_process", "assured_date")),
    ("location", "locations.csv", ("id", "location_type", "organization_id", "name", "description", "transportation",
                                   "latitude", "longitude", "external_identifier", "external_identifier_type")),
    ("service_at_location", "service_at_location.csv", ("id", "service_id", "location_id", "description")),
    ("address", "addresses.csv", ("id", "location_id", "attention", "address_1", "address_2", "city", "region",
                                  "state_province", "postal_code", "country", "address_type")),
    ("phone", "phones.csv", ("id", "location_id", "service_id", "organization_id", "contact_id", "number", "extension",
                             "type", "description")),
    ("schedule", "schedules.csv", ("id", "service_id", "location_id", "freq", "byday", "opens_at", "closes_at",
                                   "valid_from", "valid_to", "description")),
    ("language", "languages.csv", ("id", "service_id", "location_id", "code", "note")),
    ("accessibility", "accessibility.csv", ("id", "location_id", "description")),
    ("attribute", "attributes.csv", ("id", "link_id", "link_entity", "taxonomy_term_id")),
    ("taxonomy_term", "taxonomy_terms.csv", ("id", "code", "name", "description", "taxonomy", "taxonomy_id")),
    ("taxonomy", "taxonomies.csv", ("id", "name", "description")),
)
# Only in the private package (``--private``): personal data.
CONTACT_TABLE = ("contact", "contacts.csv", ("id", "organization_id", "service_id", "service_at_location_id",
                                             "location_id", "name", "title", "department", "email", "x_elip_language"))
_NUMBERS = {"latitude", "longitude", "extension"}
# Other names producers have used for the same files (HSDS 2 and early 3 drafts).
_ALIASES = {"service_at_location": ("service_at_locations.csv",), "address": ("physical_addresses.csv",),
            "accessibility": ("accessibility_for_disabilities.csv",)}


# The lists inside each HSDS object that are rows of tables of their own: (key in the object, table).
_NESTED = {
    "organization": (("phones", "phone"),),
    "location": (("addresses", "address"), ("phones", "phone"), ("schedules", "schedule"), ("languages", "language"),
                 ("accessibility", "accessibility")),
    "service": (("service_at_locations", "service_at_location"), ("schedules", "schedule"), ("languages", "language"),
                ("attributes", "attribute")),
}


def _add(tables: dict[str, list[dict]], table: str, obj: dict) -> None:
    tables[table].append(obj)
    for key, child in _NESTED[table]:
        tables[child].extend(obj.get(key, []))


def _rows(session, private: bool) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {name: [] for name, _, _ in (*TABLES, CONTACT_TABLE)}
    for org in build_directory(session, private=private).organizations:
        _add(tables, "organization", org)
        for contact in org.get("contacts", []):
            tables["contact"].append({**contact, "x_elip_language": (contact.get("x_elip") or {}).get("language")})
            tables["phone"].extend(contact.get("phones", []))
        for loc in org.get("locations", []):
            _add(tables, "location", loc)
        for svc in org.get("services", []):
            _add(tables, "service", svc)
    tables["taxonomy_term"] = taxonomy_terms()
    tables["taxonomy"] = [taxonomy()]
    return tables


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _tables(private: bool):
    return (*TABLES, CONTACT_TABLE) if private else TABLES


def datapackage(private: bool = False) -> dict:
    head = {"description": PRIVATE_WARNING, "x_elip_personal_data": True} if private else {}
    return {
        "name": "elip-service-map", "title": "ELIP Service Map directory", **head, "profile": "tabular-data-package",
        "version": HSDS_VERSION,
        "resources": [{
            "name": name, "path": path, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8",
            "schema": {"fields": [{"name": c, "type": "number" if c in _NUMBERS else "string"} for c in columns],
                       "primaryKey": "id"},
        } for name, path, columns in _tables(private)],
    }


def export_tabular(session, *, private: bool = False) -> bytes:
    """The directory as an HSDS tabular package (zip bytes); ``private`` adds the contacts (personal data)."""
    tables = _rows(session, private)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if private:  # first in the archive, so a person unzipping it sees it before the tables
            archive.writestr("README.txt", PRIVATE_WARNING + "\n")
        archive.writestr("datapackage.json", json.dumps(datapackage(private), indent=2) + "\n")
        for name, path, columns in _tables(private):
            out = io.StringIO(newline="")
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(columns)
            for obj in tables[name]:
                writer.writerow([_cell(obj.get(c)) for c in columns])
            archive.writestr(path, out.getvalue())
    return buffer.getvalue()


# --- import ------------------------------------------------------------------------------------

def read_package(path: Path, max_bytes: int) -> dict[str, list[dict]]:
    """The tables of a tabular package (zip file or folder), by HSDS resource name."""
    files = _open_zip(path, max_bytes) if path.is_file() else _open_folder(path, max_bytes)
    names = {name: (file, *_ALIASES.get(name, ())) for name, file, _ in (*TABLES, CONTACT_TABLE)}
    if "datapackage.json" in files:
        try:
            package = json.loads(files["datapackage.json"].decode("utf-8-sig"))
            for resource in package.get("resources") or []:
                if resource.get("name") in names and resource.get("path"):
                    names[resource["name"]] = (resource["path"], *names[resource["name"]])
        except (UnicodeDecodeError, json.JSONDecodeError, AttributeError, TypeError):
            raise ShapeError("datapackage.json in the package is not readable JSON") from None
    tables: dict[str, list[dict]] = {}
    for name, candidates in names.items():
        found = next((files[c] for c in candidates if c in files), None)
        tables[name] = _read_csv(found, candidates[0]) if found is not None else []
    if not tables["organization"]:
        raise ShapeError("the tabular HSDS package has no organizations.csv (or it is empty)")
    return tables


def _limit(n: int) -> str:
    return (f"the {n / 1048576:g} MB limit; split it or raise the limit (--max-size-mb / ELIP_MAX_UPLOAD_MB)")


def _open_zip(path: Path, max_bytes: int) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if sum(m.file_size for m in members) > max_bytes:
                raise ShapeError(f"the package unpacks to more than {_limit(max_bytes)}")
            # Files may sit in one top folder of the zip: keep the base name only.
            return {Path(m.filename).name: archive.read(m) for m in members
                    if m.filename.endswith((".csv", ".json"))}
    except zipfile.BadZipFile:
        raise ShapeError("the file is not a readable zip archive") from None


def _open_folder(path: Path, max_bytes: int) -> dict[str, bytes]:
    members = [p for p in path.iterdir() if p.is_file() and p.suffix in (".csv", ".json")]
    if sum(p.stat().st_size for p in members) > max_bytes:
        raise ShapeError(f"the folder's files hold more than {_limit(max_bytes)}")
    return {p.name: p.read_bytes() for p in members}


def _read_csv(data: bytes, name: str) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ShapeError(f"{name} is not UTF-8 text") from None
    return [{k.strip(): (v if v != "" else None) for k, v in row.items() if k}
            for row in csv.DictReader(io.StringIO(text, newline=""))]


def collect_tables(tables: dict[str, list[dict]]) -> Collected:
    """Nested organizations from the tables (children found by their parent's id)."""
    def by(table: str, key: str) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for row in tables[table]:
            if row.get(key):
                out.setdefault(row[key], []).append(row)
        return out

    terms = {t["id"]: t for t in tables["taxonomy_term"] if t.get("id")}
    addresses, accessibility = by("address", "location_id"), by("accessibility", "location_id")
    loc_phones, svc_phones, org_phones = by("phone", "location_id"), by("phone", "service_id"), by("phone", "organization_id")
    contact_phones, contacts = by("phone", "contact_id"), by("contact", "organization_id")
    loc_sched, svc_sched = by("schedule", "location_id"), by("schedule", "service_id")
    loc_lang, svc_lang = by("language", "location_id"), by("language", "service_id")
    links = by("service_at_location", "service_id")
    attributes = by("attribute", "link_id")
    locations = by("location", "organization_id")
    services = by("service", "organization_id")
    result = Collected(shape="tabular package", taxonomy_terms=terms)
    for org in tables["organization"]:
        oid = org.get("id")
        nested = {**org, "phones": [p for p in org_phones.get(oid, [])
                                    if not p.get("location_id") and not p.get("service_id") and not p.get("contact_id")]}
        nested["contacts"] = [{**{k: v for k, v in c.items() if k != "x_elip_language"},
                               "phones": contact_phones.get(c.get("id"), []),
                               "x_elip": {"language": c["x_elip_language"]} if c.get("x_elip_language") else None}
                              for c in contacts.get(oid, [])]
        nested["locations"] = [{**loc, "addresses": addresses.get(loc["id"], []), "phones": loc_phones.get(loc["id"], []),
                                "schedules": loc_sched.get(loc["id"], []), "languages": loc_lang.get(loc["id"], []),
                                "accessibility": accessibility.get(loc["id"], [])}
                               for loc in locations.get(oid, [])]
        nested["services"] = [{**svc, "phones": svc_phones.get(svc["id"], []), "schedules": svc_sched.get(svc["id"], []),
                               "languages": svc_lang.get(svc["id"], []), "service_at_locations": links.get(svc["id"], []),
                               "attributes": [a for a in attributes.get(svc["id"], [])
                                              if (a.get("link_entity") or "service") == "service"]}
                              for svc in services.get(oid, [])]
        result.organizations.append(nested)
    orphans = len(tables["service"]) - sum(len(o["services"]) for o in result.organizations)
    if orphans:
        result.notes.append(f"{orphans} service(s) in services.csv name no organization of organizations.csv; left out")
    return result
