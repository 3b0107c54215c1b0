"""Reading the first sheet of an XLSX workbook as a stream, within the import limits.

openpyxl, even in read-only mode, trusts the sheet's declared ``<dimension>`` and fills every row to
it (a 2 KB file declaring ``A1:XFD1048576`` asks for 17 billion cells), builds a whole ``<row>``
before handing it over, and loads the whole styles part as objects (a 360 KB file held two million
formats). So this reader takes only openpyxl's value conversions and reads the package itself:

- the zip's declared sizes are checked before anything is unpacked (``limits.check_zip``);
- each part is read by expat as a stream, with handlers that keep only what a cell needs (no element
  tree: memory stays flat whatever a part holds; and about four times faster than building one);
- a document type declaration is refused outright, as defusedxml does: spreadsheets never have one,
  and it is how entity bombs ("billion laughs") are made;
- only cells that are present are kept, and counting stops at the first limit passed, naming the row
  and column. Values are those Excel saved (a formula gives its last computed value, or nothing when
  none was saved).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601
from openpyxl.worksheet._reader import _cast_number

from ..i18n import N_
from .limits import Counter, ImportLimits, check_zip, column_name, refuse

DAMAGED = N_("The XLSX file is damaged or is not an Excel workbook ({cause}). Open it in your spreadsheet program "
             "and save it again as .xlsx, or as CSV UTF-8.")
UNSAFE_XML = N_("The XLSX file contains a document type declaration, which spreadsheets never need and which is "
                "used to overload servers. Open it in your spreadsheet program and save it again.")
UNSUPPORTED = N_("This spreadsheet is packed in a format this importer cannot read ({cause}). Open it in your "
                 "spreadsheet program and save it again as .xlsx, or as CSV UTF-8.")
CELL_UNREADABLE = N_("The cell in row {row}, column {column} cannot be read: the workbook is damaged. Open it in "
                     "your spreadsheet program and save it again.")

_CHUNK = 1 << 16
# An XLSX package may only store or deflate its parts (ECMA-376 Part 2, the Open Packaging Conventions);
# another method (Deflate64, AES, ...) comes from a zip tool, not a spreadsheet program, and zipfile cannot
# unpack most of them.
_PACKED_AS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})


@dataclass
class Sheet:
    rows: list[tuple[int, list[object]]]  # (row number, cell values from column A to the last one present)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (min_col, min_row, max_col, max_row)
    sheet_names: list[str] = field(default_factory=list)


class _DocumentType(Exception):
    """A part declared a document type (or an entity): refused before anything is expanded."""


class _TooLong(str):
    """A shared string longer than the cell limit: refused only if a cell uses it (then the cell is known)."""


def read_first_sheet(data: bytes, limits: ImportLimits) -> Sheet:
    """The first sheet's rows, or :class:`ImportRefused` naming the limit passed or the damage found."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except NotImplementedError as exc:  # a part declares a zip version zipfile does not know ("zip file version 10.2")
        raise refuse(UNSUPPORTED, cause=str(exc)[:60]) from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise refuse(DAMAGED, cause=exc.__class__.__name__) from None
    with archive:
        check_zip(archive, limits)
        for info in archive.infolist():
            if info.compress_type not in _PACKED_AS:
                raise refuse(UNSUPPORTED, cause=f"compression method {info.compress_type}")
        try:
            return _read(archive, limits)
        except _DocumentType:
            raise refuse(UNSAFE_XML) from None
        except NotImplementedError as exc:  # e.g. strong encryption: a packing, not damage
            raise refuse(UNSUPPORTED, cause=str(exc)[:60]) from None
        except (zipfile.BadZipFile, zlib.error, expat.ExpatError, EOFError, OSError, KeyError, ValueError,
                IndexError, TypeError, RuntimeError, LookupError) as exc:
            # CRC and zlib errors, cut-off parts, encrypted or missing parts, XML that is not well formed
            cause = "zlib error" if isinstance(exc, zlib.error) else exc.__class__.__name__
            raise refuse(DAMAGED, cause=cause) from None


def _forbid(*_args):
    raise _DocumentType()


def _parse(archive: zipfile.ZipFile, name: str, start=None, end=None, text=None) -> None:
    """Stream one part through expat with these handlers (element names without their prefix)."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.ExternalEntityRefHandler = _forbid
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    with archive.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


@lru_cache(maxsize=512)
def _local(tag: str) -> str:
    """'x:row' -> 'row' (some producers prefix the spreadsheet namespace); cached, as tags repeat."""
    return tag.rsplit(":", 1)[-1]


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type's last word, target part name) for a part."""
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", name + ".rels")
    out: dict[str, tuple[str, str]] = {}
    if path not in archive.NameToInfo:
        return out

    def start(tag, attrs):
        if _local(tag) == "Relationship" and attrs.get("Id"):
            target = attrs.get("Target") or ""
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[attrs["Id"]] = ((attrs.get("Type") or "").rsplit("/", 1)[-1], target)

    _parse(archive, path, start)
    return out


def _read(archive: zipfile.ZipFile, limits: ImportLimits) -> Sheet:
    workbook = next((target for kind, target in _rels(archive, "").values() if kind == "officeDocument"),
                    "xl/workbook.xml")
    sheets: list[tuple[str, str]] = []
    epoch = [WINDOWS_EPOCH]

    def start(tag, attrs):
        name = _local(tag)
        if name == "sheet":
            rel = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            sheets.append(((attrs.get("name") or "")[:100], rel))
        elif name == "workbookPr" and (attrs.get("date1904") or "").lower() in ("1", "true"):
            epoch[0] = CALENDAR_MAC_1904

    _parse(archive, workbook, start)
    if not sheets:
        raise ValueError("no sheet")
    rels = _rels(archive, workbook)
    parts = {kind: target for kind, target in rels.values()}
    dates = _date_styles(archive, parts.get("styles"))
    strings = _shared_strings(archive, parts.get("sharedStrings"), limits)
    rows, merged = _Rows(strings, dates, epoch[0], limits).read(archive, rels[sheets[0][1]][1])
    return Sheet(rows=rows, merged=merged, sheet_names=[name for name, _ in sheets])


def _date_styles(archive: zipfile.ZipFile, part: str | None) -> frozenset[int]:
    """Indexes of the cell formats that show dates (their numbers are days since the epoch)."""
    if not part or part not in archive.NameToInfo:
        return frozenset()
    custom: dict[str, str] = {}
    dates: set[int] = set()
    state = {"in_xfs": False, "index": 0}

    def start(tag, attrs):
        name = _local(tag)
        if name == "numFmt":
            custom[attrs.get("numFmtId") or ""] = attrs.get("formatCode") or ""
        elif name == "cellXfs":
            state["in_xfs"] = True
        elif name == "xf" and state["in_xfs"]:
            number = attrs.get("numFmtId") or "0"
            code = custom.get(number)
            if code is None and number.isdigit():
                code = BUILTIN_FORMATS.get(int(number))
            if code and is_date_format(code):
                dates.add(state["index"])
            state["index"] += 1

    def end(tag):
        if _local(tag) == "cellXfs":
            state["in_xfs"] = False

    _parse(archive, part, start, end)
    return frozenset(dates)


class _Text:
    """Collects the text of a string item (<si> or <is>): its <t>s, leaving out phonetic runs (<rPh>)."""

    __slots__ = ("parts", "size", "in_t", "in_phonetic", "limit")

    def __init__(self, limit: int):
        self.limit = limit
        self.reset()

    def reset(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.in_t = self.in_phonetic = False

    def add(self, data: str) -> bool:
        """Keep ``data``; False once the text is longer than the limit (the rest is not kept)."""
        self.size += len(data)
        if self.size > self.limit:
            return False
        self.parts.append(data)
        return True

    def value(self) -> str:
        return "".join(self.parts)

    def mark(self, name: str, inside: bool) -> None:
        """Entering or leaving a <t> (text kept) or an <rPh> (left out); any other element changes nothing.
        One place for both readers of string items, the shared strings and the inline strings."""
        if name == "t":
            self.in_t = inside
        elif name == "rPh":
            self.in_phonetic = inside


def _shared_strings(archive: zipfile.ZipFile, part: str | None, limits: ImportLimits) -> list[str]:
    if not part or part not in archive.NameToInfo:
        return []
    strings: list[str] = []
    counter = Counter(limits)
    item = _Text(limits.cell_chars)

    def start(tag, attrs):
        name = _local(tag)
        if name == "si":
            item.reset()
        else:
            item.mark(name, True)

    def end(tag):
        name = _local(tag)
        if name == "si":
            strings.append(_TooLong() if item.size > limits.cell_chars else item.value())
            if len(strings) > limits.cells:  # more distinct texts than cells allowed: they could not all be used
                counter.too_many_cells()
        else:
            item.mark(name, False)

    def text(data):
        if item.in_t and not item.in_phonetic:
            item.add(data)

    _parse(archive, part, start, end, text)
    return strings


class _Rows:
    """The worksheet's rows with the cells present (never the declared dimension), counted as they stream."""

    def __init__(self, strings: list[str], dates: frozenset[int], epoch, limits: ImportLimits):
        self.strings, self.dates, self.epoch, self.limits = strings, dates, epoch, limits
        self.counter = Counter(limits)
        self.rows: list[tuple[int, list[object]]] = []
        self.merged: list[tuple[int, int, int, int]] = []
        self.row = self.column = 0
        self.cells: dict[int, object] = {}
        self.kind = "n"
        self.style = 0
        self.stored: str | None = None
        self.in_v = self.in_inline = False
        self.text = _Text(limits.cell_chars)

    def read(self, archive: zipfile.ZipFile, part: str):
        _parse(archive, part, self.start, self.end, self.characters)
        return self.rows, self.merged

    def start(self, tag, attrs):
        name = _local(tag)
        if name == "c":
            ref = attrs.get("r")
            self.column = _column_of(ref) if ref else self.column + 1
            if self.column > self.limits.columns:
                self.counter.width(self.row, self.column)
            self.kind = attrs.get("t") or "n"
            self.style = attrs.get("s")
            self.stored = None
            self.text.reset()
        elif name == "v":
            self.in_v = True
            self.text.reset()
        elif name == "row":
            given = attrs.get("r")
            self.row = int(given) if given else self.row + 1
            self.counter.row(self.row)
            self.column = 0
            self.cells = {}
        elif name == "is":
            self.in_inline = True
        elif name == "mergeCell":
            ref = attrs.get("ref") or ""
            if ":" in ref:
                self.merged.append(range_boundaries(ref[:40]))
                if len(self.merged) > self.limits.cells:
                    self.counter.too_many_cells()
        else:
            self.text.mark(name, True)

    def characters(self, data):
        if self.in_v or (self.in_inline and self.text.in_t and not self.text.in_phonetic):
            if not self.text.add(data):
                self.counter.too_long(self.row, self.column)

    def end(self, tag):
        name = _local(tag)
        if name == "c":
            value = self.value()
            if value is not None:
                if isinstance(value, str) and len(value) > self.limits.cell_chars:
                    self.counter.too_long(self.row, self.column)
                self.cells[self.column] = value
            self.in_inline = False
        elif name == "v":
            self.stored = self.text.value()
            self.in_v = False
        elif name == "row":
            width = max(self.cells, default=0)
            self.counter.width(self.row, width)
            values: list[object] = [None] * width
            for index, value in self.cells.items():
                values[index - 1] = value
            self.rows.append((self.row, values))
            self.cells = {}
        else:
            self.text.mark(name, False)

    def value(self) -> object:
        """What Excel saved in the cell: text, a number, a date, a truth value, or None (a formula never computed)."""
        kind, stored = self.kind, self.stored
        if kind == "inlineStr":
            return self.text.value() if self.in_inline else None
        if not stored:
            return None
        if kind == "s":
            try:
                text = self.strings[int(stored)]
            except (ValueError, IndexError):
                raise refuse(CELL_UNREADABLE, row=self.row, column=column_name(self.column)) from None
            if isinstance(text, _TooLong):
                self.counter.too_long(self.row, self.column)
            return text
        try:
            if kind == "n":
                number = _cast_number(stored)
                if self.style and int(self.style) in self.dates:
                    try:
                        return from_excel(number, self.epoch)
                    except (OverflowError, ValueError):
                        return number  # a "date" past year 9999: the number as saved
                return number
            if kind == "b":
                return stored.strip() in ("1", "true")
            if kind == "d":
                return from_ISO8601(stored)
        except (ValueError, OverflowError):
            return stored  # a value that does not match its declared type: the text as saved
        return stored  # 'str' (a formula's text result) and 'e' (#DIV/0! and other errors): as Excel shows them


def _column_of(ref: str) -> int:
    number = 0
    for char in ref:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        elif "a" <= char <= "z":
            number = number * 26 + ord(char) - 96
        else:
            break
        if number > 16384:  # past Excel's last column, XFD
            break
    if number == 0:
        raise ValueError(f"cell reference {ref[:20]!r}")
    return number
