"""Read-only queries that turn the directory into listings: one plain dict per public location.

The newcomer page, the partner page and the feeds all show the same listing, so it is built in one
place; no ORM object leaves this module.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..rules.eligibility import FEES, STATUS_SLUGS, age_text, split_statuses
from ..rules.phones import phone_entry
from ..rules.text import fold
from ..rules.urls import safe_website
from .models import (PUBLIC_STATUSES, Address, Language, Location, Organization, Phone, Schedule, Service,
                     ServiceAtLocation, ServiceType)

COORD_DECIMALS = 5  # about 1 m: more digits only add bytes

# Why a listing has no map position, in the words the page uses: it has no street address to show
# (only a PO box, or none at all), or it has one that a person still has to check.
NO_ADDRESS, CHECKING = "no-address", "checking"
_PO_BOX = re.compile(r"\b(p\.?\s*o\.?\s*box|post\s+office\s+box|box\s+\d+|c\.?p\.?\s+\d+|case\s+postale)\b", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[a-z]{2,}$", re.IGNORECASE)


def unplaced_reason(address_line: str | None) -> str:
    """Why a location is not on the map, from its street line: unplaced_reason('PO Box 12') -> 'no-address'."""
    line = (address_line or "").strip()
    return NO_ADDRESS if not line or _PO_BOX.search(line) else CHECKING


def card_address(address_2: str | None, address_1: str | None, city: str | None, province: str | None,
                 postal: str | None) -> str:
    """The address a card shows and its Directions link routes to; none without a street line.

    "Edmonton, AB" alone is no address a person can walk to, and Directions would send them to the
    city centre instead of the pin (a location placed at the place its name names has only a city).
    """
    if not ((address_1 or "").strip() or (address_2 or "").strip()):
        return ""
    return ", ".join(p for p in (address_2, address_1, city, province, postal) if p)


def safe_email(value: str | None) -> str | None:
    """An address a mailto: link can carry as is, or None: safe_email('a@b.ca') -> 'a@b.ca'."""
    value = (value or "").strip()
    return value if _EMAIL.match(value) else None


def feature_id(location_id: int) -> str:
    """Stable string id for the map and the list: feature_id(12) -> 'loc-12' (never 0, see dash-leaflet)."""
    return f"loc-{location_id}"


def _minutes(value: dt.time | None) -> int | None:
    return None if value is None else value.hour * 60 + value.minute


def _hours(schedules) -> tuple[list[list[int]], list[str]]:
    rows, notes = [], []
    for s in schedules:
        opens, closes = _minutes(s.opens_at), _minutes(s.closes_at)
        if s.weekday and opens is not None and closes is not None:
            rows.append([int(s.weekday), opens, closes if closes > opens else 24 * 60])
        if s.description and s.description not in notes:
            notes.append(s.description)
    rows.sort()
    return rows, notes


def _unique(values: Iterable[str | None]) -> list[str]:
    seen: list[str] = []
    for v in values:
        if v and v.strip() and v.strip() not in seen:
            seen.append(v.strip())
    return seen


def _service_eligibility(statuses, minimum_age, maximum_age, gender, fee) -> dict:
    return {"statuses": split_statuses(statuses), "ages": age_text(minimum_age, maximum_age), "gender": gender,
            "fee": fee}


def eligibility_summary(services: list[dict]) -> dict:
    """Who can use a location, from its services: ``elig`` the statuses any service there serves,
    ``elig_unknown`` when some service (or the place, having none) has no known statuses, so the
    newcomer page keeps it visible and says "ask about eligibility"; ages, gender and fee levels
    as the services state them."""
    statuses = {slug for s in services for slug in s["statuses"]}
    return {
        "elig": [slug for slug in STATUS_SLUGS if slug in statuses],
        "elig_unknown": (not services) or any(not s["statuses"] for s in services),
        "ages": "; ".join(_unique(s["ages"] for s in services)),
        "gender": "; ".join(_unique(s["gender"] for s in services)) if all(s["gender"] for s in services) else "",
        "fee_levels": [level for level in FEES if any(s["fee"] == level for s in services)],
    }


def listing_from_location(loc: Location) -> dict:
    """One location as a plain listing dict (no ORM objects leave this module)."""
    org = loc.organization
    services = [s for s in loc.services if s.status == "active"]
    address = loc.physical_address
    types = sorted({slug for s in services for slug in s.type_slugs})
    langs = sorted({lang.code for lang in loc.languages} | {c for s in services for c in s.language_codes})
    phones = loc.phones or org.phones
    hours, notes = _hours(loc.schedules)
    if not hours and not notes:
        hours, notes = _hours([sch for s in services for sch in s.schedules])
    verified = loc.last_verified
    name = loc.name or ""
    placed = loc.is_public
    return {
        "id": feature_id(loc.id),
        "location_id": loc.id,
        "organization_id": org.id,
        "organization": org.name,
        "name": name,
        "address": card_address(address.address_2, address.address_1, address.city, address.state_province,
                                address.postal_code) if address else "",
        "lat": round(loc.latitude, COORD_DECIMALS) if placed else None,
        "lon": round(loc.longitude, COORD_DECIMALS) if placed else None,
        "unplaced": None if placed else unplaced_reason(address.address_1 if address else None),
        "email": safe_email(org.email),
        "types": types,
        "langs": langs,
        "services": _unique(s.name for s in services),
        "phones": [phone_entry(p.number, p.extension) for p in phones],
        "website": safe_website(org.website) or next((safe_website(s.website) for s in services if safe_website(s.website)), None),
        "accessibility": loc.accessibility or "",
        "eligibility": "; ".join(_unique(s.eligibility for s in services)),
        "fees": "; ".join(_unique(s.fees for s in services)),
        **eligibility_summary([_service_eligibility(s.eligible_statuses, s.minimum_age, s.maximum_age, s.gender, s.fee)
                               for s in services]),
        "hours": hours,
        "hours_note": "; ".join(notes),
        "last_verified": verified.isoformat() if verified else None,
        "hood": loc.neighbourhood_number or "",
        "hood_name": loc.neighbourhood_name or "",
        "text": fold(" ".join([org.name, org.alternate_name or "", name, *(s.name for s in services)])),
        "sort": fold(f"{org.name} {name}") + f" {loc.id:09d}",
    }


def _public_filter():
    return (Location.closed.is_(False), Location.geocode_status.in_(PUBLIC_STATUSES),
            Location.latitude.is_not(None), Location.longitude.is_not(None))


def _placed(status, lat, lon) -> bool:
    return status in PUBLIC_STATUSES and lat is not None and lon is not None


def load_listings(session: Session, location_ids: Iterable[int] | None = None, *,
                  include_unplaced: bool = False) -> list[dict]:
    """Every public location (status ok or manual, not closed, placed on the map), as listing dicts.

    ``include_unplaced`` adds the open locations the map cannot show (no street address, or one still
    being checked) with ``lat``/``lon`` None and ``unplaced`` saying why: a newcomer can still call them
    or visit their website, so the newcomer page lists them too.

    Plain column queries, one per table, assembled in Python: the ORM took minutes for 10,000
    locations (one object per row and relationship), this takes well under a second. The result is
    the same as :func:`listing_from_location` for each location (a unit test holds them together).
    """
    where = [Location.closed.is_(False)] if include_unplaced else list(_public_filter())
    if location_ids is not None:
        where.append(Location.id.in_(list(location_ids)))
    public = select(Location.id).where(*where).scalar_subquery()
    loc_rows = session.execute(
        select(Location.id, Location.name, Location.latitude, Location.longitude, Location.accessibility,
               Location.last_verified, Location.neighbourhood_number, Location.neighbourhood_name,
               Organization.id, Organization.name, Organization.alternate_name, Organization.website,
               Location.geocode_status, Organization.email)
        .join(Organization, Organization.id == Location.organization_id).where(*where)).all()
    if not loc_rows:
        return []

    addresses: dict[int, str] = {}
    street: dict[int, str] = {}
    for lid, a1, a2, city, prov, postal in session.execute(
            select(Address.location_id, Address.address_1, Address.address_2, Address.city, Address.state_province,
                   Address.postal_code).where(Address.location_id.in_(public), Address.address_type == "physical")
            .order_by(Address.id)):
        addresses.setdefault(lid, card_address(a2, a1, city, prov, postal))
        street.setdefault(lid, a1 or "")

    loc_phones, org_phones = defaultdict(list), defaultdict(list)
    for lid, number, ext in session.execute(select(Phone.location_id, Phone.number, Phone.extension)
                                            .where(Phone.location_id.in_(public)).order_by(Phone.id)):
        loc_phones[lid].append(phone_entry(number, ext))
    org_ids = {row[8] for row in loc_rows}
    for oid, number, ext in session.execute(select(Phone.organization_id, Phone.number, Phone.extension)
                                            .where(Phone.organization_id.in_(org_ids), Phone.location_id.is_(None))
                                            .order_by(Phone.id)):
        org_phones[oid].append(phone_entry(number, ext))

    class _Sched:  # the shape _hours() reads
        __slots__ = ("weekday", "opens_at", "closes_at", "description")

        def __init__(self, weekday, opens_at, closes_at, description):
            self.weekday, self.opens_at, self.closes_at, self.description = weekday, opens_at, closes_at, description

    loc_sched, svc_sched = defaultdict(list), defaultdict(list)
    for lid, sid, wd, o, c, d in session.execute(
            select(Schedule.location_id, Schedule.service_id, Schedule.weekday, Schedule.opens_at, Schedule.closes_at,
                   Schedule.description).where((Schedule.location_id.in_(public)) | (Schedule.service_id.in_(
                       select(ServiceAtLocation.service_id).where(ServiceAtLocation.location_id.in_(public)))))
            .order_by(Schedule.id)):
        if lid is not None:
            loc_sched[lid].append(_Sched(wd, o, c, d))
        elif sid is not None:
            svc_sched[sid].append(_Sched(wd, o, c, d))

    services_at = defaultdict(list)
    services: dict[int, dict] = {}
    for lid, sid, name, elig, fees, web, statuses, age_min, age_max, gender, fee in session.execute(
            select(ServiceAtLocation.location_id, Service.id, Service.name, Service.eligibility, Service.fees,
                   Service.website, Service.eligible_statuses, Service.minimum_age, Service.maximum_age,
                   Service.gender, Service.fee).join(Service, Service.id == ServiceAtLocation.service_id)
            .where(ServiceAtLocation.location_id.in_(public), Service.status == "active")
            .order_by(ServiceAtLocation.id)):
        services_at[lid].append(sid)
        services.setdefault(sid, {"name": name, "eligibility": elig, "fees": fees, "website": web,
                                  "types": set(), "langs": set(),
                                  "elig": _service_eligibility(statuses, age_min, age_max, gender, fee)})
    linked = select(ServiceAtLocation.service_id).where(ServiceAtLocation.location_id.in_(public))
    for sid, slug in session.execute(select(ServiceType.service_id, ServiceType.slug)
                                     .where(ServiceType.service_id.in_(linked))):
        if sid in services:
            services[sid]["types"].add(slug)
    loc_langs = defaultdict(set)
    for lid, sid, code in session.execute(select(Language.location_id, Language.service_id, Language.code).where(
            Language.location_id.in_(public) | Language.service_id.in_(linked))):
        if lid is not None:
            loc_langs[lid].add(code)
        if sid is not None and sid in services:
            services[sid]["langs"].add(code)

    listings = []
    for lid, lname, lat, lon, access, verified, hood, hood_name, oid, oname, oalt, oweb, status, oemail in loc_rows:
        placed = _placed(status, lat, lon)
        svc = [services[sid] for sid in services_at.get(lid, [])]
        hours, notes = _hours(loc_sched.get(lid, []))
        if not hours and not notes:
            hours, notes = _hours([x for sid in services_at.get(lid, []) for x in svc_sched.get(sid, [])])
        name = lname or ""
        listings.append({
            "id": feature_id(lid),
            "location_id": lid,
            "organization_id": oid,
            "organization": oname,
            "name": name,
            "address": addresses.get(lid, ""),
            "lat": round(lat, COORD_DECIMALS) if placed else None,
            "lon": round(lon, COORD_DECIMALS) if placed else None,
            "unplaced": None if placed else unplaced_reason(street.get(lid)),
            "email": safe_email(oemail),
            "types": sorted({t for s in svc for t in s["types"]}),
            "langs": sorted(loc_langs.get(lid, set()) | {c for s in svc for c in s["langs"]}),
            "services": _unique(s["name"] for s in svc),
            "phones": loc_phones.get(lid) or org_phones.get(oid, []),
            "website": safe_website(oweb) or next((safe_website(s["website"]) for s in svc if safe_website(s["website"])), None),
            "accessibility": access or "",
            "eligibility": "; ".join(_unique(s["eligibility"] for s in svc)),
            "fees": "; ".join(_unique(s["fees"] for s in svc)),
            **eligibility_summary([s["elig"] for s in svc]),
            "hours": hours,
            "hours_note": "; ".join(notes),
            "last_verified": verified.isoformat() if verified else None,
            "hood": hood or "",
            "hood_name": hood_name or "",
            "text": fold(" ".join([oname, oalt or "", name, *(s["name"] for s in svc)])),
            "sort": fold(f"{oname} {name}") + f" {lid:09d}",
        })
    listings.sort(key=lambda item: item["sort"])
    return listings


def count_unplaced(session: Session) -> int:
    """Open locations that are not on the map (geocode needs a person, or no coordinates yet)."""
    public = _public_filter()
    total_open = session.scalar(select(func.count(Location.id)).where(Location.closed.is_(False))) or 0
    placed = session.scalar(select(func.count(Location.id)).where(*public)) or 0
    return total_open - placed


def languages_in_use(listings: Iterable[Mapping]) -> list[str]:
    """Language codes offered by at least one public listing, for the language filter."""
    return sorted({code for item in listings for code in item["langs"]})


def public_language_codes(session: Session) -> list[str]:
    """Language codes spoken at public locations (by the location or one of its services)."""
    public = select(Location.id).where(*_public_filter())
    linked = select(ServiceAtLocation.service_id).where(ServiceAtLocation.location_id.in_(public))
    # IN (subquery), not a join: neither foreign key is indexed, and SQLite's join went quadratic (minutes at 10k).
    stmt = select(Language.code).where(Language.location_id.in_(public) | Language.service_id.in_(linked)).distinct()
    return sorted(set(session.scalars(stmt)))
