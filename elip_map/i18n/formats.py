"""Numbers, dates and distances written the way the reader's language writes them (CLDR through Babel).

Any page or export heading may call these; the browser uses ``Intl`` with :func:`intl_locale` for the
same result on the cards it writes itself.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.lists import format_list as _babel_list
from babel.numbers import format_decimal
from babel.units import format_unit

from .locales import babel_locale, text_direction

RLM, FSI, PDI = "\u200f", "\u2068", "\u2069"


def format_number(value: float | int, ui: str, *, digits: int | None = None) -> str:
    """format_number(12345, 'fr') -> '12 345' (narrow no-break space); ``digits`` fixes the decimals."""
    pattern = None
    if digits is not None:
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=babel_locale(ui))


def format_distance(km: float, ui: str) -> str:
    """A distance as people read it: metres below 1 km, else km with one decimal: '1,5 km' in French."""
    loc = babel_locale(ui)
    if km < 1:
        metres = max(10, int(round(km * 1000 / 10.0)) * 10)
        return format_unit(metres, "length-meter", length="short", locale=loc)
    return format_unit(round(km, 1), "length-kilometer", length="short", format="#,##0.0", locale=loc)


def format_metres(metres: float, ui: str) -> str:
    """A measured distance in whole metres, unrounded: format_metres(1234, 'fr') -> '1 234 m'."""
    return format_unit(int(metres), "length-meter", length="short", locale=babel_locale(ui))


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def format_date(value, ui: str, *, length: str = "medium") -> str:
    """format_date('2026-03-05', 'es') -> '5 mar 2026'; a value that is not a date is returned as text."""
    day = _as_date(value)
    if day is None:
        return "" if value is None else str(value)
    return _babel_date(day, format=length, locale=babel_locale(ui))


def format_datetime(value: dt.datetime, ui: str, *, length: str = "medium") -> str:
    """Date and time in the reader's language (the time zone is the value's own)."""
    return _babel_datetime(value, format=length, locale=babel_locale(ui), tzinfo=value.tzinfo)


def format_list(items, ui: str) -> str:
    """Several values joined as the reader's language joins them: format_list(['a', 'b', 'c'], 'en') ->
    'a, b, and c'; in Chinese 'a、b和c' (a plain ", " is an English habit).

    In a right-to-left language each item is an isolate (FSI…PDI) and the list opens with a right-to-left
    mark: Latin names joined by an Arabic "و" were drawn left to right, the conjunction glued to the wrong
    name; so the first item stands on the right, as an Arabic reader starts."""
    items = [str(i) for i in items]
    if not items:
        return ""
    if text_direction(ui) == "rtl" and len(items) > 1:
        return RLM + _babel_list([f"{FSI}{i}{PDI}" for i in items], locale=babel_locale(ui))
    return _babel_list(items, locale=babel_locale(ui))
