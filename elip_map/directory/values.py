"""One set of checks for every value that enters the directory, whatever door it comes through.

Spreadsheets, HSDS JSON, partner corrections and staff edits all hand their values to these
functions before anything is written. The limits come from the tables themselves
(:func:`column_limit` reads ``String(n)`` off the models), because SQLite ignores ``VARCHAR(n)``
while PostgreSQL enforces it: a value that fits on one must be refused on both, before the write,
not by the database with a traceback.

Each refusal is a :class:`Problem`: English text (it is a ``str``) that also keeps its message and
values, so a page shows it in the reader's language with :meth:`Problem.translated`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, Text, Time

from ..i18n import N_
from ..rules.phones import to_e164
from ..rules.region import in_region
from ..rules.urls import safe_website

TOO_LONG = N_("{column} has {length} characters; at most {limit} fit")
NOT_TEXT = N_("{column} must be text, not {found}")
NOT_A_NUMBER = N_("{column} '{value}' is not a number")
NOT_A_LIST = N_("{column} must be a list of objects, not {found}")
NOT_AN_OBJECT = N_("{column} must be an object, not {found}")
NOT_YES_NO = N_("{column} must be true or false")
NO_VALUE = N_("{column} must be filled in")
OUTSIDE_REGION = N_("the position {lat}, {lon} is outside the Edmonton region this map serves")
NOT_WEB_ADDRESS = N_("{column} '{value}' is not a web address starting with http:// or https://")
NOT_PHONE = N_("{column} '{value}' is not a phone number")
IN_ROW = N_("row {row}: {problem}")
# What a wrong value was, in words ("must be text, not a list").
KINDS = {"number": N_("a number"), "list": N_("a list"), "object": N_("an object"), "boolean": N_("true or false")}


class Problem(str):
    """A refusal in plain words: ``str(p)`` is English; ``p.translated(_)`` is the reader's language.

    >>> str(Problem(NO_VALUE, column="name"))
    'name must be filled in'
    """

    template: str
    values: dict

    def __new__(cls, template: str, **values):
        text = template.format(**{k: KINDS.get(v, v) if k == "found" else str(v) for k, v in values.items()})
        obj = super().__new__(cls, text)
        obj.template, obj.values = template, values
        return obj

    def translated(self, _) -> str:
        """The message in the language of ``_`` (an :class:`elip_map.i18n.Translator`); nested problems too."""
        values = {k: v.translated(_) if isinstance(v, Problem) else (_(KINDS[v]) if k == "found" and v in KINDS else v)
                  for k, v in self.values.items()}
        return _(self.template, **{k: str(v) for k, v in values.items()})

    def in_row(self, row: int | str) -> Problem:
        return Problem(IN_ROW, row=row, problem=self)


class ValueRefused(ValueError):
    """A value that cannot be stored; ``problem`` says which and why."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def translate(message: str, _) -> str:
    """Any message in the reader's language: a :class:`Problem` is translated, other text is passed to ``_``."""
    return message.translated(_) if isinstance(message, Problem) else _(message)


# --- the schema's own limits ---------------------------------------------------------------------

def column_limit(model_or_table, column: str) -> int | None:
    """Characters a column holds: column_limit(Location, 'name') -> 300; None for unlimited text."""
    table = getattr(model_or_table, "__table__", model_or_table)
    length = getattr(table.c[column].type, "length", None)
    return int(length) if length else None


def fit_key(key: str, model, column: str) -> str:
    """An identity key cut to its column: keys are derived (an address plus its unit), never shown,
    and two places that agree on their first hundreds of characters are the same place."""
    limit = column_limit(model, column)
    return key[:limit] if limit and len(key) > limit else key


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, (list, tuple, set)):
        return "list"
    return "object"


def check_text(value: Any, column: str, limit: int | None, *, required: bool = False,
               numbers: bool = False, verbatim: bool = False) -> str | None:
    """Text that fits, or ValueRefused: check_text(' Main ', 'name', 300) -> 'Main'; None stays None.

    ``numbers`` accepts a number where text is expected (a phone or extension written as 7804247709);
    ``verbatim`` keeps the text exactly, spaces included (a geocoded address is compared as it was).
    """
    if verbatim and isinstance(value, str) and not required:
        if limit is not None and len(value) > limit:
            raise ValueRefused(Problem(TOO_LONG, column=column, length=len(value), limit=limit))
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValueRefused(Problem(NO_VALUE, column=column))
        return None
    if numbers and isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str):
        raise ValueRefused(Problem(NOT_TEXT, column=column, found=_kind(value)))
    text = value.strip()
    if limit is not None and len(text) > limit:
        raise ValueRefused(Problem(TOO_LONG, column=column, length=len(text), limit=limit))
    return text


def check_column_text(value: Any, model, column: str, label: str | None = None, **kwargs) -> str | None:
    """:func:`check_text` with the limit of ``model.column``: check_column_text(x, Location, 'name')."""
    return check_text(value, label or column, column_limit(model, column), **kwargs)


def _number(value: Any, column: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueRefused(Problem(NOT_A_NUMBER, column=column, value=_short(value)))
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise ValueRefused(Problem(NOT_A_NUMBER, column=column, value=str(value)[:40])) from None
    if not math.isfinite(number):
        raise ValueRefused(Problem(NOT_A_NUMBER, column=column, value=str(value)[:40]))
    return number


def check_position(lat: Any, lon: Any, lat_column: str = "latitude",
                   lon_column: str = "longitude") -> tuple[float, float] | None:
    """A point inside the region, None when neither is given, else ValueRefused.

    check_position('53.54', -113.49) -> (53.54, -113.49); latitude 95, 1e308, NaN, infinity or a
    point in Ottawa are refused, so no impossible or faraway pin reaches the map.
    """
    la, lo = _number(lat, lat_column), _number(lon, lon_column)
    if la is None and lo is None:
        return None
    if la is None or lo is None:
        raise ValueRefused(Problem(NO_VALUE, column=lat_column if la is None else lon_column))
    if not in_region(la, lo):
        raise ValueRefused(Problem(OUTSIDE_REGION, lat=_short(lat), lon=_short(lon)))
    return la, lo


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 24 else text[:21] + "..."


_MARKUP = re.compile(r"[<>\"'`\\{}|^\x00-\x1f\x7f]")


def check_website(value: Any, column: str = "website", limit: int | None = None) -> str | None:
    """An http(s) address, None when empty, else ValueRefused: 'www.epl.ca' -> 'https://www.epl.ca';
    'javascript:alert(1)', 'data:...' and addresses carrying markup are refused."""
    text = check_text(value, column, None)
    if text is None:
        return None
    url = safe_website(text)
    host = re.match(r"^https?://([^/?#]+)", url or "", re.I)
    if url is None or _MARKUP.search(url) or re.search(r"\s", url) or not host or "." not in host.group(1):
        raise ValueRefused(Problem(NOT_WEB_ADDRESS, column=column, value=_short(text)))
    if limit is not None and len(url) > limit:
        raise ValueRefused(Problem(TOO_LONG, column=column, length=len(url), limit=limit))
    return url


def check_phone(value: Any, column: str = "phone") -> str | None:
    """E.164 for a phone number, None when empty, else ValueRefused: '(780) 424-7709' -> '+17804247709'.
    Text with markup in it is refused whole, even when a number could be picked out of it."""
    text = check_text(value, column, None, numbers=True)
    if text is None:
        return None
    if _MARKUP.search(text.replace("'", "")):
        raise ValueRefused(Problem(NOT_PHONE, column=column, value=_short(text)))
    try:
        return to_e164(text)
    except ValueError:
        raise ValueRefused(Problem(NOT_PHONE, column=column, value=_short(text))) from None


def has_markup(text: str) -> bool:
    """True for text with angle brackets or control characters: has_markup('<b>1</b>') -> True."""
    return bool(re.search(r"[<>\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", text))


def bounded_list(numbers: list[int], model, column: str) -> str:
    """Row numbers as text that fits its column: '2, 3, 4' or, when too long, '2, 3, ... 61 (60 rows)'."""
    text = ", ".join(str(n) for n in numbers)
    limit = column_limit(model, column)
    if limit is None or len(text) <= limit:
        return text
    tail = f" ... {numbers[-1]} ({len(numbers)} rows)"
    head = text[: limit - len(tail)]
    return head[: head.rfind(",")] + tail if "," in head else tail.strip()


# --- every value of a row against its table -------------------------------------------------------

def check_row(model, values: dict[str, Any], label: str | None = None) -> list[Problem]:
    """Every value of one row checked against its table's column types and lengths, before the write.

    check_row(Location, {'name': 'x' * 400}) -> ['location.name has 400 characters; at most 300 fit'].
    Names the column as ``table.column``; unknown keys are left to the writer.
    """
    table = model.__table__
    problems: list[Problem] = []
    for key, value in values.items():
        if key not in table.c or value is None:
            continue
        column = table.c[key]
        name = f"{label or table.name}.{key}"
        kind = column.type
        try:
            if isinstance(kind, (String, Text)):
                check_text(value, name, getattr(kind, "length", None))
            elif isinstance(kind, Boolean):
                if not isinstance(value, bool):
                    raise ValueRefused(Problem(NOT_YES_NO, column=name))
            elif isinstance(kind, Integer):
                if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 2**31 - 1:
                    raise ValueRefused(Problem(NOT_A_NUMBER, column=name, value=_short(value)))
            elif isinstance(kind, Float):
                if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                    raise ValueRefused(Problem(NOT_A_NUMBER, column=name, value=_short(value)))
            elif isinstance(kind, DateTime):
                if not isinstance(value, dt.datetime):
                    raise ValueRefused(Problem(NOT_TEXT, column=name, found=_kind(value)))
            elif isinstance(kind, (Date, Time)):
                wanted = dt.date if isinstance(kind, Date) else dt.time
                if not isinstance(value, wanted):
                    raise ValueRefused(Problem(NOT_TEXT, column=name, found=_kind(value)))
        except ValueRefused as exc:
            problems.append(exc.problem)
    return problems


__all__ = ["Problem", "ValueRefused", "bounded_list", "check_column_text", "check_phone", "check_position",
           "check_row", "check_text", "check_website", "column_limit", "fit_key", "has_markup", "translate"]
