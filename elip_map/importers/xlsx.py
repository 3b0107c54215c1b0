"""Reading the first sheet of an XLSX workbook as a stream, within the import limits.

openpyxl, even in read-only mode, trusts the sheet's declared ``<dimension>`` and fills every row to
it (a 2 KB file declaring ``A1:XFD1048576`` asks for 17 billion cells), builds a whole ``<row>``
before handing it over, and loads the whole styles part as objects (a 360 KB file held two million
formats). So this reader takes only openpyxl's value conversions and parses the package itself:
the zip's declared sizes are checked before anything is unpacked; each part is parsed as a stream
with defusedxml (no document types, so no entity bombs); only cells that are present are kept, and
the counting stops at the first limit passed, naming the row and column. Values are those Excel
saved (a formula gives its last computed value, or nothing when none was saved).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601
from openpyxl.worksheet._reader import _cast_number

from ..i18n import N_
from .limits import Counter, ImportLimits, check_zip, column_name, refuse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
STRICT = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"
REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PKG_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

DAMAGED = N_("The XLSX file is damaged or is not an Excel workbook ({cause}). Open it in your spreadsheet program "
             "and save it again as .xlsx, or as CSV UTF-8.")
UNSAFE_XML = N_("The XLSX file contains a document type declaration, which spreadsheets never need and which is "
                "used to overload servers. Open it in your spreadsheet program and save it again.")
CELL_UNREADABLE = N_("The cell in row {row}, column {column} cannot be read: the workbook is damaged. Open it in "
                     "your spreadsheet program and save it again.")


@dataclass
class Sheet:
    rows: list[tuple[int, list[object]]]  # (row number, cell values from column A to the last one present)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (min_col, min_row, max_col, max_row)
    sheet_names: list[str] = field(default_factory=list)


class _TooLong(str):
    """A shared string longer than the cell limit: refused only if a cell uses it (then the cell is known)."""


def read_first_sheet(data: bytes, limits: ImportLimits) -> Sheet:
    """The first sheet's rows, or :class:`ImportRefused` naming the limit passed or the damage found."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise refuse(DAMAGED, cause=exc.__class__.__name__) from None
    with archive:
        check_zip(archive, limits)
        try:
            return _read(archive, limits)
        except DefusedXmlException:
            raise refuse(UNSAFE_XML) from None
        except (zipfile.BadZipFile, zlib.error, ParseError, EOFError, OSError, KeyError, ValueError, IndexError, TypeError,
                NotImplementedError, RuntimeError, LookupError) as exc:
            # CRC and zlib errors, cut-off parts, encrypted or missing parts, XML that is not well formed
            raise refuse(DAMAGED, cause=exc.__class__.__name__) from None


def _events(archive: zipfile.ZipFile, name: str, events=("end",)):
    return iterparse(archive.open(name), events=events, forbid_dtd=True)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type's last word, target part name) for a part."""
    folder, name = posixpath.split(part)
    path = posixpath.join(folder, "_rels", name + ".rels")
    if path not in archive.NameToInfo:
        return {}
    out = {}
    for _, element in _events(archive, path):
        if element.tag == PKG_RELS + "Relationship" and element.get("Id"):
            target = element.get("Target") or ""
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[element.get("Id")] = ((element.get("Type") or "").rsplit("/", 1)[-1], target)
    return out


def _read(archive: zipfile.ZipFile, limits: ImportLimits) -> Sheet:
    root = _rels(archive, "")
    workbook = next((target for kind, target in root.values() if kind == "officeDocument"), "xl/workbook.xml")
    sheets: list[tuple[str, str]] = []
    epoch = WINDOWS_EPOCH
    for _, element in _events(archive, workbook):
        tag = _local(element.tag)
        if tag == "sheet":
            sheets.append(((element.get("name") or "")[:100], element.get(REL_ID) or ""))
        elif tag == "workbookPr" and (element.get("date1904") or "").lower() in ("1", "true"):
            epoch = CALENDAR_MAC_1904
    if not sheets:
        raise ValueError("no sheet")
    rels = _rels(archive, workbook)
    parts = {kind: target for kind, target in rels.values()}
    sheet_part = rels[sheets[0][1]][1]
    dates = _date_styles(archive, parts.get("styles"))
    strings = _shared_strings(archive, parts.get("sharedStrings"), limits)
    rows, merged = _rows(archive, sheet_part, strings, dates, epoch, limits)
    return Sheet(rows=rows, merged=merged, sheet_names=[name for name, _ in sheets])


def _date_styles(archive: zipfile.ZipFile, part: str | None) -> frozenset[int]:
    """Indexes of the cell formats that show dates (their numbers are days since the epoch)."""
    if not part or part not in archive.NameToInfo:
        return frozenset()
    custom: dict[str, str] = {}
    dates: set[int] = set()
    index = 0
    in_cell_xfs = False
    for event, element in _events(archive, part, ("start", "end")):
        tag = _local(element.tag)
        if tag == "cellXfs":
            in_cell_xfs = event == "start"
        if event != "end":
            continue
        if tag == "numFmt":
            custom[element.get("numFmtId") or ""] = element.get("formatCode") or ""
        elif tag == "xf" and in_cell_xfs:
            number = element.get("numFmtId") or "0"
            code = custom.get(number)
            if code is None and number.isdigit():
                code = BUILTIN_FORMATS.get(int(number))
            if code and is_date_format(code):
                dates.add(index)
            index += 1
        element.clear()
    return frozenset(dates)


def _text_of(element) -> str:
    """The text of a string item (<si> or <is>): its <t>, or its rich-text runs' <t>s; phonetic runs left out."""
    parts = []
    for child in element:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile, part: str | None, limits: ImportLimits) -> list[str]:
    if not part or part not in archive.NameToInfo:
        return []
    strings: list[str] = []
    counter = Counter(limits)
    for _, element in _events(archive, part):
        if _local(element.tag) == "si":
            text = _text_of(element)
            strings.append(_TooLong() if len(text) > limits.cell_chars else text)
            element.clear()
            if len(strings) > limits.cells:  # more distinct texts than cells allowed: none of them could be used
                counter.too_many_cells()
    return strings


_CELL_PARTS = frozenset({"c", "is", "r", "rPh"})


def _rows(archive, part: str, strings: list[str], dates: frozenset[int], epoch, limits: ImportLimits):
    """Rows with the cells present (never the declared dimension), counted as they stream past."""
    counter = Counter(limits)
    rows: list[tuple[int, list[object]]] = []
    merged: list[tuple[int, int, int, int]] = []
    stack: list = []  # open elements, the worksheet first
    row_element = None
    row_number = 0
    column = 0
    cells: dict[int, object] = {}
    for event, element in _events(archive, part, ("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            stack.append(element)
            if tag == "row":
                row_element = element
                given = element.get("r")
                row_number = int(given) if given else row_number + 1
                counter.row(row_number)
                column = 0
                cells = {}
            continue
        stack.pop()
        if tag == "c" and row_element is not None:
            ref = element.get("r")
            column = _column_of(ref) if ref else column + 1
            if column > limits.columns:
                counter.width(row_number, column)
            value = _value(element, strings, dates, epoch, row_number, column, counter)
            if value is not None:
                if isinstance(value, str) and len(value) > limits.cell_chars:
                    counter.too_long(row_number, column)
                cells[column] = value
        elif tag == "row":
            width = max(cells, default=0)
            counter.width(row_number, width)
            values: list[object] = [None] * width
            for index, value in cells.items():
                values[index - 1] = value
            rows.append((row_number, values))
            row_element = None
        elif tag == "mergeCell":
            ref = element.get("ref") or ""
            if ":" in ref:
                merged.append(_range(ref))
                if len(merged) > limits.cells:
                    counter.too_many_cells()
        # Drop what was read, so that a row of a million cells or a million merged ranges never exists
        # whole; only a cell's own parts wait for the end of the cell.
        if stack and _local(stack[-1].tag) not in _CELL_PARTS:
            stack[-1].remove(element)
    return rows, merged


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


def _range(ref: str) -> tuple[int, int, int, int]:
    return range_boundaries(ref[:40])


def _value(element, strings, dates, epoch, row: int, column: int, counter: Counter) -> object:
    """What Excel saved in a cell: text, a number, a date, a truth value, or None (a formula never computed)."""
    kind = element.get("t", "n")
    if kind == "inlineStr":
        inline = next((child for child in element if _local(child.tag) == "is"), None)
        return _text_of(inline) if inline is not None else None
    stored = next((child.text for child in element if _local(child.tag) == "v"), None)
    if stored is None or stored == "":
        return None
    if kind == "s":
        try:
            text = strings[int(stored)]
        except (ValueError, IndexError):
            raise refuse(CELL_UNREADABLE, row=row, column=column_name(column)) from None
        if isinstance(text, _TooLong):
            counter.too_long(row, column)
        return text
    try:
        if kind == "n":
            number = _cast_number(stored)
            style = int(element.get("s") or 0)
            if style in dates:
                try:
                    return from_excel(number, epoch)
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

