"""Synthetic service directories of N locations spread over Edmonton, for the benchmarks.

Addresses are real grid addresses ("10310 102 Avenue NW": on an avenue, the house number's first
digits name the cross street) so the geocoder has real work, with the service types, languages,
phones and hours a partner spreadsheet has. Deterministic for a given seed.

Usage: .venv/bin/python bench/generate.py N [-o FILE] [--seed S]    (e.g. N = 1000, 10000, 100000)
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from elip_map.directory.taxonomy import SLUGS  # noqa: E402

COLUMNS = ("Organization", "Location", "Street Address", "City", "Province", "Phone", "Services Offered",
           "Languages Spoken", "Hours", "Website")
LANGUAGES = ("English", "French", "Arabic", "Punjabi", "Tagalog", "Spanish", "Mandarin", "Cantonese", "Ukrainian",
             "Somali", "Tigrinya", "Amharic", "Farsi", "Dari", "Vietnamese", "Hindi", "Urdu", "Korean")
HOURS = ("Mon-Fri 9:00-17:00", "Mon-Fri 8:30-16:30; Sat 10:00-14:00", "Tue-Thu 10:00-19:00", "Daily 9-21",
         "By appointment", "")
WORDS = ("Community", "Newcomer", "Family", "Settlement", "Learning", "Welcome", "Bridges", "Harvest", "River",
         "Prairie", "North", "South", "Unity", "Hope", "Gateway")
# Edmonton's grid, NW quadrant: avenues about 1-182 (south to north), streets about 1-231 (east to west).
AVENUES = (10, 182)
STREETS = (17, 231)


def _address(rng: random.Random) -> str:
    if rng.random() < 0.5:
        avenue, cross = rng.randint(*AVENUES), rng.randint(*STREETS)
        return f"{cross * 100 + rng.randint(1, 99)} {avenue} Avenue NW"
    street, cross = rng.randint(*STREETS), rng.randint(*AVENUES)
    return f"{cross * 100 + rng.randint(1, 99)} {street} Street NW"


def _phone(rng: random.Random) -> str:
    # 780 exchanges 2xx-9xx with a non-reserved line: valid numbers phonenumbers accepts.
    exchange, line = rng.randint(200, 999), rng.randint(1000, 9999)
    style = rng.randrange(3)
    return (f"780-{exchange}-{line}", f"(780) {exchange}-{line}", f"780.{exchange}.{line}")[style]


def rows(n: int, seed: int = 2026) -> list[dict[str, str]]:
    """N location rows, about five per organization."""
    rng = random.Random(seed)
    out = []
    n_orgs = max(1, n // 5)
    for i in range(n):
        org = i % n_orgs
        name = f"{WORDS[org % len(WORDS)]} {WORDS[(org // len(WORDS)) % len(WORDS)]} Services {org:05d}"
        out.append({
            "Organization": name,
            "Location": f"Site {i // n_orgs + 1}",
            "Street Address": _address(rng),
            "City": "Edmonton",
            "Province": "AB",
            "Phone": _phone(rng),
            "Services Offered": ";".join(rng.sample(SLUGS, rng.randint(1, 4))),
            "Languages Spoken": ", ".join(rng.sample(LANGUAGES, rng.randint(1, 3))),
            "Hours": rng.choice(HOURS),
            "Website": f"www.agency{org:05d}.example.org",
        })
    return out


def write(path: Path, n: int, seed: int = 2026) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows(n, seed))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of locations (1000, 10000, 100000, ...)")
    parser.add_argument("-o", "--output", type=Path, help="CSV file to write (default: directory_N.csv)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    path = write(args.output or Path(f"directory_{args.n}.csv"), args.n, args.seed)
    print(f"Wrote {path}: {args.n} locations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
