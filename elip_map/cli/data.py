"""`elip-map import` and `elip-map export`: the data steward's way in and out of the directory."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

import click

from . import _common


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and report everything; write nothing.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the row-by-row report here (.json for JSON, anything else for CSV).")
@click.option("--strict", is_flag=True, help="Refuse the whole import if any row is rejected.")
@click.option("--max-size-mb", type=click.FloatRange(min=0, min_open=True),
              help="Largest file accepted, in MB (default: ELIP_MAX_UPLOAD_MB, else 10).")
def import_cmd(file: Path, dry_run: bool, report_path: Path | None, strict: bool, max_size_mb: float | None) -> None:
    """Import a partner spreadsheet (CSV or XLSX), HSDS JSON (any published shape) or an HSDS tabular
    package (a .zip or a folder of CSV files with datapackage.json) into the directory.

    The import applies completely or not at all. Exit status 0: applied (or checked, with
    --dry-run); 1: refused, nothing written.
    """
    # delayed: the importer loads openpyxl and the geocoder (scipy); --help stays fast
    from ..geocoding.notes import ACTOR_COMMAND_LINE_IMPORT
    from ..importers.report import ImportRefused
    from ..importers.run import import_file

    settings = _common.settings()
    max_bytes = int(max_size_mb * 1024 * 1024) if max_size_mb else None
    database = _common.database(settings)
    try:
        report = import_file(database, file, settings=settings, dry_run=dry_run, strict=strict, max_bytes=max_bytes,
                             actor=ACTOR_COMMAND_LINE_IMPORT(user=getpass.getuser(), file=file.name))
    except ImportRefused as exc:
        ui = terminal_language()
        if exc.report is not None:
            if report_path:
                exc.report.write(report_path)
            click.echo(exc.report.summary(ui=ui), err=True)
        else:
            click.echo(f"Import refused, nothing was written: {exc.translated(ui)}", err=True)
        sys.exit(1)
    finally:
        database.dispose()
    if report_path:
        report.write(report_path)
    click.echo(report.summary())
    if report_path:
        click.echo(f"Row-by-row report: {report_path}")


def terminal_language() -> str:
    """The interface language the terminal asks for, as gettext reads it (LANGUAGE, LC_ALL, LC_MESSAGES,
    LANG: 'fr_CA.UTF-8' -> 'fr'); English when none names a language the site has."""
    from ..i18n import DEFAULT_UI, match_tag  # delayed: the i18n catalogues load Babel; --help stays fast

    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        for tag in value.split(":"):
            found = match_tag(tag.split(".")[0].split("@")[0])
            if found:
                return found
    return DEFAULT_UI


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "hsds-json", "hsds-tabular"]), default="csv",
              show_default=True, help="csv: one row per location, for spreadsheets; hsds-json: HSDS 3.0 organizations "
              "with their services and locations; hsds-tabular: the HSDS CSV package as a zip (needs -o).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write; standard output when omitted.")
@click.option("--private", is_flag=True,
              help="Also export each organization's private verification contact (e-mail, language, phone); "
                   "HSDS formats only. The file then holds personal data: never publish it.")
def export_cmd(fmt: str, output: Path | None, private: bool) -> None:
    """Export the whole directory; `elip-map import` reads the result back unchanged.

    Organization contacts are private: they are left out unless --private is given, and the CSV
    never carries them.
    """
    from ..exporters import (  # delayed: loads the importers' geocoder; --help stays fast
        PrivateNotCarried,
        check_private,
        export_bytes,
        export_text,
    )

    try:
        check_private(fmt, private)
    except PrivateNotCarried as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    if fmt == "hsds-tabular" and output is None:
        click.echo("The tabular package is a zip file: name it with -o FILE.zip", err=True)
        sys.exit(2)
    database = _common.database()
    try:
        with database.session() as session:
            if output is None:
                text = export_text(session, fmt, private=private)
            else:
                data = export_bytes(session, fmt, private=private)
    finally:
        database.dispose()
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, data, private)
        click.echo(f"Wrote {output}", err=True)
    if private:
        click.echo("This export holds personal data (the organizations' private contacts): keep it where only "
                   "ELIP staff can read it, and never publish it.", err=True)


def _write(output: Path, data: bytes, private: bool) -> None:
    """Write the export; a private one is readable by its owner only (on systems with file modes)."""
    if not private:
        output.write_bytes(data)
        return
    fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(output, 0o600)  # an existing file keeps its old mode through os.open


COMMANDS = [import_cmd, export_cmd]
