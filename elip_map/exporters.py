"""Exporting the directory: a spreadsheet-shaped CSV (one row per location); HSDS lives in ``elip_map.hsds``.

Organization contacts (``contact_email`` and the rest) are private: the CSV never carries them; the
HSDS formats carry them only when asked with ``private=True`` (``elip-map export --private``).

The CSV re-imports losslessly through ``elip-map import``: it carries every field the importer reads,
including geocode provenance, so a manual pin survives the round trip. Cells a spreadsheet would run
as a formula are neutralised with a leading quote (the importer takes it off again).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .directory.models import Location, Organization, Service, ServiceAtLocation
from .hsds.export import dumps_hsds, export_hsds
from .hsds.tabular import export_tabular
from .importers.normalize import Opening, format_hours
from .rules.cells import neutralise_cell
from .rules.phones import display_phone

FORMATS = ("csv", "hsds-json", "hsds-tabular")
PRIVATE_FORMATS = ("hsds-json", "hsds-tabular")  # the formats that can carry the private contacts


class PrivateNotCarried(ValueError):
    """``private`` was asked of a format that never carries the contacts (the CSV)."""


def check_private(fmt: str, private: bool) -> None:
    """PrivateNotCarried, in words a person can act on, when ``fmt`` cannot carry the contacts."""
    if private and fmt not in PRIVATE_FORMATS:
        raise PrivateNotCarried("The CSV export never carries the organizations' private contacts; "
                                "use --private with --format hsds-json or --format hsds-tabular.")

CSV_COLUMNS = (
    "organization", "location_name", "service_name", "address", "address_2", "city", "province", "postal_code",
    "phone", "website", "email", "service_types", "languages", "hours", "eligibility", "eligible_statuses",
    "minimum_age", "maximum_age", "gender", "fee", "fees", "description",
    "accessibility", "transportation", "location_description", "notes", "source_url", "last_verified", "closed",
    "lat", "lon", "geocode_status", "geocode_method", "geocode_precision_m", "geocode_confidence", "geocode_source",
    "geocode_note", "geocoded_at", "geocoded_address", "neighbourhood_number", "neighbourhood", "ward",
    "outside_city", "organization_website", "organization_email",
)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(value)  # shortest text that reads back as the same float
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def hours_text(schedules) -> str:
    """Opening hours as the importer reads them: 'Mon-Fri 09:00-17:00', or the free-text note."""
    openings = [Opening(s.weekday, s.opens_at, s.closes_at) for s in schedules
                if s.weekday and s.opens_at and s.closes_at]
    notes = [s.description for s in schedules if s.description and not (s.weekday and s.opens_at)]
    return "; ".join(p for p in [format_hours(openings), *notes] if p)


def location_rows(session: Session) -> Iterator[dict[str, str]]:
    """One dict per location and service there (one per location for spreadsheet-imported directories)."""
    loc_load = selectinload(Organization.locations)
    orgs = session.scalars(select(Organization).order_by(Organization.name_key).options(
        loc_load.selectinload(Location.addresses), loc_load.selectinload(Location.phones),
        loc_load.selectinload(Location.schedules),
        loc_load.selectinload(Location.service_links).selectinload(ServiceAtLocation.service).selectinload(Service.types),
        loc_load.selectinload(Location.service_links).selectinload(ServiceAtLocation.service).selectinload(Service.languages),
    ))
    for org in orgs:
        for loc in sorted(org.locations, key=lambda item: item.id):
            address = loc.physical_address or (loc.addresses[0] if loc.addresses else None)
            base = {
                "organization": org.name, "location_name": loc.name,
                "address": address and address.address_1, "address_2": address and address.address_2,
                "city": address and address.city, "province": address and address.state_province,
                "postal_code": address and address.postal_code,
                "phone": "; ".join(display_phone(p.number, p.extension) for p in loc.phones),
                "hours": hours_text(loc.schedules), "accessibility": loc.accessibility,
                "transportation": loc.transportation, "location_description": loc.description, "notes": loc.notes,
                "source_url": loc.source_url, "last_verified": loc.last_verified, "closed": loc.closed,
                "lat": loc.latitude, "lon": loc.longitude, "geocode_status": loc.geocode_status,
                "geocode_method": loc.geocode_method, "geocode_precision_m": loc.geocode_precision_m,
                "geocode_confidence": loc.geocode_confidence, "geocode_source": loc.geocode_source,
                "geocode_note": loc.geocode_note, "geocoded_at": loc.geocoded_at,
                "geocoded_address": loc.geocoded_address, "neighbourhood_number": loc.neighbourhood_number,
                "neighbourhood": loc.neighbourhood_name, "ward": loc.ward, "outside_city": loc.outside_city,
                "organization_website": org.website, "organization_email": org.email,
            }
            services = sorted((link.service for link in loc.service_links), key=lambda s: s.id) or [None]
            for svc in services:
                row = dict(base)
                if svc is not None:
                    row.update({
                        "service_name": svc.name, "website": svc.website, "email": svc.email,
                        "service_types": ";".join(t.slug for t in svc.types),
                        "languages": ";".join(lang.code for lang in svc.languages),
                        "eligibility": svc.eligibility, "fees": svc.fees, "description": svc.description,
                        # Slugs (rules.eligibility) joined by ";"; empty means not known.
                        "eligible_statuses": svc.eligible_statuses, "minimum_age": svc.minimum_age,
                        "maximum_age": svc.maximum_age, "gender": svc.gender, "fee": svc.fee,
                    })
                yield {col: _text(row.get(col)) for col in CSV_COLUMNS}


def export_csv(session: Session, out: io.TextIOBase) -> int:
    """Write the CSV export to ``out``; returns the number of data rows."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in location_rows(session):
        writer.writerow([neutralise_cell(row[col]) for col in CSV_COLUMNS])
        count += 1
    return count


def export_text(session: Session, fmt: str, *, private: bool = False) -> str:
    """The export as text in ``fmt`` ('csv' or 'hsds-json'); ``private`` adds the contacts (HSDS only)."""
    check_private(fmt, private)
    if fmt == "csv":
        out = io.StringIO(newline="")
        export_csv(session, out)
        return out.getvalue()
    if fmt == "hsds-json":
        return dumps_hsds(export_hsds(session, private=private)) + "\n"
    raise ValueError(f"unknown export format '{fmt}'; use one of {', '.join(FORMATS)}")


def export_bytes(session: Session, fmt: str, *, private: bool = False) -> bytes:
    """The export as the bytes of its file: UTF-8 text, or the zip of the HSDS tabular package."""
    check_private(fmt, private)
    if fmt == "hsds-tabular":
        return export_tabular(session, private=private)
    # utf-8-sig for CSV so Excel shows accents correctly; the importer accepts the BOM.
    return export_text(session, fmt, private=private).encode("utf-8-sig" if fmt == "csv" else "utf-8")
