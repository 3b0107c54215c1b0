"""Turn what a person typed into a correction payload, and listings into form values (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from babel.dates import get_day_names

from ..i18n import babel_locale, reader_translator, reader_ui
from .changes import InvalidChange

_TIME = re.compile(r"^\s*(\d{1,2})(?:[:h.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*$", re.IGNORECASE)


def _valid_time(text: str) -> bool:
    try:
        parse_time(text)
    except ValueError:
        return False
    return True


def parse_time(text: str) -> int | None:
    """Minutes after midnight: parse_time('9:30') -> 570, parse_time('5pm') -> 1020, parse_time('') -> None."""
    if not text or not text.strip():
        return None
    m = _TIME.match(text)
    if not m:
        raise ValueError(f"'{text}' is not a time (like 9:00 or 17:30).")
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    suffix = (m.group(3) or "").lower().replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            raise ValueError(f"'{text}' is not a time (like 9:00 or 17:30).")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour == 24 and minute == 0:
        return 24 * 60
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"'{text}' is not a time (like 9:00 or 17:30).")
    return hour * 60 + minute


def format_time(minutes: int | None) -> str:
    """format_time(570) -> '09:30': the value an <input type="time"> shows (24-hour HH:MM)."""
    return "" if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def hours_to_form(hours: Sequence[Sequence[int]]) -> tuple[list[str], list[str]]:
    """Opening and closing text for Monday..Sunday (the first opening of each day)."""
    opens, closes = [""] * 7, [""] * 7
    for day, o, c in hours:
        if not opens[day - 1]:
            opens[day - 1], closes[day - 1] = format_time(o), format_time(c)
    return opens, closes


def hours_from_form(opens: Sequence[str | None], closes: Sequence[str | None],
                    original: Sequence[Sequence[int]] = ()) -> list[list[int]]:
    """Rows [day, opens, closes] from seven pairs of text boxes; InvalidChange says which day is wrong.

    Extra openings the form cannot show (a second period on the same day) are kept from ``original``
    unless that day's first period was edited.
    """
    _ = reader_translator()
    names = get_day_names("wide", locale=babel_locale(reader_ui()))
    days = [names[i] for i in range(7)]
    first: dict[int, tuple[int, int]] = {}
    for day, o, c in original:
        first.setdefault(day, (o, c))
    rows, problems = [], []
    for i, (o_text, c_text) in enumerate(zip(opens, closes)):
        try:
            o, c = parse_time(o_text or ""), parse_time(c_text or "")
        except ValueError:
            bad = c_text if _valid_time(o_text or "") else o_text
            problems.append(_("{day}: '{value}' is not a time (like 9:00 or 17:30).", day=days[i], value=bad))
            continue
        if o is None and c is None:
            continue
        if o is None or c is None:
            problems.append(_("{day}: give both the opening and the closing time, or neither.", day=days[i]))
            continue
        rows.append([i + 1, o, c])
        if first.get(i + 1) == (o, c):  # the day's first period untouched: keep its other periods
            rows.extend([list(r) for r in original if r[0] == i + 1 and [r[1], r[2]] != [o, c]])
    if problems:
        raise InvalidChange(problems)
    return sorted(rows)


def payload_from_form(snapshot: Mapping[str, Any], *, name: str | None, address_1: str | None,
                      postal_code: str | None, phone: str | None, accessibility: str | None,
                      hours_note: str | None, opens: Sequence[str | None], closes: Sequence[str | None],
                      closed: bool, lat: Any, lon: Any, services: Mapping[str, Mapping[str, Any]],
                      pin_start: Sequence[float] | None = None) -> dict:
    """Every form value as a payload; :func:`validate_payload` then keeps only what changed.

    The pin counts as changed only when the marker left where it started (``pin_start``; by default the
    listing's pin): a location without a pin starts at the city centre, which is not a proposal.
    """
    payload: dict[str, Any] = {
        "name": name or "", "address_1": address_1 or "", "postal_code": postal_code or "", "phone": phone or "",
        "accessibility": accessibility or "", "hours_note": hours_note or "",
        "hours": hours_from_form(opens, closes, snapshot.get("hours") or []), "closed": bool(closed),
        "services": {sid: dict(values) for sid, values in services.items()},
    }
    pin = snapshot.get("pin")
    start = (pin["lat"], pin["lon"]) if pin_start is None and pin else pin_start
    if lat not in (None, "") and lon not in (None, ""):
        try:
            new = {"lat": round(float(lat), 6), "lon": round(float(lon), 6)}
        except (TypeError, ValueError):
            _ = reader_translator()
            raise InvalidChange([_("The pin's latitude and longitude must be numbers.")]) from None
        # A marker only nudged by rounding is not a move.
        if start is None or abs(new["lat"] - start[0]) > 1e-6 or abs(new["lon"] - start[1]) > 1e-6:
            payload["pin"] = new
    return payload
