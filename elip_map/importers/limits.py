"""What one import may read, so that a small hostile file cannot exhaust the server's memory or time.

A 2 KB workbook can declare a million rows, a 360 KB one can unpack to gigabytes of styles, a 2 MB CSV
can hold a million columns: the file's size says little about the work it asks for. So the readers
count as they read (rows, columns, characters in a cell, cells) and check a zip's declared sizes
before unpacking anything, and stop at the first limit passed, with a refusal that names the limit and
the setting that raises it, in the reader's language. Every limit is a setting (``config.OPTIONS``);
the defaults keep any file up to the upload limit under 30 s and 500 MB of memory.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from ..config import Settings
from ..i18n import N_
from .report import ImportRefused

# The refusals, in plain words: what was too much, the limit, and the setting that changes it.
FILE_TOO_LARGE = N_("The file is {size} MB, larger than the {limit} MB limit for one import. Split it into smaller "
                    "files, or raise the limit (--max-size-mb or the setting {setting}).")
TOO_MANY_ROWS = N_("The file has more than {limit} rows, the limit for one import (setting {setting}). "
                   "Split it into smaller files.")
TOO_MANY_RECORDS = N_("The file holds more than {limit} organizations, locations or services, the limit for one "
                      "import (setting {setting}). Split it into smaller files.")
TOO_MANY_COLUMNS = N_("Row {row} has more than {limit} columns, the limit for one import (setting {setting}). "
                      "Delete the unused columns, or save only the sheet with the directory.")
CELL_TOO_LONG = N_("The cell in row {row}, column {column} holds more than {limit} characters, the limit for one "
                   "cell (setting {setting}).")
CELL_IN_ROW_TOO_LONG = N_("A cell in row {row} holds more than {limit} characters, the limit for one cell "
                          "(setting {setting}).")
TOO_MANY_CELLS = N_("The file has more than {limit} cells, the limit for one import (setting {setting}). Split it "
                    "into smaller files or delete the unused columns.")
UNPACKS_TOO_LARGE = N_("The file unpacks to more than {limit} MB, the limit for one import (setting {setting}). "
                       "Save the sheet again as CSV, or split it.")
PACKED_TOO_TIGHTLY = N_("The part '{part}' of the file is {ratio} times larger unpacked than packed, more than the "
                        "limit of {limit} times (setting {setting}). Files made to overload a server look like "
                        "this; save the sheet again from your spreadsheet program.")
TOO_MANY_PARTS = N_("The file is a zip archive of more than {limit} parts; it is not a workbook or HSDS package "
                    "this importer reads.")

# A zip's central directory is read whole; ten thousand parts is far more than any workbook has.
MAX_ZIP_PARTS = 10_000
# Parts this small are never bombs, and XML this small often packs more than 100 times.
RATIO_FLOOR_BYTES = 1 << 20
MB = 1024 * 1024


@dataclass(frozen=True)
class ImportLimits:
    """The limits one import runs under: ``ImportLimits.from_settings(Settings.from_env())``."""

    upload_bytes: int = 10 * MB
    rows: int = 20_000
    columns: int = 200
    cell_chars: int = 32_767
    cells: int = 1_000_000
    unpacked_bytes: int = 100 * MB
    ratio: float = 100.0

    @classmethod
    def from_settings(cls, settings: Settings, upload_bytes: int | None = None) -> ImportLimits:
        return cls(upload_bytes=settings.max_upload_bytes if upload_bytes is None else upload_bytes,
                   rows=settings.import_max_rows, columns=settings.import_max_columns,
                   cell_chars=settings.import_max_cell_chars, cells=settings.import_max_cells,
                   unpacked_bytes=int(settings.import_max_unpacked_mb * MB),
                   ratio=settings.import_max_compression_ratio)


def refuse(message: str, **values) -> ImportRefused:
    """The refusal for a catalogue message and its values (raise it): ``raise refuse(TOO_MANY_ROWS, limit=5, ...)``."""
    return ImportRefused(message, values=values)


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file larger than the upload limit before anything parses it."""
    if size > max_bytes:
        raise refuse(FILE_TOO_LARGE, size=round(size / MB, 1), limit=round(max_bytes / MB, 1),
                     setting="ELIP_MAX_UPLOAD_MB")


def check_zip(archive: zipfile.ZipFile, limits: ImportLimits) -> None:
    """Refuse a zip whose parts, by their declared sizes, unpack to too much or pack too tightly (a zip bomb).

    Declared sizes can be trusted as upper bounds: ``zipfile`` never returns more bytes than a part
    declares (and fails its CRC check when the data holds more or less).
    """
    parts = archive.infolist()
    if len(parts) > MAX_ZIP_PARTS:
        raise refuse(TOO_MANY_PARTS, limit=MAX_ZIP_PARTS)
    total = 0
    for info in parts:
        total += info.file_size
        if total > limits.unpacked_bytes:
            raise refuse(UNPACKS_TOO_LARGE, limit=round(limits.unpacked_bytes / MB, 1),
                         setting="ELIP_IMPORT_MAX_UNPACKED_MB")
        if info.file_size > RATIO_FLOOR_BYTES and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise refuse(PACKED_TOO_TIGHTLY, part=info.filename[:80], ratio=round(info.file_size / max(info.compress_size, 1)),
                         limit=round(limits.ratio), setting="ELIP_IMPORT_MAX_COMPRESSION_RATIO")


class Counter:
    """Counts what a reader keeps and refuses at the first limit passed; rows as the person numbers them."""

    __slots__ = ("limits", "cells")

    def __init__(self, limits: ImportLimits):
        self.limits = limits
        self.cells = 0

    def row(self, number: int) -> None:
        if number > self.limits.rows:
            raise refuse(TOO_MANY_ROWS, limit=self.limits.rows, setting="ELIP_IMPORT_MAX_ROWS")

    def width(self, number: int, columns: int) -> None:
        if columns > self.limits.columns:
            raise refuse(TOO_MANY_COLUMNS, row=number, limit=self.limits.columns, setting="ELIP_IMPORT_MAX_COLUMNS")
        self.cells += columns
        if self.cells > self.limits.cells:
            self.too_many_cells()

    def too_many_cells(self) -> None:
        raise refuse(TOO_MANY_CELLS, limit=self.limits.cells, setting="ELIP_IMPORT_MAX_CELLS")

    def cell(self, number: int, column: int, text: str) -> None:
        if len(text) > self.limits.cell_chars:
            self.too_long(number, column)

    def too_long(self, number: int, column: int | None) -> None:
        """Refuse a cell longer than the limit (``column`` None: somewhere in the row, the CSV reader stopped)."""
        if column is None:
            raise refuse(CELL_IN_ROW_TOO_LONG, row=number, limit=self.limits.cell_chars,
                         setting="ELIP_IMPORT_MAX_CELL_CHARS")
        raise refuse(CELL_TOO_LONG, row=number, column=column_name(column), limit=self.limits.cell_chars,
                     setting="ELIP_IMPORT_MAX_CELL_CHARS")

    def records(self, count: int) -> None:
        if count > self.limits.rows:
            raise refuse(TOO_MANY_RECORDS, limit=self.limits.rows, setting="ELIP_IMPORT_MAX_ROWS")


def column_name(index: int) -> str:
    """The spreadsheet's letters for a column number: column_name(1) -> 'A', column_name(28) -> 'AB'."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
