"""Opening hours as people read them: one display rule for the listing card, the partner and staff
pages, and its browser twin ``formatHours`` in ``assets/elip_map.js`` (checked on the same table).

Hours travel as ``[weekday 1-7, opens_min, closes_min]`` rows (minutes after midnight). The file format
that the importer reads back ("Mon-Fri 09:00-17:00") is a different thing and lives with the importer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def clock(minutes: int) -> str:
    """A time of day on the 24-hour clock Canada's forms use: clock(540) -> '9:00', clock(1020) -> '17:00'."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def hours_items(rows: Iterable[Sequence[int]] | None, day_names: Sequence[str]) -> list[str]:
    """['Mon 9:00–17:00', 'Tue 9:00–12:00']: one day each, for a page that joins them the reader's way."""
    return [f"{day_names[r[0] - 1]} {clock(r[1])}–{clock(r[2])}" for r in rows or []]


def display_hours(rows: Iterable[Sequence[int]] | None, day_names: Sequence[str]) -> str:
    """'Mon 9:00–17:00, Tue 9:00–12:00' from hours rows, with the reader's day names (Monday first)."""
    return ", ".join(hours_items(rows, day_names))
