"""Data health for staff: stale listings, locations whose geocode needs a person, suspected duplicates."""

from __future__ import annotations

import calendar
import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ..directory.models import DuplicateSuspect, GeocodeStatus, Location
from ..geocoding.notes import display_note
from ..i18n import reader_ui, translator


def stale_cutoff(today: dt.date, months: int) -> dt.date:
    """The date before which a listing is stale: stale_cutoff(date(2026, 3, 31), 1) -> date(2026, 2, 28)."""
    month_index = today.year * 12 + today.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


def _row(loc: Location, ui: str) -> dict:
    _ = translator(ui)
    address = loc.physical_address
    return {"location_id": loc.id, "organization_id": loc.organization_id, "organization": loc.organization.name,
            "name": loc.name or "", "address": address.one_line() if address else "",
            "last_verified": loc.last_verified.isoformat() if loc.last_verified else _("never"),
            "status": loc.geocode_status, "note": display_note(loc.geocode_note, ui), "version": loc.version,
            "lat": loc.latitude, "lon": loc.longitude}


def stale_locations(session: Session, months: int, today: dt.date | None = None, *,
                    ui: str | None = None) -> list[dict]:
    """Open locations not verified since the cutoff (or never), oldest first; text for a reader of ``ui``
    (default: the request's reader)."""
    ui = ui or reader_ui()
    cutoff = stale_cutoff(today or dt.date.today(), months)
    stmt = (select(Location).where(Location.closed.is_(False),
                                   or_(Location.last_verified.is_(None), Location.last_verified < cutoff))
            .options(selectinload(Location.organization), selectinload(Location.addresses))
            .order_by(Location.last_verified.is_not(None), Location.last_verified, Location.id))
    return [_row(loc, ui) for loc in session.scalars(stmt)]


def needs_attention(session: Session, *, ui: str | None = None) -> list[dict]:
    """Open locations the geocoder could not place with confidence: staff place these pins by hand. The
    geocoder's note (stored in English) is shown in the language of ``ui`` (default: the request's reader)."""
    ui = ui or reader_ui()
    stmt = (select(Location).where(Location.closed.is_(False),
                                   Location.geocode_status == GeocodeStatus.NEEDS_ATTENTION.value)
            .options(selectinload(Location.organization), selectinload(Location.addresses)).order_by(Location.id))
    return [_row(loc, ui) for loc in session.scalars(stmt)]


def duplicate_suspects(session: Session, *, ui: str | None = None) -> list[dict]:
    """Unresolved rows an import merged, with the importer's reason (stored in English) in the reader's language."""
    ui = ui or reader_ui()
    stmt = select(DuplicateSuspect).where(DuplicateSuspect.resolved.is_(False)).order_by(DuplicateSuspect.id)
    return [{"id": d.id, "location_id": d.location_id, "source_file": d.source_file or "", "rows": d.row_numbers,
             "reason": display_note(d.reason, ui)} for d in session.scalars(stmt)]
