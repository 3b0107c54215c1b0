"""`elip-map refresh`: rebuild the reference data from the City of Edmonton open data."""

from __future__ import annotations

from pathlib import Path

import click

from ..geocoding.address_points import DEFAULT_INDEX_DIR, refresh_city_indexes
from ..paths import GEODATA_DIR
from ..refdata.refresh import refresh_geodata
from ..refdata.sources import PORTAL_URL_ENV, SOURCE_KEYS, RefDataError, portal_url
from ._common import settings


def _source_urls(values: tuple[str, ...]) -> dict[str, str]:
    urls = {}
    for value in values:
        key, sep, url = value.partition("=")
        if not sep or not url.strip():
            raise click.BadParameter(f"{value!r}: write KEY=URL, KEY one of {', '.join(SOURCE_KEYS)}.",
                                     param_hint="--source-url")
        urls[key.strip()] = url.strip()
    return urls


@click.command()
@click.option("--mirror", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Read the originals from this folder instead of the portal (default: env ELIP_DATA_MIRROR).")
@click.option("--geodata-dir", type=click.Path(file_okay=False, path_type=Path), default=GEODATA_DIR,
              show_default="the project's geodata/", help="Folder of derived files to update.")
@click.option("--portal-url", "portal_base", default=None,
              help=f"Open data portal base address (default: env {PORTAL_URL_ENV} or https://data.edmonton.ca).")
@click.option("--source-url", "source_url", multiple=True, metavar="KEY=URL",
              help=f"Download address of one original (KEY: {', '.join(SOURCE_KEYS)}); repeatable.")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds to wait for the portal.")
@click.option("--addresses", is_flag=True, default=False,
              help="Instead: fetch the City's address points (q7d6-ambg) and road centrelines (9j8t-zm52) and "
                   "rebuild the geocoder's index in the instance folder.")
@click.option("--index-dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_INDEX_DIR,
              show_default="instance/city_addresses", help="Folder of the address index (with --addresses).")
def refresh(mirror: Path | None, geodata_dir: Path, portal_base: str | None, source_url: tuple[str, ...],
            timeout: float, addresses: bool, index_dir: Path) -> None:
    """Re-fetch neighbourhood boundaries and census tables, rebuild geodata/, report what changed.

    With --addresses: the City's address points and centrelines instead, into the instance folder.
    Nothing changes unless every original is fetched, checked complete, parsed and rebuilt.
    """
    base = portal_base or portal_url()
    mirror = mirror if mirror is not None else settings().data_mirror
    if addresses:
        try:
            city = refresh_city_indexes(index_dir, mirror=mirror, base_url=base, timeout=max(timeout, 120.0))
        except RefDataError as exc:
            raise click.ClickException(str(exc)) from None
        for line in city.lines():
            click.echo(line)
        return
    try:
        report = refresh_geodata(geodata_dir, mirror=mirror, base_url=base, timeout=timeout,
                                 source_urls=_source_urls(source_url))
    except RefDataError as exc:
        raise click.ClickException(str(exc)) from None
    for line in report.lines():
        click.echo(line)


COMMANDS = [refresh]
