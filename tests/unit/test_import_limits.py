"""Bounded imports (issue 16): hostile files are refused in plain words, within memory, and the
directory is left exactly as it was.

Each bomb is generated here (``elip_map.testing.HOSTILE_FILES``), never committed. Each test imports
the file as ``elip-map import`` does and checks the refusal names the limit (or the damage) and the
setting that changes it, in English and in French, and that the directory is unchanged (full table
dumps). The memory figures come from a child process per file (the kernel's ``VmHWM``). How fast each
is refused is a figure, not a test: ``bench/bench_import.py`` prints it beside its baseline.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
from dataclasses import replace

import pytest

from elip_map.config import SETTINGS_DOC, Settings
from elip_map.importers.dump import table_dump
from elip_map.importers.report import ImportRefused
from elip_map.importers.run import import_file
from elip_map.importers.sample import load_sample_if_empty
from elip_map.testing import GOOD_ROW, HEADER_CELLS, HOSTILE_FILES, sheet_xml, xlsx_bytes

SETTINGS = Settings()


@pytest.fixture
def sample_db(sqlite_db):
    """A directory holding the sample, so "unchanged" means something."""
    load_sample_if_empty(sqlite_db)
    return sqlite_db


def refusal(db, tmp_path, name: str, data: bytes, settings: Settings = SETTINGS, **kwargs) -> ImportRefused:
    """Import a file that must be refused; check nothing changed; return the refusal."""
    path = tmp_path / name
    path.write_bytes(data)
    before = table_dump(db.engine)
    with pytest.raises(ImportRefused) as err:
        import_file(db, path, settings=settings, geocode=False, **kwargs)
    assert table_dump(db.engine) == before
    assert err.value.report is not None and err.value.report.refused == str(err.value)
    return err.value


def dry_run(db, tmp_path, name: str, data: bytes):
    """Import a file that must be read (nothing written: a dry run) and return its report."""
    path = tmp_path / name
    path.write_bytes(data)
    return import_file(db, path, settings=SETTINGS, geocode=False, dry_run=True)


def hostile(name: str) -> tuple[str, bytes]:
    return HOSTILE_FILES[name]()


# --- each bomb of the issue, refused by the limit it passes ----------------------------------------

def test_far_cell_past_the_declared_dimension_is_refused_by_the_row_limit(sample_db, tmp_path):
    exc = refusal(sample_db, tmp_path, *hostile("xlsx-far-cell"))
    assert str(exc) == ("The file has more than 20,000 rows, the limit for one import (setting ELIP_IMPORT_MAX_ROWS). "
                        "Split it into smaller files.")
    assert exc.translated("fr").startswith("Le fichier a plus de 20\u202f000 lignes")


def test_a_declared_dimension_alone_costs_nothing(sample_db, tmp_path):
    """<dimension ref="A1:XFD1048576"/> with two real rows: the two rows import (openpyxl filled 17 billion cells)."""
    report = dry_run(sample_db, tmp_path, *hostile("xlsx-declared-only"))
    assert [(r.row, r.organization) for r in report.rows] == [(2, "Bissell Centre")]
    assert not any("blank" in note for note in report.file_notes)


def test_far_column_is_refused_naming_the_row(sample_db, tmp_path):
    data = xlsx_bytes(sheet_xml([(1, HEADER_CELLS), (2, GOOD_ROW + [("XFD2", "far")])]))
    exc = refusal(sample_db, tmp_path, "far-column.xlsx", data)
    assert str(exc).startswith("Row 2 has more than 200 columns, the limit for one import "
                               "(setting ELIP_IMPORT_MAX_COLUMNS).")


def test_huge_styles_part_is_refused_before_unpacking(sample_db, tmp_path):
    exc = refusal(sample_db, tmp_path, *hostile("xlsx-huge-styles"))
    assert "unpacks to more than 100 MB" in str(exc) and "ELIP_IMPORT_MAX_UNPACKED_MB" in str(exc)


def test_zip_bomb_is_refused_by_its_declared_size(sample_db, tmp_path):
    exc = refusal(sample_db, tmp_path, *hostile("xlsx-zip-bomb"))
    assert "unpacks to more than 100 MB" in str(exc)
    # With a higher size limit, the compression ratio (1000 to 1) still gives it away.
    exc = refusal(sample_db, tmp_path, *hostile("xlsx-zip-bomb"), settings=replace(SETTINGS, import_max_unpacked_mb=5000))
    assert "'xl/worksheets/sheet1.xml'" in str(exc) and "more than the limit of 100 times" in str(exc)
    assert "ELIP_IMPORT_MAX_COMPRESSION_RATIO" in str(exc)


def test_hsds_package_zip_bomb_is_refused(sample_db, tmp_path):
    exc = refusal(sample_db, tmp_path, *hostile("zip-package-bomb"))
    assert "unpacks to more than 100 MB" in str(exc)


def test_sixteen_thousand_rows_of_300_cells_are_refused_by_each_limit(sample_db, tmp_path):
    """The file that ran past 65 s: refused by its packing ratio, and by each counting limit once that is raised."""
    name, data = hostile("xlsx-16384x300")
    exc = refusal(sample_db, tmp_path, name, data)
    assert "times larger unpacked than packed" in str(exc)
    loose = replace(SETTINGS, import_max_compression_ratio=10_000)
    assert str(refusal(sample_db, tmp_path, name, data, settings=loose)).startswith("Row 2 has more than 200 columns")
    wider = replace(loose, import_max_columns=400)
    exc = refusal(sample_db, tmp_path, name, data, settings=wider)
    assert str(exc).startswith("The file has more than 1,000,000 cells, the limit for one import "
                               "(setting ELIP_IMPORT_MAX_CELLS).")


@pytest.mark.parametrize("part", ["sheet", "strings", "workbook", "styles"])
def test_xml_entity_bomb_is_refused_in_every_part(sample_db, tmp_path, part):
    exc = refusal(sample_db, tmp_path, *hostile(f"xlsx-entity-bomb-{part}"))
    assert str(exc).startswith("The XLSX file contains a document type declaration")


def test_a_million_columns_in_a_csv_are_refused(sample_db, tmp_path):
    exc = refusal(sample_db, tmp_path, *hostile("csv-million-columns"))
    assert str(exc).startswith("Row 1 has more than 200 columns")


@pytest.mark.parametrize("name", ["csv-600k-rows", "csv-blank-rows"])
def test_hundreds_of_thousands_of_short_rows_are_refused(sample_db, tmp_path, name):
    exc = refusal(sample_db, tmp_path, *hostile(name))
    assert str(exc).startswith("The file has more than 20,000 rows")


def test_the_row_limit_is_a_setting(sample_db, tmp_path):
    data = b"Organization,Address\n" + b"".join(b"Org %d,%d 101 St NW\n" % (n, n) for n in range(6))
    exc = refusal(sample_db, tmp_path, "rows.csv", data, settings=replace(SETTINGS, import_max_rows=5))
    assert str(exc).startswith("The file has more than 5 rows")
    path = tmp_path / "ok.csv"
    path.write_bytes(data)
    report = import_file(sample_db, path, settings=replace(SETTINGS, import_max_rows=7), geocode=False, dry_run=True)
    assert len(report.rows) == 6


def test_cell_length_is_checked_with_row_and_column(sample_db, tmp_path):
    data = b"Organization,Address,Notes\nBissell Centre,10527 96 St NW," + b"n" * 101 + b"\n"
    exc = refusal(sample_db, tmp_path, "long.csv", data, settings=replace(SETTINGS, import_max_cell_chars=100))
    assert str(exc) == ("The cell in row 2, column C holds more than 100 characters, the limit for one cell "
                        "(setting ELIP_IMPORT_MAX_CELL_CHARS).")
    xlsx = xlsx_bytes(sheet_xml([(1, HEADER_CELLS), (2, [("A2", "x" * 101), ("B2", "1 St")])]))
    exc = refusal(sample_db, tmp_path, "long.xlsx", xlsx, settings=replace(SETTINGS, import_max_cell_chars=100))
    assert str(exc).startswith("The cell in row 2, column A holds more than 100 characters")
    exc = refusal(sample_db, tmp_path, *hostile("csv-huge-cell"))  # past the csv module's own limit
    assert str(exc).startswith("A cell in row 2 holds more than 32,767 characters")


def test_upload_size_refusal_names_its_setting(sample_db, tmp_path):
    exc = refusal(sample_db, tmp_path, "big.csv", b"Organization,Address\n" + b"x" * (2 << 20),
                  settings=replace(SETTINGS, max_upload_mb=1.0))
    assert str(exc).startswith("The file is 2 MB, larger than the 1 MB limit for one import.")
    assert "ELIP_MAX_UPLOAD_MB" in str(exc)


# --- damaged files: a refusal, never a traceback -----------------------------------------------------

@pytest.mark.parametrize("name", ["xlsx-flipped-a", "xlsx-flipped-b", "xlsx-flipped-c", "xlsx-truncated",
                                  "xlsx-not-a-workbook", "garbage-pk"])
def test_damaged_workbooks_are_refused(sample_db, tmp_path, name):
    exc = refusal(sample_db, tmp_path, *hostile(name))
    assert str(exc).startswith("The XLSX file is damaged or is not an Excel workbook (")


def _patch_zip_headers(data: bytes, central_offset: int, local_offset: int, value: int) -> bytes:
    """Write a 2-byte field into every central directory header (PK 1 2) and local header (PK 3 4), at the
    offsets PKWARE's APPNOTE gives: version needed to extract is at 6 and 4, the compression method at 10 and 8."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x01\x02", central_offset), (b"PK\x03\x04", local_offset)):
        at = out.find(signature)
        assert at >= 0
        while at >= 0:
            out[at + offset:at + offset + 2] = struct.pack("<H", value)
            at = out.find(signature, at + 4)
    return bytes(out)


@pytest.mark.parametrize("field, value, cause", [
    ("version", 102, "zip file version 10.2"),           # a zip tool's future version
    ("compression", 9, "compression method 9"),          # Deflate64, which zipfile cannot unpack
    ("compression", 99, "compression method 99"),        # WinZip's AES
    ("compression", 14, "compression method 14"),        # LZMA: zipfile unpacks it, but no XLSX may use it
])
def test_a_workbook_packed_in_a_zip_format_we_cannot_read_is_refused_in_plain_words(sample_db, tmp_path, field,
                                                                                  value, cause):
    """zipfile raised NotImplementedError, which reached only the catch-all "could not be read" refusal."""
    good = xlsx_bytes(sheet_xml([(1, HEADER_CELLS), (2, GOOD_ROW)]))
    offsets = (6, 4) if field == "version" else (10, 8)
    exc = refusal(sample_db, tmp_path, "packed.xlsx", _patch_zip_headers(good, *offsets, value))
    assert str(exc) == (f"This spreadsheet is packed in a format this importer cannot read ({cause}). Open it in "
                        "your spreadsheet program and save it again as .xlsx, or as CSV UTF-8.")
    assert exc.translated("fr") == (f"Ce classeur est empaqueté dans un format que cet outil d’importation ne sait "
                                    f"pas lire ({cause}). Ouvrez-le dans votre tableur et enregistrez-le de nouveau "
                                    "en .xlsx, ou en CSV UTF-8.")
    # The same file unpatched imports: the refusal is about the packing, not the rows.
    assert [r.organization for r in dry_run(sample_db, tmp_path, "good.xlsx", good).rows] == ["Bissell Centre"]


def test_cells_whose_values_do_not_match_their_types(sample_db, tmp_path):
    """A formula never computed is empty; a number that is text stays text; a date past year 9999 stays a
    number; a reference to text the workbook lacks refuses the file, naming the cell."""
    exc = refusal(sample_db, tmp_path, *hostile("xlsx-formula-and-odd-types"))
    assert str(exc).startswith("The cell in row 5, column A cannot be read: the workbook is damaged.")
    rows = [(1, HEADER_CELLS + [("C1", "Notes")]),
            (2, [("A2", '<c r="A2" t="str"><f>"Bissell"&amp;" Centre"</f><v>Bissell Centre</v></c>'),
                 ("B2", "10527 96 St NW"), ("C2", '<c r="C2"><f>1+1</f></c>')]),
            (3, [("A3", '<c r="A3" t="n"><v>not a number</v></c>'), ("B3", "1 Main St"),
                 ("C3", '<c r="C3" s="1"><v>1e308</v></c>')]),
            (4, [("A4", '<c r="A4" t="e"><f>1/0</f><v>#DIV/0!</v></c>'), ("B4", "2 Main St"),
                 ("C4", '<c r="C4" t="b"><v>maybe</v></c>')])]
    report = dry_run(sample_db, tmp_path, "typed.xlsx", xlsx_bytes(sheet_xml(rows)))
    assert [r.organization for r in report.rows] == ["Bissell Centre", "not a number", "#DIV/0!"]


def test_bom_then_bytes_that_are_not_utf8(sample_db, tmp_path):
    exc = refusal(sample_db, tmp_path, *hostile("csv-bom-bad-utf8"))
    assert str(exc) == ("The file starts with the UTF-8 mark but is not UTF-8 text (line 2 has bytes that are not). "
                        "Save it again as CSV UTF-8.")


@pytest.mark.parametrize("name", ["json-nested-lists", "json-nested-objects"])
def test_json_nested_100000_deep_is_refused(sample_db, tmp_path, name):
    exc = refusal(sample_db, tmp_path, *hostile(name))
    assert str(exc) == "The JSON file is nested more deeply than any HSDS file is; it was not read."


def test_organizations_holding_a_list_is_refused(sample_db, tmp_path):
    """{"organizations": [[]]} raised AttributeError out of the HSDS reader."""
    exc = refusal(sample_db, tmp_path, "orgs.json", b'{"organizations": [[]]}')
    assert str(exc).startswith("The file is JSON, but not HSDS data this importer reads (")


def test_too_many_hsds_records_are_refused(sample_db, tmp_path):
    document = {"organizations": [{"name": f"Org {n}", "locations": [{"name": f"L{n}"}]} for n in range(6)]}
    exc = refusal(sample_db, tmp_path, "many.json", json.dumps(document).encode(),
                  settings=replace(SETTINGS, import_max_rows=5))
    assert str(exc).startswith("The file holds more than 5 organizations, locations or services")


def test_merged_range_over_every_column_carries_only_into_real_columns(sample_db, tmp_path):
    report = dry_run(sample_db, tmp_path, *hostile("xlsx-merged-everything"))
    assert [(r.row, r.organization) for r in report.rows] == [(2, "Bissell Centre")]


# --- the limits are settings, refused in the reader's language ---------------------------------------

def test_every_limit_is_a_documented_setting():
    names = {"import_max_rows": 20_000, "import_max_columns": 200, "import_max_cell_chars": 32_767,
             "import_max_cells": 1_000_000, "import_max_unpacked_mb": 100.0, "import_max_compression_ratio": 100.0}
    assert {name: getattr(SETTINGS, name) for name in names} == names
    assert Settings.from_env({"ELIP_IMPORT_MAX_ROWS": "50"}).import_max_rows == 50
    with pytest.raises(ValueError, match="ELIP_IMPORT_MAX_CELL_CHARS='200000': must be at most 131072"):
        Settings.from_env({"ELIP_IMPORT_MAX_CELL_CHARS": "200000"})
    assert all(name in SETTINGS_DOC for name in names)


def test_cli_shows_the_refusal_in_the_terminal_language(sample_db, tmp_path, monkeypatch):
    name, data = hostile("csv-600k-rows")
    path = tmp_path / name
    path.write_bytes(data)
    env = {"DATABASE_URL": str(sample_db.engine.url), "LANG": "fr_CA.UTF-8", "LANGUAGE": "", "LC_ALL": ""}
    result = subprocess.run([sys.executable, "-m", "elip_map", "import", str(path)], capture_output=True, text=True,
                            env={**_base_env(), **env}, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "Le fichier a plus de 20\u202f000 lignes" in result.stderr
    assert "ELIP_IMPORT_MAX_ROWS" in result.stderr
    result = subprocess.run([sys.executable, "-m", "elip_map", "import", str(path)], capture_output=True, text=True,
                            env={**_base_env(), **env, "LANG": "C.UTF-8"}, timeout=120)
    assert "REFUSED, nothing was written: The file has more than 20,000 rows" in result.stderr


def _base_env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith(("ELIP_", "LC_", "LANG"))}


# --- memory: one process per bomb, peak resident memory measured by the kernel ----------------------

_CHILD = """
import sys
from pathlib import Path
from elip_map.config import Settings
from elip_map.directory.storage import open_database
from elip_map.importers.report import ImportRefused
from elip_map.importers.run import import_file
path = Path(sys.argv[1])
db = open_database("sqlite:///" + str(path.parent / "d.sqlite3"))
try:
    import_file(db, path, settings=Settings(), geocode=False)
    outcome = "imported"
except ImportRefused:
    outcome = "refused"
# VmHWM: the peak since exec (ru_maxrss would count the test process's memory copied by fork).
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(outcome, peak / 1024)
"""


@pytest.mark.parametrize("name", ["xlsx-far-cell", "xlsx-huge-styles", "csv-million-columns", "csv-600k-rows",
                                  "xlsx-16384x300", "xlsx-zip-bomb", "csv-huge-cell"])
def test_bombs_are_refused_within_500_mb(tmp_path, name):
    """Measured in a fresh process per file, so one bomb's memory is not hidden by another's (or the test's)."""
    filename, data = hostile(name)
    (tmp_path / filename).write_bytes(data)
    del data
    result = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path / filename)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    outcome, peak_mb = result.stdout.split()
    assert outcome == "refused"
    assert float(peak_mb) < 500
