"""What the partner and staff pages show, read with the caller's permissions checked on the server.

Each function takes the signed-in user and refuses (ReviewError) anything outside that user's
organization, whatever ids the browser sent.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..accounts.models import User
from ..directory.languages import autonym, known_codes, language_name
from ..directory.listings import listing_from_location
from ..directory.models import Location, Organization, Service, ServiceAtLocation
from ..directory.taxonomy import SERVICE_TYPES
from ..i18n import reader_translator, translator
from .changes import REQUEST_STATUS_WORDS, ReviewError, diff_rows, location_for, location_snapshot, may_edit_organization
from .models import ChangeRequest


def organization_for(session: Session, user: Any, requested: Any = None) -> Organization | None:
    """The organization this user works on: a partner's own (whatever was asked), or the one staff picked."""
    if user is None:
        return None
    if not user.is_staff:
        return session.get(Organization, user.organization_id) if user.organization_id else None
    try:
        return session.get(Organization, int(requested)) if requested not in (None, "") else None
    except (TypeError, ValueError):
        return None


def organization_options(session: Session) -> list[dict]:
    return [{"label": name, "value": oid} for oid, name in
            session.execute(select(Organization.id, Organization.name).order_by(Organization.name))]


def _locations(session: Session, org_id: int) -> list[Location]:
    stmt = (select(Location).where(Location.organization_id == org_id)
            .options(selectinload(Location.organization).selectinload(Organization.phones),
                     selectinload(Location.addresses), selectinload(Location.phones), selectinload(Location.schedules),
                     selectinload(Location.languages),
                     selectinload(Location.service_links).selectinload(ServiceAtLocation.service).options(
                         selectinload(Service.types), selectinload(Service.languages), selectinload(Service.schedules)))
            .order_by(Location.id))
    return list(session.scalars(stmt))


def organization_listings(session: Session, user: Any, org_id: int) -> list[dict]:
    """Every location of the organization as the public listing dict, plus whether the public sees it."""
    _ = reader_translator()
    if not may_edit_organization(user, org_id):
        raise ReviewError(_("This organization is not yours."))
    out = []
    for loc in _locations(session, org_id):
        item = listing_from_location(loc)
        item["public"] = loc.is_public
        item["why_hidden"] = (_("closed") if loc.closed else _("not placed on the map yet")
                              if not loc.is_public else "")
        item["label"] = " — ".join(x for x in (loc.name, item["address"]) if x) or _("Location {id}", id=loc.id)
        out.append(item)
    return out


def editor_values(session: Session, user: Any, location_id: Any) -> dict:
    """The form's starting values for one location, with its version (the base of a correction)."""
    loc = location_for(session, user, location_id)
    snap = location_snapshot(loc)
    return {"location_id": loc.id, "version": loc.version, "snapshot": snap,
            "service_names": {str(s.id): s.name for s in loc.services}}


def request_rows(session: Session, user: Any, org_id: int) -> list[dict]:
    """The organization's requests, newest first, with a readable summary of each."""
    _ = reader_translator()
    if not may_edit_organization(user, org_id):
        raise ReviewError(_("This organization is not yours."))
    stmt = (select(ChangeRequest).where(ChangeRequest.organization_id == org_id)
            .order_by(ChangeRequest.submitted_at.desc(), ChangeRequest.id.desc()))
    rows = []
    for r in session.scalars(stmt):
        changes = "; ".join(f"{d['field']}: {d['after']}" for d in diff_rows(r.before, r.payload))
        rows.append({"id": r.id, "submitted": r.submitted_at.strftime("%Y-%m-%d %H:%M"),
                     "location": (r.before or {}).get("name") or _("Location {id}", id=r.location_id),
                     "changes": changes, "status": _(REQUEST_STATUS_WORDS.get(r.status, r.status)),
                     "note": r.review_note or ""})
    return rows


def pending_queue(session: Session) -> list[dict]:
    """Pending requests for the staff queue (staff-only: callers check the role)."""
    stmt = (select(ChangeRequest, Organization.name).join(Organization, Organization.id == ChangeRequest.organization_id)
            .where(ChangeRequest.status == "pending").order_by(ChangeRequest.submitted_at, ChangeRequest.id))
    _ = reader_translator()
    # One isolated run (first strong isolate ... pop) taking the direction of the organization's name: in an
    # Arabic page "#1 · Newcomer Centre · Office · 2026-12-01" was drawn with its number and date moved apart.
    return [{"value": r.id, "label": f"\u2068#{r.id} · {org} · "
             f"{(r.before or {}).get('name') or _('Location {id}', id=r.location_id)} · {r.submitted_at:%Y-%m-%d}\u2069"}
            for r, org in session.execute(stmt)]


def request_detail(session: Session, request_id: Any) -> dict | None:
    """Diff, pins and who asked, for the reviewer (staff-only: callers check the role)."""
    try:
        r = session.get(ChangeRequest, int(request_id))
    except (TypeError, ValueError):
        return None
    if r is None:
        return None
    current = session.get(Location, r.location_id) if r.location_id else None
    submitter = session.get(User, r.submitted_by_id) if r.submitted_by_id else None
    _ = reader_translator()
    return {"id": r.id, "status": r.status, "rows": diff_rows(r.before, r.payload),
            "before_pin": (r.before or {}).get("pin"), "after_pin": r.payload.get("pin"),
            "base_version": r.base_version, "current_version": current.version if current else None,
            "submitted_by": submitter.email if submitter else _("unknown"),
            "submitted_at": f"{r.submitted_at:%Y-%m-%d %H:%M}"}


def type_options(ui: str = "en") -> list[dict]:
    _ = translator(ui)
    return [{"label": _(t.label), "value": t.slug} for t in SERVICE_TYPES]


# The languages most spoken in Edmonton after English (Statistics Canada, 2021 Census, Edmonton CMA:
# mother tongues and languages spoken at home), offered first so an intake worker finds them at once.
EDMONTON_TOP_LANGUAGES = ("en", "fr", "tl", "pa", "ar", "zh", "yue", "hi", "es", "ur", "vi", "gu", "uk", "so", "am",
                          "ti", "ko", "fa", "prs", "de")


# Names people type that CLDR does not use for these codes.
_MORE_SEARCH = {"zh": "Mandarin Putonghua", "yue": "Cantonese", "fa": "Farsi", "tl": "Filipino Pilipino",
                "pa": "Panjabi", "prs": "Afghan Persian"}


def _option(code: str, ui: str, own_name: bool) -> dict:
    name = language_name(code, ui)
    own = autonym(code) if own_name else ""
    label = f"{name} — {own}" if own and own.casefold() != name.casefold() else name
    # Search by the reader's name, the English name, the language's own name or the code.
    return {"label": label, "value": code,
            "search": " ".join(dict.fromkeys([name, language_name(code, "en"), own, _MORE_SEARCH.get(code, ""), code]))}


@lru_cache(maxsize=16)
def _all_language_options(ui: str = "en") -> tuple[dict, ...]:
    """Edmonton's 20 most spoken languages first (named in the reader's language and in their own), then
    every other known language alphabetically; built once per interface language (read-only afterwards)."""
    top = [_option(c, ui, True) for c in EDMONTON_TOP_LANGUAGES]
    rest = sorted((_option(c, ui, False) for c in known_codes() if c not in EDMONTON_TOP_LANGUAGES),
                  key=lambda o: o["label"].casefold())
    return tuple(top + rest)


def language_options(selected: list[str] = (), ui: str = "en") -> list[dict]:
    """Language choices for the partner and staff forms, plus any stored code the list does not know.

    Typing "Arabic" finds ``ar`` first (it leads the list), not "Algerian Arabic".
    """
    options = [dict(o) for o in _all_language_options(ui)]
    known = {o["value"] for o in options}
    return options + [{"label": code, "value": code} for code in selected if code not in known]
