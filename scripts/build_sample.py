"""Build the bundled sample directory (elip_map/data/sample_directory.csv) from the public listings.

Reads both spreadsheets in ../shared/partners/ (or the folder given as the first argument): the
newcomer-services listings and the Edmonton Public Library's 2015 branch list. Every row keeps its
source and notes so staff can verify it; every row is unverified (last_verified empty). Service-type
words are mapped to taxonomy slugs here, and a word the taxonomy does not know stops the build,
so the shipped file imports without surprises.

Usage: .venv/bin/python scripts/build_sample.py [PARTNERS_DIR]
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from elip_map.directory.languages import resolve_language, split_languages  # noqa: E402
from elip_map.importers.sample import SAMPLE_FILE  # noqa: E402
from elip_map.directory.taxonomy import resolve_service_type  # noqa: E402
from elip_map.importers.normalize import read_website, split_postal_code  # noqa: E402

LISTINGS = "edmonton_newcomer_services_public_listings.csv"
LIBRARIES = "edmonton_public_library_branches_2015.csv"
COLUMNS = ("organization", "location_name", "address", "city", "province", "postal_code", "phone", "website",
           "email", "service_types", "languages", "hours", "notes", "source_url", "last_verified")

LIBRARY_ORGANIZATION = "Edmonton Public Library"
LIBRARY_WEBSITE = "https://www.epl.ca"
# Libraries are where newcomers find free internet, newcomer information and community programs.
LIBRARY_TYPES = ("community-connections", "information-orientation", "education")
LIBRARY_SOURCE = "Edmonton Public Library branch list (2015)"
LIBRARY_NOTE = ("Branch as listed by Edmonton Public Library in 2015; it may have moved or changed since. "
                "Free internet, newcomer information and community programs.")


def _slugs(cell: str, where: str) -> str:
    slugs = []
    for word in filter(None, (w.strip() for w in cell.split(";"))):
        slug = resolve_service_type(word)
        if slug is None:
            raise SystemExit(f"{where}: service type '{word}' is not in the taxonomy; add a synonym or fix the row")
        if slug not in slugs:
            slugs.append(slug)
    return ";".join(sorted(slugs))


def listing_rows(path: Path) -> list[dict[str, str]]:
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            where = f"{path.name} row {number}"
            languages, unknown = [], []
            for name in split_languages(row["languages"]):
                code = resolve_language(name)
                (languages.append(code) if code else unknown.append(name))
            notes = row["notes"].strip()
            if unknown:  # e.g. "150+ languages (as stated)": keep the listing's words, as a note
                notes = f"{notes} Languages as listed: {', '.join(unknown)}.".strip()
            website, _correction, problem = read_website(row["website"])
            if problem:
                raise SystemExit(f"{where}: {problem}")
            rows.append({
                "organization": row["organization"].strip(), "location_name": row["location_name"].strip(),
                "address": row["street_address"].strip(), "city": row["city"].strip(),
                "province": row["province"].strip(), "postal_code": row["postal_code"].strip(),
                "phone": row["phone"].strip(), "website": website or "", "email": row["email"].strip(),
                "service_types": _slugs(row["service_types"], where), "languages": ";".join(sorted(set(languages))),
                "hours": row["hours"].strip(), "notes": notes, "source_url": row["source_url"].strip(),
                "last_verified": "",
            })
    return rows


def library_rows(path: Path) -> list[dict[str, str]]:
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            address, postal = split_postal_code(row["Address"].strip())
            rows.append({
                "organization": LIBRARY_ORGANIZATION, "location_name": row["Branch"].strip(),
                "address": " ".join(address.split()), "city": "Edmonton", "province": "AB",
                "postal_code": postal or "", "phone": row["Phone"].strip(), "website": LIBRARY_WEBSITE, "email": "",
                "service_types": ";".join(LIBRARY_TYPES), "languages": "", "hours": "", "notes": LIBRARY_NOTE,
                "source_url": LIBRARY_SOURCE, "last_verified": "",
            })
    return rows


def build(partners_dir: Path) -> str:
    """The sample CSV text built from the two spreadsheets in ``partners_dir``."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(listing_rows(partners_dir / LISTINGS) + library_rows(partners_dir / LIBRARIES))
    return out.getvalue()


def main(argv: list[str]) -> int:
    partners_dir = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "partners"
    text = build(partners_dir)
    SAMPLE_FILE.parent.mkdir(parents=True, exist_ok=True)
    SAMPLE_FILE.write_text(text, encoding="utf-8", newline="")
    print(f"Wrote {SAMPLE_FILE.relative_to(ROOT)}: {text.count(chr(10)) - 1} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
