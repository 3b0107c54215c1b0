"""Import benchmark: rows per second for `elip-map import` beside a bare baseline, in one run.

Baseline: csv.DictReader and plain executemany INSERTs of organizations, locations and addresses
(no normalisation, no matching, no report): the floor for writing the same rows. Then the real
importer into a fresh database, without and with geocoding, and a re-import of the same file
(which must change nothing). Target (PRODUCT.md): 10,000 rows imported in under 10 s.

Then the hostile files of issue 16 (``elip_map.testing.HOSTILE_FILES``: dimension, zip and entity bombs,
a million columns, 600,000 rows, damaged packages, nested JSON...), each imported in this process into a
directory holding the sample, the seconds until it is refused (or read) beside the same baseline. Target:
every one finished in under 30 s (the tests check what happens to them, not how fast).

Usage: .venv/bin/python bench/bench_import.py [--rows 10000] [--database-url URL] [--no-hostile]
(default: fresh SQLite files in a temporary folder; a PostgreSQL URL benchmarks PostgreSQL,
its tables are emptied first, so never point it at a real directory)
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, insert  # noqa: E402

from bench.generate import write as write_directory  # noqa: E402
from elip_map.config import Settings  # noqa: E402
from elip_map.directory.models import Address, Base, Location, Organization  # noqa: E402
from elip_map.directory.storage import open_database  # noqa: E402
from elip_map.importers.normalize import location_key, name_key  # noqa: E402
from elip_map.importers.report import ImportRefused  # noqa: E402
from elip_map.importers.run import import_file  # noqa: E402
from elip_map.importers.sample import load_sample_if_empty  # noqa: E402
from elip_map.testing import HOSTILE_FILES  # noqa: E402

HOSTILE_CEILING_S = 30.0


def _fresh(url_for, name):
    database = open_database(url_for(name))
    with database.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "alembic_version":
                conn.execute(delete(table))
    return database


def baseline(database, path: Path) -> float:
    """Seconds for DictReader + plain INSERTs of the same rows (organizations, locations, addresses)."""
    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    orgs: dict[str, int] = {}
    with database.engine.begin() as conn:
        for row in rows:
            key = name_key(row["Organization"])
            if key not in orgs:
                orgs[key] = len(orgs) + 1
        conn.execute(insert(Organization), [{"id": i, "name": k, "name_key": k} for k, i in orgs.items()])
        conn.execute(insert(Location), [{
            "id": n, "organization_id": orgs[name_key(r["Organization"])], "name": r["Location"],
            "location_key": location_key(r["Street Address"], None, None, None) + f"#{n}",
            "geocode_status": "needs-attention", "version": 1,
        } for n, r in enumerate(rows, start=1)])
        conn.execute(insert(Address), [{"location_id": n, "address_1": r["Street Address"], "city": r["City"],
                                        "state_province": r["Province"], "country": "CA", "address_type": "physical"}
                                       for n, r in enumerate(rows, start=1)])
    return time.perf_counter() - start


def timed_import(database, path: Path, settings: Settings, geocode: bool):
    start = time.perf_counter()
    report = import_file(database, path, settings=settings, geocode=geocode, max_bytes=1 << 34)
    return time.perf_counter() - start, report


def hostile_files(database, folder: Path, settings: Settings, base: float) -> float:
    """Import each hostile file into ``database`` (holding the sample) and print its seconds; the slowest."""
    print(f"Hostile files (issue 16), each into a directory holding the sample, ceiling {HOSTILE_CEILING_S:.0f} s:")
    slowest = 0.0
    for name, make in HOSTILE_FILES.items():
        filename, data = make()
        path = folder / filename
        path.write_bytes(data)
        del data
        start = time.perf_counter()
        try:
            import_file(database, path, settings=settings, geocode=False, dry_run=True)
            outcome = "read (dry run)"
        except ImportRefused:
            outcome = "refused"
        seconds = time.perf_counter() - start
        path.unlink()
        slowest = max(slowest, seconds)
        print(f"  {name:<35}: {seconds:6.2f} s  ({seconds / base:5.2f}x baseline)  {outcome}")
    print(f"Target: every hostile file finished in under {HOSTILE_CEILING_S:.0f} s -> "
          f"{'met' if slowest < HOSTILE_CEILING_S else 'NOT met'} (slowest {slowest:.2f} s)")
    return slowest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", help="benchmark this database instead of temporary SQLite files")
    parser.add_argument("--no-hostile", action="store_true", help="leave out the hostile files of issue 16")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        url_for = (lambda _name: args.database_url) if args.database_url else (
            lambda name: f"sqlite:///{tmp_path / name}.sqlite3")
        path = write_directory(tmp_path / f"directory_{args.rows}.csv", args.rows)
        settings = Settings(database_url=url_for("import"))
        n = args.rows
        print(f"Import benchmark: {n} synthetic Edmonton locations ({path.stat().st_size / 1e6:.1f} MB CSV), "
              f"{'PostgreSQL' if args.database_url and 'postgres' in args.database_url else 'SQLite'}; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (compare the ratios, not the seconds)")

        db = _fresh(url_for, "baseline")
        base = baseline(db, path)
        db.dispose()
        print(f"  baseline DictReader + plain INSERTs : {base:6.2f} s  {n / base:9.0f} rows/s  (1.00x)")

        results = {}
        for label, geocode in (("import, geocoding excluded", False), ("import, geocoding included", True)):
            db = _fresh(url_for, "import" + label[-8:])
            seconds, report = timed_import(db, path, settings, geocode)
            results[label] = seconds
            ok = report.counts()
            print(f"  {label:<35}: {seconds:6.2f} s  {n / seconds:9.0f} rows/s  ({seconds / base:.2f}x baseline)"
                  f"  [{ok['imported'] + ok['corrected']} rows written]")
            if geocode:
                print(f"      geocoding: {report.geocoding}")
                again, report = timed_import(db, path, settings, geocode)
                print(f"  {'re-import of the same file':<35}: {again:6.2f} s  {n / again:9.0f} rows/s  "
                      f"(changed anything: {report.directory_changed})")
            db.dispose()
        target = results["import, geocoding included"]
        print(f"Target: {n} rows in under 10 s -> {'met' if target < 10 else 'NOT met'} "
              f"({target:.2f} s with geocoding, {results['import, geocoding excluded']:.2f} s without)")
        if not args.no_hostile:
            db = _fresh(url_for, "hostile")
            load_sample_if_empty(db)
            hostile_files(db, tmp_path, settings, base)
            db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
