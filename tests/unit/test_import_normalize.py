"""Cleaning what people type into partner spreadsheets: pure rules, no database."""

import datetime as dt

import pytest

from elip_map.importers import normalize as nz
from elip_map.importers.report import ImportRefused
from elip_map.importers.spreadsheet import map_headers, read_table

T = dt.time


@pytest.mark.parametrize("cell, numbers, extensions, corrected", [
    ("780-424-7709", ["+17804247709"], [None], False),
    ("(780) 424-7709", ["+17804247709"], [None], False),
    ("+17804247709", ["+17804247709"], [None], False),
    ("780.424.7709", ["+17804247709"], [None], True),
    ("7804247709", ["+17804247709"], [None], True),
    ("1-780-424-7709", ["+17804247709"], [None], True),
    ("780 496 7000 ext. 5", ["+17804967000"], ["5"], True),
    ("780-424-7709 / 780-496-7000", ["+17804247709", "+17804967000"], [None, None], False),
    ("780-424-7709; 780-424-7709", ["+17804247709"], [None], False),
])
def test_phones_are_stored_e164_with_extensions(cell, numbers, extensions, corrected):
    phones, corrections, problems = nz.read_phones(cell)
    assert [p.number for p in phones] == numbers
    assert [p.extension for p in phones] == extensions
    assert bool(corrections) is corrected
    assert problems == []


def test_phone_correction_says_what_and_how():
    _phones, corrections, _ = nz.read_phones("780.424.7709")
    assert corrections == ["phone '780.424.7709' -> '+17804247709'"]


@pytest.mark.parametrize("cell", ["780 555 12", "call us", "12345678901234"])
def test_invalid_phone_is_reported_and_left_out(cell):
    phones, _corrections, problems = nz.read_phones(cell)
    assert phones == []
    assert problems and "left out" in problems[0]


def test_phone_shown_in_local_format():
    assert nz.display_phone("+17804247709") == "780-424-7709"
    assert nz.display_phone("+17804967000", "5") == "780-496-7000 ext. 5"


@pytest.mark.parametrize("cell, expected", [
    ("t5j2r7", "T5J 2R7"), ("T5J 2R7", "T5J 2R7"), (" t5j-2r7 ", "T5J 2R7"), ("", None),
])
def test_postal_codes_normalised(cell, expected):
    assert nz.read_postal_code(cell) == (expected, None)


@pytest.mark.parametrize("cell", ["12345", "T5J 2R", "D5J 2R7", "Z1A 1A1"])
def test_invalid_postal_codes_reported(cell):
    value, problem = nz.read_postal_code(cell)
    assert value is None and "not a Canadian postal code" in problem


@pytest.mark.parametrize("text, address, postal", [
    ("3410 - 118 Avenue  T5W 0Z4", "3410 - 118 Avenue", "T5W 0Z4"),
    ("201 Capilano Mall, 5004 - 98 Avenue,T6A 0A1", "201 Capilano Mall, 5004 - 98 Avenue", "T6A 0A1"),
    ("9538 107 Ave NW, Edmonton, AB T5H 0Z4", "9538 107 Ave NW", "T5H 0Z4"),
    ("10527 96 Street NW", "10527 96 Street NW", None),
])
def test_postal_code_split_out_of_address(text, address, postal):
    assert nz.split_postal_code(text) == (address, postal)


@pytest.mark.parametrize("text, po_box", [
    ("PO Box 1234", True), ("P.O. Box 99 Station Main", True), ("Box 12, Edmonton", True),
    ("10010 Boxwood Road", False), ("9538 107 Ave NW", False),
])
def test_po_boxes_recognised(text, po_box):
    assert nz.is_po_box(text) is po_box


@pytest.mark.parametrize("cell, url, corrected, refused", [
    ("https://epl.ca", "https://epl.ca", False, False),
    ("www.lacitefranco.ca", "https://www.lacitefranco.ca", True, False),
    ("http://changingtogether.com", "http://changingtogether.com", False, False),
    ("javascript:alert(1)", None, False, True),
    ("data:text/html,<script>", None, False, True),
    ("not a website", None, False, True),
])
def test_websites_get_a_scheme_and_bad_schemes_are_refused(cell, url, corrected, refused):
    value, correction, problem = nz.read_website(cell)
    assert value == url
    assert bool(correction) is corrected
    assert bool(problem) is refused


@pytest.mark.parametrize("cell, email, ok", [
    ("info@epl.ca", "info@epl.ca", True), ("mailto:info@epl.ca", "info@epl.ca", True),
    ("info at epl", None, False), ("a@b", None, False),
])
def test_emails_validated_loosely(cell, email, ok):
    value, _correction, problem = nz.read_email(cell)
    assert value == email and (problem is None) is ok


@pytest.mark.parametrize("text, expected", [
    ("Mon-Fri 9:00-19:00; Sat 9:00-17:00; Sun closed",
     [(d, T(9), T(19)) for d in range(1, 6)] + [(6, T(9), T(17))]),
    ("Monday to Friday 9am-5pm", [(d, T(9), T(17)) for d in range(1, 6)]),
    ("Mon-Fri 9-5", [(d, T(9), T(17)) for d in range(1, 6)]),
    ("Tue 10:00-12:00, 13:00-16:00", [(2, T(10), T(12)), (2, T(13), T(16))]),
    ("Daily 8-16", [(d, T(8), T(16)) for d in range(1, 8)]),
    ("Sat 10am to 2pm", [(6, T(10), T(14))]),
])
def test_hours_parsed_into_weekday_openings(text, expected):
    openings, _ = nz.parse_hours(text)
    assert [(o.weekday, o.opens_at, o.closes_at) for o in openings] == expected


@pytest.mark.parametrize("text", ["Tuesdays and Thursdays", "By appointment", "Mon-Fri 9:00-17:00 except holidays"])
def test_unreadable_hours_are_kept_whole_as_text(text):
    openings, kept = nz.parse_hours(text)
    assert openings is None and kept == text


def test_formatted_hours_read_back_the_same():
    openings, _ = nz.parse_hours("Mon-Fri 9:00-19:00; Sat 9:00-17:00; Sun closed")
    text = nz.format_hours(openings)
    assert text == "Mon-Fri 09:00-19:00; Sat 09:00-17:00"
    assert nz.parse_hours(text)[0] == openings


@pytest.mark.parametrize("a, b", [
    ("10160 112 Street NW", "10160 - 112 Street NW"), ("10527 96 St NW", "10527 96 Street Northwest"),
    ("3410 118th Avenue", "3410 118 Ave"),
])
def test_same_address_written_differently_has_one_key(a, b):
    assert nz.location_key(a, None, None, None) == nz.location_key(b, None, None, None)


def test_organization_key_ignores_case_accents_and_punctuation():
    assert nz.name_key("Accès Emploi") == nz.name_key("ACCES EMPLOI.") == "acces emploi"
    assert nz.name_key("The Bissell Centre") == nz.name_key("Bissell Centre")


@pytest.mark.parametrize("cell, shown", [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+17804247709", "'+17804247709"), ("-5 (see note)", "'-5 (see note)"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("Free", "Free"), ("", ""), ("-113.4903", "-113.4903"),
    ("-1+1", "'-1+1"),
])
def test_formula_cells_neutralised_and_restored(cell, shown):
    assert nz.neutralise_cell(cell) == shown
    assert nz.unneutralise_cell(shown) == cell


@pytest.mark.parametrize("headers, field, index", [
    (["Organisation", "Street Address"], "organization", 0),
    (["Agency Name", "Address 1"], "address", 1),
    (["agency", "POSTCODE", "Phone #"], "phone", 2),
    (["Organization Name", "Branch", "Languages Spoken"], "languages", 2),
    (["Organization", "Site", "Services Offered"], "service_types", 2),
    (["Organization", "Location", "E-mail", "Opening Hours"], "hours", 3),
    (["Organization", "Location", "Lat", "Lng"], "lon", 3),
])
def test_real_header_names_are_mapped(headers, field, index):
    assert map_headers(headers).columns[field] == index


def test_missing_required_columns_refused_naming_them_and_the_headers_found():
    with pytest.raises(ImportRefused) as err:
        map_headers(["Program", "Phone", "Languages"])
    message = str(err.value)
    assert "organization name" in message and "address, location name or postal code" in message
    assert "'Program', 'Phone', 'Languages'" in message


def test_unknown_columns_are_reported_not_silently_dropped():
    assert map_headers(["Organization", "Address", "Favourite colour"]).notes == [
        "column 'Favourite colour' is not one this importer knows; ignored"]


def test_csv_sniffs_semicolons_bom_and_windows_1252():
    table = read_table(b"\xef\xbb\xbfAgency Name;Address\r\nAcc\xc3\xa8s Emploi;8627 91 St\r\n", "x.csv")
    assert table.headers == ["Agency Name", "Address"] and table.rows[0][1][0] == "Accès Emploi"
    table = read_table("Organisation,Address\nAccès Emploi,8627 91 St\n".encode("cp1252"), "x.csv")
    assert table.rows[0][1][0] == "Accès Emploi" and "Windows-1252" in table.notes[0]


@pytest.mark.parametrize("data, name, words", [
    (b"\xd0\xcf\x11\xe0rest", "old.xls", ".xls"),
    (b"hello", "directory.pdf", "'.pdf' files are not imported"),
    (b"not a zip", "book.xlsx", "not an Excel workbook"),
    (b"", "empty.csv", "empty"),
])
def test_files_that_are_not_csv_or_xlsx_are_refused(data, name, words):
    with pytest.raises(ImportRefused) as err:
        read_table(data, name)
    assert words in str(err.value)


def test_xlsx_reader_is_protected_against_xml_bombs():
    # openpyxl parses uploads with defusedxml only when it is installed: an entity-expansion bomb in a
    # workbook would otherwise exhaust memory.
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True
