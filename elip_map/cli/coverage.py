"""`elip-map coverage`: the coverage table or layer for one service type (and language), for reports."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..coverage.measures import DEFAULT_CATCHMENT_KM, METHODS
from . import _common


@click.command("coverage")
@click.option("--service", "service", required=True, metavar="SLUG",
              help="service-type slug, e.g. language-training")
@click.option("--language", "language", default=None, metavar="CODE",
              help="ISO 639 code of a language the service must be offered in, e.g. ar")
@click.option("--catchment-km", "catchment_km", type=float, default=DEFAULT_CATCHMENT_KM, show_default=True,
              help="straight-line radius that counts as 'within reach'")
@click.option("--method", type=click.Choice(METHODS), default="2sfca", show_default=True,
              help="access score: 2SFCA, or enhanced 2SFCA with a Gaussian distance decay")
@click.option("--format", "fmt", type=click.Choice(["csv", "geojson"]), required=True,
              help="csv: the ranked table; geojson: neighbourhood polygons with the same figures")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="file to write (default: standard output)")
def coverage(service: str, language: str | None, catchment_km: float, method: str, fmt: str,
             output: Path | None) -> None:
    """Rank neighbourhoods by how poorly they are served (gap_rank 1 = worst served).

    One row per neighbourhood: demand (residents who are not Canadian citizens, 2021 census; with
    --language, 2016 dwelling units speaking it where the census counted it), distance to the nearest
    matching service, services within the catchment, access score (services per 1,000 people of demand,
    2SFCA) and gap rank. Neighbourhoods with no census figure come last, unranked.
    """
    # delayed: coverage loads pandas, scipy and geopandas; --help stays fast
    from ..coverage import view as cv
    from ..coverage.zones import load_zones

    try:
        cv.check_inputs(service, language, catchment_km, method)
    except cv.CoverageError as exc:
        raise click.UsageError(str(exc)) from None
    settings = _common.settings()
    database = _common.database(settings)
    try:
        zones = load_zones()
        with database.session() as session:
            points = cv.load_service_points(session)
        table = cv.coverage_table(zones, points, service, language, catchment_km, method)
    finally:
        database.dispose()
    if fmt == "csv":
        text = cv.table_to_csv(table)
    else:
        text = json.dumps(cv.table_to_geojson(zones, table), ensure_ascii=False)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {len(table)} neighbourhoods to {output}", err=True)
    click.echo(f"Demand: {table.attrs['demand_label']}. {table.attrs['demand_note']}", err=True)


COMMANDS = [coverage]
