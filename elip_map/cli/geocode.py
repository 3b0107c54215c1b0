"""`elip-map geocode` (the directory) and `elip-map geocode-file` (a CSV, no database needed)."""

from __future__ import annotations

import csv
import getpass
import sys

import click
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..directory.audit import record_audit
from ..directory.models import GeocodeStatus, Location
from ..directory.storage import bump_directory_version
from ..geocoding.notes import ACTOR_COMMAND_LINE_GEOCODE
from ._common import database, settings

OUTPUT_COLUMNS = ("lat", "lon", "method", "precision_m", "status")


@click.command("geocode")
@click.option("--force", is_flag=True, help="Geocode every location again, even if its address did not change.")
@click.option("--list-attention", is_flag=True, help="List the locations that need a person, and why.")
def geocode_cmd(force: bool, list_attention: bool) -> None:
    """Geocode the directory's locations that need it and print a summary."""
    from ..geocoding.apply import (
        geocode_locations,  # delayed: the geocoder loads scipy; --help stays fast
    )

    cfg = settings()
    db = database(cfg)
    try:
        with db.session() as session:
            # Addresses and organizations in two extra queries, not one per location.
            locations = session.execute(select(Location).options(
                selectinload(Location.addresses), selectinload(Location.organization))).scalars().all()
            summary = geocode_locations(session, locations, settings=cfg, force=force)
            placed = sum(summary.by_method.values())
            if placed or summary.needs_attention:
                # Pins moved: map data and coverage caches key on the directory version; staff see who did it.
                bump_directory_version(session)
                record_audit(session, ACTOR_COMMAND_LINE_GEOCODE(user=getpass.getuser()), "geocode", "directory", None,
                             None, {"placed": dict(summary.by_method), "needs_attention": summary.needs_attention,
                                    "force": force})
            click.echo(f"geocoded now: placed {placed} location(s)"
                       + (": " + ", ".join(f"{m} {n}" for m, n in sorted(summary.by_method.items())) if placed else ""))
            click.echo(f"geocoded now: needs attention {summary.needs_attention}")
            click.echo(f"unchanged (skipped): {summary.skipped_unchanged}; manual pins kept: {summary.manual_kept}")
            if list_attention:
                rows = [l for l in locations if l.geocode_status == GeocodeStatus.NEEDS_ATTENTION.value]
                click.echo(f"\n{len(rows)} location(s) need a person:")
                for loc in sorted(rows, key=lambda l: (l.organization.name, l.name or "")):
                    addr = loc.physical_address.one_line() if loc.physical_address else "(no address)"
                    click.echo(f"- {loc.organization.name} | {loc.name or '(unnamed)'} | {addr} | "
                               f"{loc.geocode_note or 'no address to place'}")
    finally:
        db.dispose()


@click.command("geocode-file")
@click.argument("input_csv", type=click.Path(exists=True, dir_okay=False))
@click.argument("output_csv", type=click.Path(dir_okay=False, writable=True))
@click.option("--online", is_flag=True,
              help="Also ask the geocoder at ELIP_GEOCODER_URL for what the offline methods cannot place.")
def geocode_file_cmd(input_csv: str, output_csv: str, online: bool) -> None:
    """Geocode INPUT_CSV (columns address, optional postal_code and city) into OUTPUT_CSV.

    OUTPUT keeps every input column and adds lat, lon, method, precision_m and status (ok or
    needs-attention; lat/lon are empty for needs-attention). Works offline, without a database.
    """
    # delayed: the geocoder loads scipy and geopy; --help stays fast
    from ..geocoding.chain import OK, geocode_batch
    from ..geocoding.online import online_geocoder_from_settings

    with open(input_csv, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = [h for h in (reader.fieldnames or [])]
        norm = {h.strip().lower(): h for h in header}
        if "address" not in norm:
            raise click.ClickException(f"{input_csv} has no 'address' column (columns: {', '.join(header) or 'none'})")
        rows = list(reader)
    col = lambda name: norm.get(name)  # noqa: E731 - tiny lookup
    inputs = [(r.get(col("address")) or "", r.get(col("postal_code")) if col("postal_code") else None,
               r.get(col("city")) if col("city") else None) for r in rows]
    geocoder = online_geocoder_from_settings(settings()) if online else None
    results = geocode_batch(inputs, online=geocoder)
    out_header = header + [c for c in OUTPUT_COLUMNS if c not in header]
    with open(output_csv, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=out_header, extrasaction="ignore")
        writer.writeheader()
        for row, res in zip(rows, results):
            ok = res.status == OK
            row.update({
                "lat": f"{res.lat:.6f}" if ok else "",
                "lon": f"{res.lon:.6f}" if ok else "",
                "method": res.method or "" if ok else "",
                "precision_m": f"{res.precision_m:.0f}" if ok and res.precision_m is not None else "",
                "status": res.status,
            })
            writer.writerow(row)
    placed = sum(1 for r in results if r.status == OK)
    click.echo(f"geocoded {len(results)} row(s): {placed} ok, {len(results) - placed} need attention", err=False)
    sys.stdout.flush()


COMMANDS = [geocode_cmd, geocode_file_cmd]
