"""The audit log for people: each entry as "who did what to which listing", with a before/after table
in words (field names, day names, language names), filterable by organization, person and date.

The stored entries stay JSON (the CSV export keeps them exact); only the view is translated here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..directory.audit import AuditEntry
from ..directory.languages import language_name
from ..directory.models import Location, Organization
from ..directory.users import ROLE_WORDS
from ..geocoding.notes import METHOD_LABELS, display_note, shown_separator
from ..i18n import N_, format_date, format_list, reader_translator, reader_ui, text_direction
from ..importers.report import STATUS_WORDS
from .changes import FIELD_LABELS, SERVICE_LABELS, diff_rows
from .models import ChangeRequest

# Message ids (English), translated for the reader where the page is drawn.
ACTIONS = {
    "request.submit": N_("Proposed a correction"), "request.approve": N_("Approved a correction"),
    "request.reject": N_("Rejected a correction"), "request.refresh": N_("Re-based a correction on the current listing"),
    "location.edit": N_("Edited a listing"), "location.pin": N_("Placed a map pin"),
    "location.still-correct": N_("Confirmed a listing is still correct"), "import": N_("Imported a file"),
    "import.update": N_("Updated a listing from an import"), "geocode": N_("Geocoded locations"),
    "user.create": N_("Created an account"), "user.disable": N_("Disabled an account"),
    "user.enable": N_("Enabled an account"),
    "user.reset-password": N_("Reset a password"), "verification.queue": N_("Queued a verification e-mail"),
    "verification.bounce": N_("Verification e-mail bounced"),
    "verification.still-correct": N_("Confirmed listings by e-mail link"),
    "organization.contact": N_("Changed an organization's contact"),
}
MORE_LABELS = {"last_verified": N_("Last verified"), "contact_email": N_("Contact e-mail"),
               "contact_language": N_("Contact language"), "contact_phone": N_("Contact phone"), "to": N_("To"),
               "error": N_("Error"), "note": N_("Note"), "email": N_("Email"), "role": N_("Role"),
               "language": N_("Language"), "expires": N_("Link expires"), "request_id": N_("Request"),
               "location_id": N_("Location"), "active": N_("Active"),
               # an import (importers/writer.py) and a geocoding run (cli/geocode.py)
               "file": N_("File"), "rows": N_("Rows"), "locations_created": N_("Locations created"),
               "locations_updated": N_("Locations updated"), "placed": N_("Placed, by method"),
               "needs_attention": N_("Locations that need a person"), "force": N_("Every location again"),
               # an account (accounts/user_admin.py, cli/users.py); listings confirmed by e-mail link
               "organization_id": N_("Organization"), "locations": N_("Locations")}
# A value that is a small table of its own ({"imported": 54} under "rows") is shown as "label: number",
# its keys named from these words.
WITHIN_LABELS = {"rows": STATUS_WORDS, "placed": METHOD_LABELS, "services": SERVICE_LABELS}


def label_msgid(key: str, within: str | None = None) -> str | None:
    """The message id naming a stored key (``within`` the field whose value it is a key of); None if none does."""
    if within is not None:
        return WITHIN_LABELS.get(within, {}).get(key)
    return MORE_LABELS.get(key) or FIELD_LABELS.get(key)


def _label(key: str, within: str | None = None) -> str:
    """A field's name in the reader's language ('contact_email' -> 'Contact e-mail')."""
    _ = reader_translator()
    known = label_msgid(key, within)
    return _(known) if known else key.replace("_", " ").capitalize()


_SKIP = {"version", "request_id", "mail_id"}
# Values stored in English from a declared note template (why a verification e-mail bounced).
_NOTES = {"error"}
_LANGUAGES = {"language", "contact_language"}
_DATES = {"expires", "last_verified"}


@dataclass(frozen=True)
class AuditFilter:
    organization_id: int | None = None
    person: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def parse_filter(org: Any = None, who: Any = None, since: Any = None, until: Any = None) -> AuditFilter:
    """From query-string text; anything unreadable is ignored rather than refused."""
    def day(text):
        try:
            return dt.date.fromisoformat(str(text)) if text else None
        except ValueError:
            return None
    try:
        organization_id = int(org) if org not in (None, "") else None
    except (TypeError, ValueError):
        organization_id = None
    return AuditFilter(organization_id, str(who or "").strip()[:200], day(since), day(until))


def filtered_entries(session: Session, flt: AuditFilter, limit: int | None = 300) -> list[AuditEntry]:
    q = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if flt.organization_id is not None:
        oid = flt.organization_id
        locs = [str(i) for i in session.scalars(select(Location.id).where(Location.organization_id == oid))]
        reqs = [str(i) for i in session.scalars(select(ChangeRequest.id).where(ChangeRequest.organization_id == oid))]
        q = q.where(or_(and_(AuditEntry.entity_type == "location", AuditEntry.entity_id.in_(locs or ["-"])),
                        and_(AuditEntry.entity_type == "change_request", AuditEntry.entity_id.in_(reqs or ["-"])),
                        and_(AuditEntry.entity_type == "organization", AuditEntry.entity_id == str(oid))))
    if flt.person:
        q = q.where(AuditEntry.actor_label.ilike(f"%{flt.person}%"))
    if flt.since:
        q = q.where(AuditEntry.at >= dt.datetime.combine(flt.since, dt.time()))
    if flt.until:
        q = q.where(AuditEntry.at < dt.datetime.combine(flt.until + dt.timedelta(days=1), dt.time()))
    if limit:
        q = q.limit(limit)
    return list(session.scalars(q))


def _text(value: Any, key: str | None = None) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        _ = reader_translator()
        return _("yes") if value else _("no")
    if isinstance(value, list):  # joined as the reader's language joins a list ("A وB" in Arabic)
        return format_list([_text(v) for v in value], reader_ui())
    if isinstance(value, dict):
        return shown_separator(reader_ui()).join(f"{_label(k, key)}: {_text(v)}" for k, v in value.items())
    return str(value)


@dataclass(frozen=True)
class Names:
    """What the entries store by id, by name: organizations and locations (a deleted one is absent)."""
    organizations: dict[int, str]
    locations: dict[int, str]


def _location(location_id: int, names: Names | None) -> str:
    """A location by its name; one deleted since as "location 7" in the reader's words (ids alone say nothing)."""
    if names and location_id in names.locations:
        return names.locations[location_id]
    return reader_translator()(SUBJECT_WORDS["location"], id=location_id)


def _shown(key: str, value: Any, names: Names | None = None) -> str:
    """A value in the reader's words: a stored English note, role or language code translated, a date in
    the reader's format, an organization or a location by its name; what is not known stays as stored."""
    ui = reader_ui()
    if isinstance(value, str) and value:
        if key in _NOTES:
            return display_note(value, ui)
        if key == "role" and value in ROLE_WORDS:
            return reader_translator()(ROLE_WORDS[value])
        if key in _LANGUAGES:
            return language_name(value, ui)
        if key in _DATES:  # the day is what matters (the mail itself names the link's last day)
            return format_date(value, ui)
    if key == "organization_id" and isinstance(value, int) and names and value in names.organizations:
        return names.organizations[value]
    if key == "location_id" and _is_id(value):
        return _location(value, names)
    if key == "locations" and isinstance(value, list) and value and all(_is_id(v) for v in value):
        return format_list([_location(v, names) for v in value], ui)
    return _text(value, key)


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _changes(before: dict, after: dict) -> dict:
    """What differs between two listing snapshots, in payload form (services only where they differ)."""
    out: dict = {}
    for key, value in after.items():
        if key in _SKIP or key == "services":
            continue
        if before.get(key) != value:
            out[key] = value
    services = {}
    for sid, svc in (after.get("services") or {}).items():
        old = (before.get("services") or {}).get(sid, {})
        changed = {k: v for k, v in svc.items() if old.get(k) != v}
        if changed:
            services[sid] = changed
    if services:
        out["services"] = services
    return out


def _plain_rows(before: dict, after: dict, names: Names | None) -> list[dict[str, str]]:
    rows = []
    for key in list(dict.fromkeys([*before, *after])):
        if key in _SKIP or before.get(key) == after.get(key):
            continue
        rows.append({"field": _label(key),
                     "before": _shown(key, before.get(key), names) if key in before else "",
                     "after": _shown(key, after.get(key), names)})
    return rows


def entry_diff(entry_before: dict | None, entry_after: dict | None,
               names: Names | None = None) -> list[dict[str, str]]:
    """Rows {"field", "before", "after"} in words for one entry, whatever its shape (``names``: for the
    organization and location ids an entry stores)."""
    before, after = entry_before or {}, entry_after or {}
    if "payload" in after and isinstance(after["payload"], dict):  # a proposal: what it asks for
        return diff_rows(before.get("before") or {}, after["payload"]) if "before" in before else [
            {"field": r["field"], "before": "", "after": r["after"]} for r in diff_rows({}, after["payload"])]
    if "hours" in after or "services" in after or "hours" in before:  # two listing snapshots
        # What an approval adds beside the listing (the reviewer's note) is not a listing field.
        extra = {k: after[k] for k in after if k not in FIELD_LABELS and k != "services"}
        snapshot = {k: v for k, v in after.items() if k not in extra}
        return diff_rows(before, _changes(before, snapshot)) + _plain_rows({}, extra, names)
    return _plain_rows(before, after, names)


def _subjects(session: Session, entries: Iterable[AuditEntry]) -> dict[tuple[str, str], str]:
    """Names for the entries' subjects: 'Organization — Location' instead of 'location 12'."""
    entries = list(entries)
    loc_ids = {int(e.entity_id) for e in entries if e.entity_type == "location" and (e.entity_id or "").isdigit()}
    req_ids = {int(e.entity_id) for e in entries if e.entity_type == "change_request" and (e.entity_id or "").isdigit()}
    org_ids = {int(e.entity_id) for e in entries if e.entity_type == "organization" and (e.entity_id or "").isdigit()}
    user_ids = {int(e.entity_id) for e in entries if e.entity_type == "user" and (e.entity_id or "").isdigit()}
    names: dict[tuple[str, str], str] = {}
    for lid, lname, oname in session.execute(select(Location.id, Location.name, Organization.name)
                                             .join(Organization).where(Location.id.in_(loc_ids))):
        names[("location", str(lid))] = " — ".join(x for x in (oname, lname) if x)
    for rid, lname, oname in session.execute(select(ChangeRequest.id, Location.name, Organization.name)
                                             .join(Organization, Organization.id == ChangeRequest.organization_id)
                                             .outerjoin(Location, Location.id == ChangeRequest.location_id)
                                             .where(ChangeRequest.id.in_(req_ids))):
        _ = reader_translator()
        names[("change_request", str(rid))] = _("request #{id}: {name}", id=rid, name=" — ".join(
            x for x in (oname, lname) if x))
    for oid, oname in session.execute(select(Organization.id, Organization.name).where(Organization.id.in_(org_ids))):
        names[("organization", str(oid))] = oname
    for uid, email in session.execute(select(User.id, User.email).where(User.id.in_(user_ids))):
        names[("user", str(uid))] = email
    return names


# What an entry is about when its subject has no name (a file, the whole directory, a deleted row).
SUBJECT_WORDS = {"import": N_("file {id}"), "location": N_("location {id}"), "change_request": N_("request #{id}"),
                 "organization": N_("organization {id}"), "user": N_("account {id}")}
WHOLE_DIRECTORY = N_("the whole directory")


def _subject(entity_type: str, entity_id: str | None) -> str:
    """'file sample.csv', 'account 7' in the reader's language; an unknown kind as stored."""
    _ = reader_translator()
    if entity_type == "directory" and not entity_id:
        return _(WHOLE_DIRECTORY)
    if entity_type in SUBJECT_WORDS and entity_id:
        # A file name in an Arabic sentence keeps its own direction (isolated, as display_note does).
        shown = f"\u2068{entity_id}\u2069" if text_direction(reader_ui()) == "rtl" else entity_id
        return _(SUBJECT_WORDS[entity_type], id=shown)
    return f"{entity_type.replace('_', ' ')} {entity_id}" if entity_id else entity_type


def _names(session: Session, entries: list[AuditEntry]) -> Names:
    """Names of the organizations and locations entries store by id (an account's organization, the
    locations a verification link confirmed)."""
    stored = [v for e in entries for v in (e.before, e.after) if isinstance(v, dict)]
    org_ids = {i for v in stored if _is_id(i := v.get("organization_id"))}
    loc_ids = {v.get("location_id") for v in stored}
    loc_ids |= {i for v in stored if isinstance(v.get("locations"), list) for i in v["locations"]}
    loc_ids = {i for i in loc_ids if _is_id(i)}
    organizations = dict(session.execute(select(Organization.id, Organization.name)
                                         .where(Organization.id.in_(org_ids))).all()) if org_ids else {}
    locations = dict(session.execute(select(Location.id, Location.name)
                                     .where(Location.id.in_(loc_ids))).all()) if loc_ids else {}
    return Names(organizations, {k: v for k, v in locations.items() if v})


def audit_view(session: Session, entries: Iterable[AuditEntry]) -> list[dict]:
    """Everything the page shows per entry, as text."""
    _, ui = reader_translator(), reader_ui()
    entries = list(entries)
    subjects = _subjects(session, entries)
    names = _names(session, entries)
    people = {uid: (name, email) for uid, name, email in session.execute(
        select(User.id, User.display_name, User.email).where(User.id.in_({e.actor_id for e in entries if e.actor_id})))}
    out = []
    for e in entries:
        name, _email = people.get(e.actor_id, (None, None))
        who = f"{name} ({e.actor_label})" if name else display_note(e.actor_label, ui)
        subject = subjects.get((e.entity_type, e.entity_id or "")) or _subject(e.entity_type, e.entity_id)
        out.append({"id": e.id, "at": f"{e.at:%Y-%m-%d %H:%M}", "who": who, "action": _(ACTIONS[e.action]) if e.action in ACTIONS else e.action,
                    "subject": subject, "rows": entry_diff(e.before, e.after, names)})
    return out
