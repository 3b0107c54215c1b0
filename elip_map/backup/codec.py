"""How one column's values are written to a backup and read back, the same way on SQLite and PostgreSQL.

A backup is plain JSON, so every value must survive JSON and both databases: times become ISO text
(naive datetimes stay naive, since the app stores UTC without a zone), decimals become text (no binary
rounding), bytes become base64. JSON columns are copied as their stored text, so a SQL NULL and a JSON
``null`` stay different and nothing is re-serialised on the way.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
from typing import Any

from sqlalchemy import (JSON, Boolean, Column, Date, DateTime, Enum, Float, Integer, LargeBinary, Numeric, String,
                        Time)

KINDS = ("json", "bytes", "datetime", "date", "time", "bool", "float", "decimal", "int", "text")


class UnsupportedColumn(Exception):
    """A column type the backup format has no portable spelling for (found when a backup starts)."""


def column_kind(column: Column) -> str:
    """The portable kind of a column; the order matters (Float is a Numeric, Enum and Text are Strings)."""
    kind_of = column.type
    for sql_type, kind in ((JSON, "json"), (LargeBinary, "bytes"), (DateTime, "datetime"), (Date, "date"),
                           (Time, "time"), (Boolean, "bool"), (Float, "float"), (Numeric, "decimal"),
                           (Integer, "int"), (Enum, "text"), (String, "text")):
        if isinstance(kind_of, sql_type):
            return kind
    raise UnsupportedColumn(f"column {column.table.name}.{column.name} has type {kind_of!r}, "
                            "which the backup format cannot store")


def encode(kind: str, value: Any) -> Any:
    """A JSON-ready value."""
    if value is None:
        return None
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind in ("datetime", "date", "time"):
        return value.isoformat()
    if kind == "decimal":
        return str(value)
    return value


def _expect(value: Any, types: tuple[type, ...], what: str) -> Any:
    if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
        raise ValueError(f"expected {what}, found {value!r:.60}")
    return value


def decode(kind: str, value: Any) -> Any:
    """The Python value to insert; ValueError when the file holds something else than the kind says."""
    if value is None:
        return None
    if kind in ("json", "text"):
        return _expect(value, (str,), "text")
    if kind == "int":
        return _expect(value, (int,), "a whole number")
    if kind == "bool":
        return _expect(value, (bool,), "true or false")
    if kind == "float":
        return float(_expect(value, (int, float), "a number"))
    if kind == "decimal":
        try:
            return decimal.Decimal(_expect(value, (str,), "a decimal number as text"))
        except decimal.InvalidOperation:
            raise ValueError(f"expected a decimal number, found {value!r:.60}") from None
    if kind == "bytes":
        try:
            return base64.b64decode(_expect(value, (str,), "base64 text"), validate=True)
        except ValueError:
            raise ValueError(f"expected base64 text, found {value!r:.60}") from None
    parse = {"datetime": dt.datetime, "date": dt.date, "time": dt.time}[kind]
    return parse.fromisoformat(_expect(value, (str,), f"an ISO {kind}"))
