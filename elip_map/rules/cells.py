"""Spreadsheet cells: text that a spreadsheet would run as a formula is neutralised on export, and
the mark is undone on re-import, so an export opens safely and still round-trips."""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE]-?\d+)?$")


def neutralise_cell(value: str) -> str:
    """Prefix a quote so spreadsheets show the text instead of running it: '=1+1' -> "'=1+1".

    A plain negative number ('-113.49', a longitude) cannot run anything and stays a number.
    """
    if value and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def unneutralise_cell(value: str) -> str:
    """Undo :func:`neutralise_cell` on re-import: "'+1780..." -> '+1780...'."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(value[1:]):
        return value[1:]
    return value
