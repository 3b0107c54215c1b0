"""Corrections to a location: snapshot, validate, diff, submit, approve/reject, direct edits, pins.

A correction's payload holds only the fields it changes, with the same keys as
:func:`location_snapshot`::

    {"name": str, "description": str, "accessibility": str, "address_1": str, "postal_code": str,
     "phone": "+17805550100", "hours": [[weekday 1-7, opens_min, closes_min], ...], "hours_note": str,
     "closed": bool, "pin": {"lat": float, "lon": float},
     "services": {"<service id>": {"name": str, "eligibility": str, "fees": str,
                                   "types": [slug, ...], "languages": [iso, ...],
                                   "statuses": [status slug, ...], "fee": "free"|"low-cost"|"fee"|"",
                                   "minimum_age": int|None, "maximum_age": int|None, "gender": "women"|"men"|""}}}

Approval applies a payload in one transaction with optimistic locking: the request's base version
must still be the location's version, and the UPDATE itself checks it again (SQLAlchemy
``version_id_col``), so two reviewers can never overwrite each other's work silently.

A decision first claims the request with a compare-and-set (``UPDATE ... WHERE status = 'pending' AND
version = <read>``): PostgreSQL makes a second claimant wait for the first one's row lock and then finds
no pending row; SQLite takes its write lock at that UPDATE and sees the committed decision. Exactly one
of two simultaneous decisions wins; the other is told who decided and when (:class:`AlreadyDecided`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import get_day_names
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..directory.audit import record_audit
from ..directory.languages import known_codes, language_name
from ..directory.models import Address, GeocodeStatus, Language, Location, Phone, Schedule, Service, ServiceType, utcnow
from ..directory.storage import bump_directory_version
from ..directory.taxonomy import BY_SLUG
from ..directory.users import User
from ..geocoding.apply import geocode_locations
from ..i18n import N_, babel_locale, format_datetime, format_list, reader_translator, reader_ui, translator
from ..rules.hours import hours_items
from ..rules.postal import canonical_postal_code
from ..spatial.neighbourhoods import assign_neighbourhoods
from ..rules.eligibility import FEES, GENDERS, STATUS_SLUGS, join_statuses, split_statuses
from ..directory.values import ValueRefused, check_phone, check_position, check_text, check_website, column_limit
from .models import ChangeRequest, RequestStatus

# Where each text of a correction is stored, and the longest text a form accepts for it (the column's
# own length when it has one, read off the table, else what a person reasonably writes there).
TEXT_COLUMNS = {"name": (Location, "name", 300), "description": (Location, "description", 4000),
                "accessibility": (Location, "accessibility", 2000), "address_1": (Address, "address_1", 300),
                "hours_note": (Schedule, "description", 300)}
SERVICE_TEXT_COLUMNS = {"name": (Service, "name", 300), "eligibility": (Service, "eligibility", 2000),
                        "fees": (Service, "fees", 1000)}
TEXT_FIELDS = {key: min(filter(None, (column_limit(m, c), most))) for key, (m, c, most) in TEXT_COLUMNS.items()}
SERVICE_TEXT_FIELDS = {key: min(filter(None, (column_limit(m, c), most)))
                       for key, (m, c, most) in SERVICE_TEXT_COLUMNS.items()}
FIELD_LABELS = {
    "name": N_("Location name"), "description": N_("Description"), "accessibility": N_("Accessibility"),
    "address_1": N_("Street address"), "postal_code": N_("Postal code"), "phone": N_("Phone"),
    "hours": N_("Opening hours"), "hours_note": N_("Hours note"), "closed": N_("Closed"), "pin": N_("Map pin"),
    "types": N_("Service types"), "languages": N_("Languages"), "eligibility": N_("Eligibility note"),
    "fees": N_("Fees note"), "statuses": N_("Who can use it"), "fee": N_("Fee"), "minimum_age": N_("Youngest age"),
    "maximum_age": N_("Oldest age"), "gender": N_("Only for"), "website": N_("Website"),
}
SERVICE_NAME = N_("Service name")
SERVICE_LABELS = {**FIELD_LABELS, "name": SERVICE_NAME}
NOTHING_CHANGED = N_("Nothing was changed: every value is the same as in the listing.")
GENDER_WORDS = {"women": N_("Women"), "men": N_("Men")}
# Who may use a service and what it costs, as the partner and staff forms name them.
STATUS_WORDS = {
    "permanent-resident": N_("Permanent residents"), "protected-person": N_("Protected persons and convention refugees"),
    "refugee-claimant": N_("Refugee claimants"), "temporary-worker": N_("Temporary foreign workers"),
    "international-student": N_("International students"), "visitor": N_("Visitors"),
    "cuaet": N_("Ukrainian (CUAET) arrivals"), "citizen": N_("Canadian citizens"), "everyone": N_("Everyone"),
}
FEE_WORDS = {"free": N_("Free"), "low-cost": N_("Low cost"), "fee": N_("Fee")}
ELIGIBILITY_FIELDS = ("statuses", "fee", "minimum_age", "maximum_age", "gender")
# Pins outside this box (the Edmonton region, generously) are typing or dragging mistakes.


class InvalidChange(ValueError):
    """The proposed change cannot be stored; ``problems`` lists each reason in plain words."""

    def __init__(self, problems: list[str], nothing_changed: bool = False):
        super().__init__(" ".join(problems))
        self.problems = problems
        self.nothing_changed = nothing_changed  # the only problem: every value is already so


class ReviewError(Exception):
    """The request cannot be decided (already decided, listing gone, not allowed)."""


class Conflict(ReviewError):
    """The listing changed since the request was made: applying it would overwrite someone's edit."""


class AlreadyDecided(ReviewError):
    """Another reviewer decided this request first: the message says who and when, in the reader's language."""

    MESSAGES = {
        RequestStatus.APPROVED.value: N_("Already decided: {who} approved this request on {when} (UTC). "
                                         "Your decision was not recorded."),
        RequestStatus.REJECTED.value: N_("Already decided: {who} rejected this request on {when} (UTC). "
                                         "Your decision was not recorded."),
    }
    SOMEONE = N_("another staff member")

    def __init__(self, status: str, who: str | None, when: dt.datetime | None):
        self.status, self.who, self.when = status, who, when
        super().__init__(self.text("en"))

    def text(self, ui: str) -> str:
        """The message in language ``ui``, e.g. "Already decided: ana@elip.example approved this request on …"."""
        _ = translator(ui)
        message = self.MESSAGES.get(self.status, self.MESSAGES[RequestStatus.APPROVED.value])
        when = format_datetime(self.when, ui, length="medium") if self.when else "?"
        return _(message, who=self.who or _(self.SOMEONE), when=when)


# --- snapshot and diff (pure) --------------------------------------------------------------------

def _minutes(t: dt.time | None) -> int | None:
    return None if t is None else t.hour * 60 + t.minute


def location_snapshot(loc: Location) -> dict[str, Any]:
    """The editable fields of a location, in payload form (plain values only)."""
    address = loc.physical_address
    hours = sorted([int(s.weekday), _minutes(s.opens_at), _minutes(s.closes_at)] for s in loc.schedules
                   if s.weekday and s.opens_at is not None and s.closes_at is not None)
    notes = [s.description for s in loc.schedules if s.description]
    services = {}
    for svc in sorted(loc.services, key=lambda s: s.id):
        services[str(svc.id)] = {"name": svc.name, "eligibility": svc.eligibility or "", "fees": svc.fees or "",
                                 "types": sorted(svc.type_slugs), "languages": sorted(svc.language_codes),
                                 "statuses": split_statuses(svc.eligible_statuses), "fee": svc.fee or "",
                                 "minimum_age": svc.minimum_age, "maximum_age": svc.maximum_age,
                                 "gender": svc.gender or "", "website": svc.website or ""}
    return {
        "name": loc.name or "", "description": loc.description or "", "accessibility": loc.accessibility or "",
        "address_1": (address.address_1 or "") if address else "",
        "postal_code": (address.postal_code or "") if address else "",
        "phone": loc.phones[0].number if loc.phones else "",
        "hours": hours, "hours_note": "; ".join(notes), "closed": bool(loc.closed),
        "pin": None if loc.latitude is None else {"lat": round(loc.latitude, 6), "lon": round(loc.longitude, 6)},
        "services": services,
    }


def day_names(ui: str) -> list[str]:
    """Short weekday names, Monday first, in the reader's language (CLDR)."""
    names = get_day_names("abbreviated", locale=babel_locale(ui))
    return [names[i] for i in range(7)]


def _clean_text(value: Any, limit: int, label: str, problems: list[str]) -> str | None:
    """Text that fits (the shared check of directory.values), or None with the problem added in the
    reader's language."""
    _ = reader_translator()
    if isinstance(value, str) and limit <= 300:
        value = " ".join(value.split())
    try:
        return check_text(value, _(label), limit) or ""
    except ValueRefused as exc:
        problems.append(exc.problem.translated(_))
        return None


def _clean_texts(sent: dict, limits: dict[str, int], labels: dict[str, str], problems: list[str]) -> dict[str, str]:
    """Each text field that was sent and fits, for a location or a service alike; problems added for the rest."""
    out = {}
    for key, limit in limits.items():
        if key in sent:
            value = _clean_text(sent[key], limit, labels[key], problems)
            if value is not None:
                out[key] = value
    return out


def _clean_hours(value: Any, problems: list[str]) -> list[list[int]] | None:
    _ = reader_translator()
    if not isinstance(value, list):
        problems.append(_("Opening hours must be a list of days with opening and closing times."))
        return None
    rows = []
    for row in value:
        try:
            day, opens, closes = (int(v) for v in row)
        except (TypeError, ValueError):
            problems.append(_("Each opening-hours row needs a day, an opening and a closing time."))
            return None
        if not 1 <= day <= 7 or not 0 <= opens < closes <= 24 * 60:
            problems.append(_("Opening hours on {day} must open before they close.",
                              day=day_names(reader_ui())[day - 1] if 1 <= day <= 7 else str(day)))
            return None
        rows.append([day, opens, closes])
    return sorted(rows)


def validate_payload(payload: Any, snapshot: dict[str, Any]) -> dict[str, Any]:
    """The payload cleaned and reduced to real changes; InvalidChange lists every problem.

    Example: validate_payload({"phone": "780 424 7709"}, snap) -> {"phone": "+17804247709"}.
    """
    _ = reader_translator()
    if not isinstance(payload, dict):
        raise InvalidChange([_("The correction is not in the expected form.")])
    problems: list[str] = []
    clean: dict[str, Any] = {}
    unknown = set(payload) - (set(FIELD_LABELS) - {"website"}) - {"services"}
    if unknown:
        problems.append(_("Unknown fields: {fields}.", fields=", ".join(sorted(map(str, unknown)))))
    clean.update(_clean_texts(payload, TEXT_FIELDS, FIELD_LABELS, problems))
    if "postal_code" in payload:
        raw = str(payload["postal_code"] or "").strip()
        code = canonical_postal_code(raw)
        if raw and not code:
            problems.append(_("“{value}” is not a Canadian postal code (like T5J 0N3).", value=payload["postal_code"]))
        else:
            clean["postal_code"] = code or ""
    if "phone" in payload:
        try:
            label = FIELD_LABELS["phone"]  # a name, not a literal: the catalogue extractor would take "phone"
            clean["phone"] = check_phone(payload["phone"], _(label)) or ""
        except ValueRefused as exc:
            problems.append(exc.problem.translated(_))
    if "hours" in payload:
        hours = _clean_hours(payload["hours"], problems)
        if hours is not None:
            clean["hours"] = hours
    if "closed" in payload:
        if not isinstance(payload["closed"], bool):
            problems.append(_("Closed must be yes or no."))
        else:
            clean["closed"] = payload["closed"]
    if "pin" in payload:
        pin = payload["pin"]
        try:
            position = check_position(pin["lat"], pin["lon"]) if isinstance(pin, dict) else None
        except (KeyError, ValueRefused) as exc:
            position = getattr(exc, "problem", None)
        if isinstance(position, tuple):
            clean["pin"] = {"lat": round(position[0], 6), "lon": round(position[1], 6)}
        else:
            problems.append(position.translated(_) if position else _("The map pin needs a latitude and a longitude."))
    if "services" in payload:
        clean_services = _clean_services(payload["services"], snapshot.get("services", {}), problems)
        if clean_services:
            clean["services"] = clean_services
    if problems:
        raise InvalidChange(problems)
    changed = {k: v for k, v in clean.items() if k == "services" or v != snapshot.get(k)}
    if not changed:
        raise InvalidChange([_(NOTHING_CHANGED)], nothing_changed=True)
    return changed


def _clean_services(value: Any, known: dict[str, dict], problems: list[str]) -> dict[str, dict]:
    _ = reader_translator()
    if not isinstance(value, dict):
        problems.append(_("Service changes are not in the expected form."))
        return {}
    out: dict[str, dict] = {}
    codes = known_codes()
    for sid, changes in value.items():
        sid = str(sid)
        if sid not in known or not isinstance(changes, dict):
            problems.append(_("Service {id} is not offered at this location.", id=sid))
            continue
        svc: dict[str, Any] = {}
        svc.update(_clean_texts(changes, SERVICE_TEXT_FIELDS, SERVICE_LABELS, problems))
        if "website" in changes:
            try:
                svc["website"] = check_website(changes["website"], FIELD_LABELS["website"],
                                               column_limit(Service, "website")) or ""
            except ValueRefused as exc:
                problems.append(exc.problem)
        if "name" in svc and not svc["name"]:
            problems.append(_("A service needs a name."))
        for key, known_values, message in (("types", BY_SLUG, N_("Unknown service types: {values}.")),
                                           ("languages", codes, N_("Unknown language codes: {values}."))):
            values = _known_list(changes, key, known_values, message, problems)
            if values is not None:
                svc[key] = sorted(set(values))
        svc.update(_clean_eligibility(changes, problems))
        svc = {k: v for k, v in svc.items() if v != known[sid].get(k)}
        if svc:
            out[sid] = svc
    return out


def _known_list(changes: dict, key: str, known, message: str, problems: list[str]) -> list | None:
    """The list sent for ``key`` when every value is one this site knows; otherwise None, with ``message``
    (naming the values it does not know) added in the reader's language. None too when ``key`` was not sent."""
    if key not in changes:
        return None
    values = changes[key] if isinstance(changes[key], list) else None
    bad = [v for v in values or [] if not isinstance(v, str) or v not in known]
    if values is None or bad:
        _ = reader_translator()
        problems.append(_(message, values=", ".join(map(str, bad)) or "—"))
        return None
    return values


def _clean_eligibility(changes: dict, problems: list[str]) -> dict[str, Any]:
    """Structured eligibility of one service (rules.eligibility's vocabulary), each problem in plain words."""
    _ = reader_translator()
    out: dict[str, Any] = {}
    statuses = _known_list(changes, "statuses", STATUS_SLUGS, N_("Unknown immigration statuses: {values}."), problems)
    if statuses is not None:
        out["statuses"] = split_statuses(join_statuses(statuses))
    for key, allowed, problem in (("fee", FEES, N_("The fee must be free, low cost or fee.")),
                                  ("gender", GENDERS, N_("“Only for” must be women, men or empty."))):
        if key in changes:
            value = changes[key] or ""
            if value and (not isinstance(value, str) or value not in allowed):
                problems.append(_(problem))
            else:
                out[key] = value
    for key in ("minimum_age", "maximum_age"):
        if key in changes:
            value = changes[key]
            if value in (None, ""):
                out[key] = None
                continue
            try:
                age = int(value)
            except (TypeError, ValueError, OverflowError):  # OverflowError: infinity
                age = -1
            if not 0 <= age <= 120:
                problems.append(_("{label} must be a whole number of years between 0 and 120.",
                                  label=_(FIELD_LABELS[key])))
            else:
                out[key] = age
    lo, hi = out.get("minimum_age"), out.get("maximum_age")
    if lo is not None and hi is not None and lo > hi:
        problems.append(_("The youngest age is above the oldest age."))
    return out


def _show(key: str, value: Any) -> str:
    """A field's value in the reader's words (the language of the request; English outside one)."""
    if value is None or value == "" or value == []:
        return "—"
    ui = reader_ui()
    _ = translator(ui)
    # Lists are joined as the reader's language joins them ("A وB" in Arabic, "A、B和C" in Chinese).
    if key == "hours":
        return format_list(hours_items(value, day_names(ui)), ui)
    if key == "pin":
        return f"{value['lat']:.5f}, {value['lon']:.5f}"
    if key == "closed":
        return _("closed") if value else _("open")
    if key == "languages":
        return format_list([language_name(c, ui) for c in value], ui)
    if key == "types":
        return format_list([_(BY_SLUG[s].label) if s in BY_SLUG else s for s in value], ui)
    if key == "statuses":
        return format_list([_(STATUS_WORDS[s]) if s in STATUS_WORDS else s for s in value], ui)
    if key == "fee":
        return _(FEE_WORDS[value]) if value in FEE_WORDS else str(value)
    if key == "gender":
        return _(GENDER_WORDS[value]) if value in GENDER_WORDS else str(value)
    return str(value)


def diff_rows(before: dict[str, Any], payload: dict[str, Any]) -> list[dict[str, str]]:
    """One row per changed field, as text for people: [{"field", "before", "after"}, ...]."""
    _ = reader_translator()
    rows = []
    for key, after in payload.items():
        if key == "services":
            for sid, changes in after.items():
                old = before.get("services", {}).get(sid, {})
                for skey, sval in changes.items():
                    name = old.get("name") or _("Service {id}", id=sid)
                    rows.append({"field": f"{name}: {_(FIELD_LABELS.get(skey, SERVICE_NAME))}",
                                 "before": _show(skey, old.get(skey)), "after": _show(skey, sval)})
            continue
        rows.append({"field": _(FIELD_LABELS[key]) if key in FIELD_LABELS else key, "before": _show(key, before.get(key)),
                     "after": _show(key, after)})
    return rows


# --- authorization -----------------------------------------------------------------------------

def may_edit_organization(user: Any, organization_id: int | None) -> bool:
    """Staff may edit any organization; a partner only its own."""
    if user is None or organization_id is None:
        return False
    return getattr(user, "is_staff", False) or getattr(user, "organization_id", None) == organization_id


def location_for(session: Session, user: Any, location_id: Any) -> Location:
    """The location if this user may see and change it; ReviewError otherwise (same message for both,
    so a partner cannot probe which ids exist in other organizations)."""
    try:
        loc = session.get(Location, int(location_id))
    except (TypeError, ValueError):
        loc = None
    if loc is None or not may_edit_organization(user, loc.organization_id):
        raise ReviewError("This location does not exist or belongs to another organization.")
    return loc


# --- applying a change -------------------------------------------------------------------------

def _assign_area(loc: Location) -> None:
    try:
        match = assign_neighbourhoods([loc.latitude], [loc.longitude])[0]
    except NotImplementedError:  # reference-data work not landed: keep what the location had
        return
    loc.neighbourhood_number, loc.neighbourhood_name = match.number, match.name
    loc.ward, loc.outside_city = match.ward, match.outside_city


def _apply(session: Session, loc: Location, payload: dict[str, Any], actor_label: str) -> None:
    """Write the payload onto the location and its rows (the caller checks versions and audits)."""
    now = utcnow()
    # Services first: their flush must come before the location is dirty, so the location row is
    # updated (and its version bumped) exactly once.
    for sid, changes in payload.get("services", {}).items():
        svc = session.get(Service, int(sid))
        if svc is None:
            raise ReviewError(f"Service {sid} no longer exists; reject this request.")
        for key in (*SERVICE_TEXT_FIELDS, "website"):
            if key in changes:
                setattr(svc, key, changes[key] or (svc.name if key == "name" else None))
        if "types" in changes:
            svc.types.clear()
            session.flush()  # old rows go before new ones arrive (unique service+slug)
            svc.types.extend(ServiceType(slug=s) for s in changes["types"])
        if "languages" in changes:
            svc.languages.clear()
            svc.languages.extend(Language(code=c) for c in changes["languages"])
        if "statuses" in changes:
            svc.eligible_statuses = join_statuses(changes["statuses"])
        for key in ("fee", "gender", "minimum_age", "maximum_age"):
            if key in changes:
                setattr(svc, key, changes[key] if changes[key] not in ("", None) else None)
    for key in ("name", "description", "accessibility"):
        if key in payload:
            setattr(loc, key, payload[key] or None)
    address_changed = False
    if "address_1" in payload or "postal_code" in payload:
        address = loc.physical_address
        if address is None:
            address = Address(address_type="physical", city="Edmonton", state_province="AB")
            loc.addresses.append(address)
        if "address_1" in payload:
            address.address_1 = payload["address_1"] or None
        if "postal_code" in payload:
            address.postal_code = payload["postal_code"] or None
        address_changed = True
    if "phone" in payload:
        if payload["phone"]:
            if loc.phones:
                loc.phones[0].number = payload["phone"]
            else:
                loc.phones.append(Phone(number=payload["phone"], organization_id=None))
        elif loc.phones:
            loc.phones.remove(loc.phones[0])
    if "hours" in payload or "hours_note" in payload:
        hours = payload.get("hours", location_snapshot(loc)["hours"])
        note = payload.get("hours_note", "; ".join(s.description for s in loc.schedules if s.description))
        loc.schedules.clear()
        for day, opens, closes in hours:
            loc.schedules.append(Schedule(weekday=day, opens_at=_time(opens), closes_at=_time(closes)))
        if note:
            loc.schedules.append(Schedule(description=note))
    if "closed" in payload:
        loc.closed = payload["closed"]
    if "pin" in payload:
        loc.latitude, loc.longitude = payload["pin"]["lat"], payload["pin"]["lon"]
        loc.geocode_method, loc.geocode_status = "manual", GeocodeStatus.MANUAL.value
        loc.geocode_precision_m, loc.geocode_confidence = 10.0, 1.0
        loc.geocode_source, loc.geocoded_at = f"pin placed by {actor_label}"[:300], now
        loc.geocode_note = None
        address = loc.physical_address
        loc.geocoded_address = address.one_line() if address else loc.geocoded_address
        _assign_area(loc)
    elif address_changed:
        geocode_locations(session, [loc])
    # A reviewed change is also a verification; touching updated_at makes the UPDATE carry the
    # version check even when only child rows (hours, phones) changed.
    loc.last_verified = now.date()
    loc.updated_at = now


def _time(minutes: int) -> dt.time:
    return dt.time(23, 59) if minutes >= 24 * 60 else dt.time(minutes // 60, minutes % 60)


def _flush_or_conflict(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        _ = reader_translator()
        raise Conflict(_("Someone else changed this listing at the same moment; nothing was "
                                           "applied. Reload to see the current listing.")) from None


CONFLICT_MESSAGE = N_("This request was made against an older version of the listing (version {base}; it is now "
                      "version {now}): someone has changed it since. Nothing was applied. Compare it with the "
                      "current listing, then reject it or ask for a new correction.")
# What a request's status means, in the reader's words.
REQUEST_STATUS_WORDS = {"pending": N_("waiting for review"), "approved": N_("approved"), "rejected": N_("rejected")}


def _check_version(loc: Location, base_version: int) -> None:
    if loc.version != base_version:
        _ = reader_translator()
        raise Conflict(_(CONFLICT_MESSAGE, base=base_version, now=loc.version))


# --- the operations ------------------------------------------------------------------------------

def submit_change(session: Session, user: Any, location_id: Any, payload: Any, *, base_version: int | None = None,
                  submission_id: str | None = None, refuse_duplicate: bool = False) -> ChangeRequest:
    """Store a partner's correction as a pending request (once per submission_id).

    With ``refuse_duplicate`` (the partner page), the very same correction still waiting for review is
    not stored twice: a partner who sends it again after a reload would otherwise queue copies that
    staff must each read and decide.
    """
    if submission_id:
        existing = session.scalar(select(ChangeRequest).where(ChangeRequest.submission_id == submission_id))
        if existing is not None:
            if existing.submitted_by_id != getattr(user, "id", None):
                _ = reader_translator()
                raise ReviewError(_("This submission id is already used."))
            return existing
    loc = location_for(session, user, location_id)
    if base_version is not None and int(base_version) != loc.version:
        _ = reader_translator()
        raise Conflict(_("The listing changed while you were editing it. Reload the page and make "
                                           "your correction again; nothing was sent."))
    before = location_snapshot(loc)
    clean = validate_payload(payload, before)
    if refuse_duplicate:
        waiting = session.scalars(select(ChangeRequest).where(
            ChangeRequest.location_id == loc.id, ChangeRequest.status == RequestStatus.PENDING.value)
            .order_by(ChangeRequest.id)).all()
        same = next((r for r in waiting if r.payload == clean), None)
        if same is not None:
            _ = reader_translator()
            raise ReviewError(_("This correction is already waiting for ELIP staff as request #{id}; "
                                "nothing new was sent.", id=same.id))
    request = ChangeRequest(organization_id=loc.organization_id, location_id=loc.id, payload=clean, before=before,
                            base_version=loc.version, submission_id=submission_id,
                            submitted_by_id=getattr(user, "id", None))
    session.add(request)
    session.flush()
    record_audit(session, user, "request.submit", "change_request", request.id, None,
                 {"location_id": loc.id, "payload": clean})
    return request


def get_or_refuse(session: Session, model, row_id: Any, message: str):
    """The row whose id a form sent, or ReviewError(message): ids come from the browser and may be anything."""
    try:
        row = session.get(model, int(row_id))
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise ReviewError(message)
    return row


def _pending(session: Session, request_id: Any) -> ChangeRequest:
    _ = reader_translator()
    request = get_or_refuse(session, ChangeRequest, request_id, _("There is no such request."))
    if request.status != RequestStatus.PENDING.value:
        raise _already_decided(session, request.id)
    return request


def _already_decided(session: Session, request_id: int) -> ReviewError:
    """Who decided the request and when, read afresh (a new statement sees the winner's commit)."""
    row = session.execute(select(ChangeRequest.status, User.email, ChangeRequest.reviewed_at)
                          .outerjoin(User, User.id == ChangeRequest.reviewed_by_id)
                          .where(ChangeRequest.id == request_id)).one_or_none()
    if row is None:
        _ = reader_translator()
        return ReviewError(_("There is no such request."))  # as _pending says it, in the reader's language
    if row.status == RequestStatus.PENDING.value:
        _ = reader_translator()
        return ReviewError(_("Another reviewer changed this request a moment ago; look at it again, then decide."))
    return AlreadyDecided(row.status, row.email, row.reviewed_at)


def _claim(session: Session, request: ChangeRequest, status: RequestStatus, staff: Any, note: str | None) -> None:
    """Decide the request only if it is still pending at the version read: the compare-and-set that makes
    exactly one of several simultaneous decisions win (AlreadyDecided for the others)."""
    claimed = session.execute(
        update(ChangeRequest)
        .where(ChangeRequest.id == request.id, ChangeRequest.status == RequestStatus.PENDING.value,
               ChangeRequest.version == request.version)
        .values(status=status.value, reviewed_by_id=staff.id, reviewed_at=utcnow(), review_note=note,
                version=ChangeRequest.version + 1)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise _already_decided(session, request.id)
    session.expire(request)  # the row changed under the ORM: read it again when asked


def _require_staff(user: Any) -> None:
    if not getattr(user, "is_staff", False):
        _ = reader_translator()
        raise ReviewError(_("Only ELIP staff can do this."))


def _pending_with_location(session: Session, staff: Any, request_id: Any) -> tuple[ChangeRequest, Location]:
    """Approving and re-basing both act on the listing: a request whose location is gone can only be rejected."""
    _require_staff(staff)
    request = _pending(session, request_id)
    loc = session.get(Location, request.location_id) if request.location_id else None
    if loc is None:
        _ = reader_translator()
        raise ReviewError(_("The location of this request no longer exists; reject it."))
    return request, loc


def approve(session: Session, staff: Any, request_id: Any, note: str = "") -> ChangeRequest:
    """Apply a pending request in the caller's transaction; Conflict if the listing moved on."""
    request, loc = _pending_with_location(session, staff, request_id)
    if loc.version != request.base_version:
        # Another reviewer may have approved this very request between our two reads (its approval is what
        # moved the listing on): then say who decided, not that the listing is newer.
        decided = _already_decided(session, request.id)
        if isinstance(decided, AlreadyDecided):
            raise decided
    _check_version(loc, request.base_version)
    before = location_snapshot(loc)
    payload, note = request.payload, (note or "").strip() or None
    # Claim first: a listing change is only applied by the one reviewer whose decision counts (a later
    # Conflict rolls the claim back with everything else).
    _claim(session, request, RequestStatus.APPROVED, staff, note)
    _apply(session, loc, payload, getattr(staff, "email", "staff"))
    _flush_or_conflict(session)
    session.refresh(loc)
    record_audit(session, staff, "request.approve", "location", loc.id, before,
                 {**location_snapshot(loc), "request_id": request.id, "note": note})
    bump_directory_version(session)
    return request


def refresh_request(session: Session, staff: Any, request_id: Any) -> ChangeRequest:
    """Re-base a request refused as a conflict onto the listing as it is now, for a fresh review.

    The diff is recomputed against the current listing (fields that now already match drop out), so
    the reviewer decides knowingly instead of the request being stuck or silently overwriting.
    """
    request, loc = _pending_with_location(session, staff, request_id)
    if loc.version == request.base_version:
        _ = reader_translator()
        raise ReviewError(_("This request already matches the current listing; review it as it is."))
    now = location_snapshot(loc)
    try:
        payload = validate_payload(request.payload, now)
    except InvalidChange as exc:
        _ = reader_translator()
        raise ReviewError(_("Against the current listing this request changes nothing any more; reject it.")
                          if exc.nothing_changed else
                          _("Against the current listing this request is not valid: {problems}", problems=str(exc)))
    old = {"base_version": request.base_version, "payload": request.payload}
    request.before, request.payload, request.base_version = now, payload, loc.version
    try:
        session.flush()  # checks the request's version: a decision made meanwhile wins
    except StaleDataError:
        raise _already_decided(session, request.id) from None
    record_audit(session, staff, "request.refresh", "change_request", request.id, old,
                 {"base_version": loc.version, "payload": payload})
    return request


def reject(session: Session, staff: Any, request_id: Any, note: str = "") -> ChangeRequest:
    _require_staff(staff)
    request = _pending(session, request_id)
    note = (note or "").strip()
    if not note:
        _ = reader_translator()
        raise ReviewError(_("Say why in the note, so the partner knows what to fix."))
    _claim(session, request, RequestStatus.REJECTED, staff, note)
    record_audit(session, staff, "request.reject", "change_request", request.id, None, {"note": note})
    return request


def direct_edit(session: Session, staff: Any, location_id: Any, payload: Any, base_version: int,
                action: str = "location.edit") -> Location:
    """Staff change a listing directly (also placing a pin), with the same version check as approvals."""
    _require_staff(staff)
    loc = location_for(session, staff, location_id)
    _check_version(loc, int(base_version))
    before = location_snapshot(loc)
    clean = validate_payload(payload, before)
    _apply(session, loc, clean, staff.email)
    _flush_or_conflict(session)
    session.refresh(loc)
    record_audit(session, staff, action, "location", loc.id, before, location_snapshot(loc))
    bump_directory_version(session)
    return loc


def place_pin(session: Session, staff: Any, location_id: Any, lat: float, lon: float, base_version: int) -> Location:
    """Staff place a pin by hand (status ``manual``) for a location the geocoder could not place."""
    return direct_edit(session, staff, location_id, {"pin": {"lat": lat, "lon": lon}}, base_version,
                       action="location.pin")


def mark_still_correct(session: Session, user: Any, location_id: Any, today: dt.date | None = None) -> dt.date:
    """The partner confirms the listing: only last_verified changes.

    Written with a plain UPDATE so the version does not move: confirming a listing must not turn
    the partner's own pending corrections into conflicts.
    """
    loc = location_for(session, user, location_id)
    today = today or utcnow().date()
    before = loc.last_verified
    session.execute(update(Location).where(Location.id == loc.id).values(last_verified=today)
                    .execution_options(synchronize_session=False))
    session.expire(loc, ["last_verified"])
    record_audit(session, user, "location.still-correct", "location", loc.id,
                 {"last_verified": before}, {"last_verified": today})
    bump_directory_version(session)
    return today


def requests_for_organization(session: Session, organization_id: int) -> list[ChangeRequest]:
    return list(session.scalars(select(ChangeRequest).where(ChangeRequest.organization_id == organization_id)
                                .order_by(ChangeRequest.submitted_at.desc(), ChangeRequest.id.desc())))


def pending_requests(session: Session) -> list[ChangeRequest]:
    return list(session.scalars(select(ChangeRequest).where(ChangeRequest.status == RequestStatus.PENDING.value)
                                .order_by(ChangeRequest.submitted_at, ChangeRequest.id)))
