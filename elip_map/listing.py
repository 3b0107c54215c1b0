"""Read-only queries that turn the directory into what the newcomer page shows.

``load_listings`` gives one plain dict per public location (the listing card and the partner page
take these dicts); ``feature_collection`` packs them as compact GeoJSON for the browser, which
filters and ranks them itself (see :mod:`elip_map.filters`).
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .directory.models import PUBLIC_STATUSES, Location, Organization, Service, ServiceAtLocation
from .filters import normalize_text

COORD_DECIMALS = 5  # about 1 m: more digits only add bytes


def feature_id(location_id: int) -> str:
    """Stable string id for the map and the list: feature_id(12) -> 'loc-12' (never 0, see dash-leaflet)."""
    return f"loc-{location_id}"


def safe_website(url: str | None) -> str | None:
    """Only http(s) links reach the page: safe_website('javascript:alert(1)') -> None."""
    if not url:
        return None
    url = url.strip()
    if "://" not in url and "." in url and " " not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def phone_entry(number: str, extension: str | None = None) -> dict:
    """A tel: target and a display form: phone_entry('+17804247709') -> {'tel': '+17804247709', 'display': '780-424-7709'}."""
    display = number
    try:
        parsed = phonenumbers.parse(number, "CA")
        display = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        if parsed.country_code == 1:
            display = display.replace("(", "").replace(") ", "-")
    except phonenumbers.NumberParseException:
        pass
    entry = {"tel": number, "display": display}
    if extension:
        entry["ext"] = extension
    return entry


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
    return {
        "id": feature_id(loc.id),
        "location_id": loc.id,
        "organization_id": org.id,
        "organization": org.name,
        "name": name,
        "address": address.one_line() if address else "",
        "lat": round(loc.latitude, COORD_DECIMALS) if loc.latitude is not None else None,
        "lon": round(loc.longitude, COORD_DECIMALS) if loc.longitude is not None else None,
        "types": types,
        "langs": langs,
        "services": _unique(s.name for s in services),
        "phones": [phone_entry(p.number, p.extension) for p in phones],
        "website": safe_website(org.website) or next((safe_website(s.website) for s in services if safe_website(s.website)), None),
        "accessibility": loc.accessibility or "",
        "eligibility": "; ".join(_unique(s.eligibility for s in services)),
        "fees": "; ".join(_unique(s.fees for s in services)),
        "hours": hours,
        "hours_note": "; ".join(notes),
        "last_verified": verified.isoformat() if verified else None,
        "hood": loc.neighbourhood_number or "",
        "hood_name": loc.neighbourhood_name or "",
        "text": normalize_text(" ".join([org.name, org.alternate_name or "", name, *(s.name for s in services)])),
        "sort": normalize_text(f"{org.name} {name}") + f" {loc.id:09d}",
    }


def _public_filter():
    return (Location.closed.is_(False), Location.geocode_status.in_(PUBLIC_STATUSES),
            Location.latitude.is_not(None), Location.longitude.is_not(None))


def load_listings(session: Session, location_ids: Iterable[int] | None = None) -> list[dict]:
    """Every public location (status ok or manual, not closed, placed on the map), as listing dicts.

    Plain column queries, one per table, assembled in Python: the ORM took minutes for 10,000
    locations (one object per row and relationship), this takes well under a second. The result is
    the same as :func:`listing_from_location` for each location (a unit test holds them together).
    """
    from collections import defaultdict

    from .directory.models import Address, Language, Phone, Schedule, ServiceType

    where = list(_public_filter())
    if location_ids is not None:
        where.append(Location.id.in_(list(location_ids)))
    public = select(Location.id).where(*where).scalar_subquery()
    loc_rows = session.execute(
        select(Location.id, Location.name, Location.latitude, Location.longitude, Location.accessibility,
               Location.last_verified, Location.neighbourhood_number, Location.neighbourhood_name,
               Organization.id, Organization.name, Organization.alternate_name, Organization.website)
        .join(Organization, Organization.id == Location.organization_id).where(*where)).all()
    if not loc_rows:
        return []

    addresses: dict[int, str] = {}
    for lid, a1, a2, city, prov, postal in session.execute(
            select(Address.location_id, Address.address_1, Address.address_2, Address.city, Address.state_province,
                   Address.postal_code).where(Address.location_id.in_(public), Address.address_type == "physical")
            .order_by(Address.id)):
        addresses.setdefault(lid, ", ".join(p for p in (a2, a1, city, prov, postal) if p))

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
    for lid, sid, name, elig, fees, web in session.execute(
            select(ServiceAtLocation.location_id, Service.id, Service.name, Service.eligibility, Service.fees,
                   Service.website).join(Service, Service.id == ServiceAtLocation.service_id)
            .where(ServiceAtLocation.location_id.in_(public), Service.status == "active")
            .order_by(ServiceAtLocation.id)):
        services_at[lid].append(sid)
        services.setdefault(sid, {"name": name, "eligibility": elig, "fees": fees, "website": web,
                                  "types": set(), "langs": set()})
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
    for lid, lname, lat, lon, access, verified, hood, hood_name, oid, oname, oalt, oweb in loc_rows:
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
            "lat": round(lat, COORD_DECIMALS),
            "lon": round(lon, COORD_DECIMALS),
            "types": sorted({t for s in svc for t in s["types"]}),
            "langs": sorted(loc_langs.get(lid, set()) | {c for s in svc for c in s["langs"]}),
            "services": _unique(s["name"] for s in svc),
            "phones": loc_phones.get(lid) or org_phones.get(oid, []),
            "website": safe_website(oweb) or next((safe_website(s["website"]) for s in svc if safe_website(s["website"])), None),
            "accessibility": access or "",
            "eligibility": "; ".join(_unique(s["eligibility"] for s in svc)),
            "fees": "; ".join(_unique(s["fees"] for s in svc)),
            "hours": hours,
            "hours_note": "; ".join(notes),
            "last_verified": verified.isoformat() if verified else None,
            "hood": hood or "",
            "hood_name": hood_name or "",
            "text": normalize_text(" ".join([oname, oalt or "", name, *(s["name"] for s in svc)])),
            "sort": normalize_text(f"{oname} {name}") + f" {lid:09d}",
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


# The browser needs these for filtering, ranking and the card; the rest stays on the server.
FEATURE_FIELDS = ("organization", "name", "address", "types", "langs", "services", "phones", "website",
                  "accessibility", "eligibility", "fees", "hours", "hours_note", "last_verified", "hood",
                  "hood_name", "text", "sort")


def feature_collection(listings: Iterable[Mapping]) -> dict:
    """Listings as a GeoJSON FeatureCollection with string ids and 5-decimal coordinates.

    Empty values are dropped to keep the download small; the browser treats a missing key as empty.
    """
    features = []
    for item in listings:
        if item.get("lat") is None or item.get("lon") is None:
            continue
        props = {"id": item["id"]}
        for key in FEATURE_FIELDS:
            value = item.get(key)
            if value not in (None, "", []):
                props[key] = value
        features.append({"type": "Feature", "id": item["id"],
                         "geometry": {"type": "Point", "coordinates": [item["lon"], item["lat"]]},
                         "properties": props})
    return {"type": "FeatureCollection", "features": features}


# --- places for "near" and the neighbourhood filter -------------------------------------------------

def _former_names() -> dict[str, str]:
    """Names people still use for renamed neighbourhoods (kept by the reference-data module)."""
    try:
        from .spatial.neighbourhoods import FORMER_NAMES
    except ImportError:
        return {}
    return dict(FORMER_NAMES)


class Neighbourhoods:
    """Neighbourhood names, centres and simplified outlines: read-only, loaded once per app.

    ``options`` feeds the searchable filter, ``find`` answers "near Alberta Avenue" without any
    geocoder, and ``geojson_bytes`` is the boundaries layer served by the API.
    """

    def __init__(self, rows: list[dict], geojson_bytes: bytes | None):
        self.rows = rows
        self.geojson_bytes = geojson_bytes
        self.geojson_gzip = gzip.compress(geojson_bytes, compresslevel=9) if geojson_bytes else None
        self._by_key = {normalize_text(r["name"]): r for r in rows}
        by_number = {r["number"]: r for r in rows}
        for former, number in _former_names().items():
            if number in by_number:
                self._by_key.setdefault(normalize_text(former), by_number[number])

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def options(self) -> list[dict]:
        return [{"label": r["name"], "value": r["number"]} for r in self.rows]

    def find(self, text: str) -> dict | None:
        """The neighbourhood called ``text`` (case, accents and punctuation ignored), or None."""
        return self._by_key.get(normalize_text(text))

    def name_of(self, number: str | None) -> str | None:
        return next((r["name"] for r in self.rows if r["number"] == number), None)


def _title_name(props: Mapping) -> str:
    name = props.get("descriptive_name") or props.get("name") or ""
    return name if not name.isupper() else name.title()


def neighbourhoods_from_geojson(data: Mapping, *, tolerance_deg: float = 0.00015) -> Neighbourhoods:
    """Build :class:`Neighbourhoods` from a City of Edmonton neighbourhoods FeatureCollection.

    Outlines are simplified (about 15 m) and rounded to 5 decimals: the layer is a guide for the eye,
    and the full boundaries would weigh ~3 MB on a phone.
    """
    import json

    import shapely
    from shapely.geometry import mapping, shape

    rows, features = [], []
    for feature in data.get("features", []):
        props = feature.get("properties") or {}
        geom = feature.get("geometry")
        number = str(props.get("neighbourhood_number") or props.get("number") or "").strip()
        name = _title_name(props)
        if not geom or not number or not name:
            continue
        polygon = shape(geom)
        centre = polygon.representative_point()
        rows.append({"number": number, "name": name, "lat": round(centre.y, 5), "lon": round(centre.x, 5)})
        small = shapely.set_precision(polygon.simplify(tolerance_deg, preserve_topology=True), 1e-5)
        features.append({"type": "Feature", "id": f"hood-{number}", "geometry": mapping(small),
                         "properties": {"id": f"hood-{number}", "name": name}})
    rows.sort(key=lambda r: normalize_text(r["name"]))
    payload = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    return Neighbourhoods(rows, payload.encode())


def load_neighbourhoods_for_app(settings) -> Neighbourhoods:
    """The neighbourhoods the page uses: the project's reference data, else the open-data mirror.

    Never fails: with no boundaries at all the page still works, without the layer and the filter.
    """
    import json
    import logging

    from .paths import GEODATA_DIR

    log = logging.getLogger(__name__)
    # The reference-data build writes plain GeoJSON: read it with json, so a web worker needs no geopandas.
    candidates = [GEODATA_DIR / "neighbourhoods.geojson"]
    mirror = getattr(settings, "data_mirror", None)
    if mirror:
        candidates += sorted(mirror.glob("*neighbourhoods*.geojson"), reverse=True)
    for path in candidates:
        if path.is_file():
            try:
                return neighbourhoods_from_geojson(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("could not read neighbourhoods from %s: %s", path.name, exc)
    return Neighbourhoods([], None)


_UNPLACED_STATUSES = frozenset({"needs-attention", "not-found", "failed", "error", "outside-city"})


def resolve_near(text: str, neighbourhoods: Neighbourhoods, geocode=None) -> dict:
    """Place the "near" box's text: a neighbourhood name first, then the project's geocoder.

    Returns {"status": "ok", "lat", "lon", "label"} or {"status": "not-found" | "unavailable",
    "label"}; ``geocode`` is ``geocode_query(text)`` or None when the geocoder is not installed.
    """
    text = (text or "").strip()
    if not text:
        return {"status": "empty", "label": ""}
    hood = neighbourhoods.find(text)
    if hood:
        return {"status": "ok", "lat": hood["lat"], "lon": hood["lon"], "label": hood["name"]}
    if geocode is None:
        return {"status": "unavailable", "label": text}
    try:
        result = geocode(text)
    except Exception:  # a geocoder failure must not break the page; the reader gets a message instead
        return {"status": "unavailable", "label": text}
    lat = getattr(result, "lat", None) if result is not None else None
    lon = getattr(result, "lon", None) if result is not None else None
    status = str(getattr(result, "status", "ok") or "ok")
    if lat is None or lon is None or status in _UNPLACED_STATUSES:
        return {"status": "not-found", "label": text}
    return {"status": "ok", "lat": round(float(lat), 5), "lon": round(float(lon), 5), "label": text}


def project_geocoder():
    """The project's ``geocode_query`` when the geocoding package provides one, else None."""
    try:
        from .geocoding.chain import geocode_query  # type: ignore[import-not-found]
    except Exception:
        return None
    return geocode_query


def public_language_codes(session: Session) -> list[str]:
    """Language codes spoken at public locations (by the location or one of its services)."""
    from .directory.models import Language

    public = select(Location.id).where(*_public_filter())
    linked = select(ServiceAtLocation.service_id).where(ServiceAtLocation.location_id.in_(public))
    # IN (subquery), not a join: neither foreign key is indexed, and SQLite's join went quadratic (minutes at 10k).
    stmt = select(Language.code).where(Language.location_id.in_(public) | Language.service_id.in_(linked)).distinct()
    return sorted(set(session.scalars(stmt)))


# --- what the newcomer page needs per request ----------------------------------------------------

def split_param(value) -> list[str]:
    """A multi-valued query parameter, comma-separated or repeated: split_param('food,health') -> ['food', 'health']."""
    if not value:
        return []
    values = value if isinstance(value, list) else [value]
    return [part.strip() for v in values for part in str(v).split(",") if part.strip()]


def page_context(config: Mapping) -> dict:
    """Per-request facts for the page, read from the database named in the app's config."""
    from .directory.fingerprint import directory_fingerprint

    database = config["ELIP_DATABASE"]
    settings = config["ELIP_SETTINGS"]
    hoods: Neighbourhoods = config["ELIP_NEIGHBOURHOODS"]
    with database.session() as session:
        fingerprint = directory_fingerprint(session)
        languages = public_language_codes(session)
        unplaced = count_unplaced(session)
    return {
        "data_url": f"/api/locations.geojson?v={fingerprint}",
        "languages": languages,
        "unplaced": unplaced,
        "hood_options": hoods.options,
        "has_boundaries": bool(hoods.geojson_bytes),
        "near_available": project_geocoder() is not None,
        "tile_url": settings.tile_url or None,
        "tile_attribution": settings.tile_attribution,
    }


def near_answer(text: str | None, ui: str, config: Mapping) -> tuple[dict | None, str]:
    """The "near" store value and the message to show, in the reader's language."""
    import functools

    from .i18n import translator

    _ = translator(ui)
    geocode = project_geocoder()
    if geocode is not None:
        geocode = functools.partial(geocode, settings=config.get("ELIP_SETTINGS"))
    answer = resolve_near(text or "", config["ELIP_NEIGHBOURHOODS"], geocode)
    if answer["status"] == "ok":
        return {"lat": answer["lat"], "lon": answer["lon"], "label": answer["label"], "query": (text or "").strip()}, ""
    if answer["status"] == "empty":
        return None, ""
    if answer["status"] == "unavailable":
        return None, _("Searching near an address is not available right now. Try a neighbourhood name; "
                       "the other filters still work.")
    return None, _("Could not find “{place}” in Edmonton. Try a postal code, an intersection like "
                   "118 Avenue & 82 Street, or a neighbourhood name.", place=answer["label"])
