"""`elip-map backup FILE` and `elip-map restore FILE`: the whole database in one portable file."""

from __future__ import annotations

from pathlib import Path

import click

from ..backup import BackupError, Summary, read_summary, restore_backup, write_backup
from . import _common


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024:,.0f} KB" if size < 10 * 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MB"


def _counts(summary: Summary) -> str:
    wanted = ("organization", "location", "service", "app_user", "change_request", "audit_log")
    return ", ".join(f"{name} {summary.count(name):,}" for name in wanted)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace FILE when it exists.")
@click.option("--hsds", "with_hsds", is_flag=True, help="Add a readable HSDS JSON copy of the directory (restores do "
              "not need it; at 10,000 locations it makes the backup about four times slower and six times larger).")
def backup(file: Path, overwrite: bool, with_hsds: bool) -> None:
    """Write every table of the database (directory, accounts, sessions, audit log, change requests,
    verification mails, geocode results) to FILE, a zip that `elip-map restore` reads on SQLite or
    PostgreSQL.

    The copy is one consistent state of the database, even while the app is running.
    """
    if file.exists() and not overwrite:
        raise click.ClickException(f"{file} already exists; choose another name or add --overwrite.")
    summary = _on_database(lambda engine: write_backup(engine, file, include_hsds=with_hsds))
    click.echo(f"Backed up {len(summary.tables)} tables, {summary.rows:,} rows ({_counts(summary)}) "
               f"at schema revision {summary.schema_revision} to {file} ({_size(file)}).")
    if not summary.count("organization"):
        click.echo("Note: the directory in this database is empty. Check DATABASE_URL if that is a surprise.")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Delete everything in the database first (in the same transaction).")
def restore(file: Path, replace: bool) -> None:
    """Load a backup made by `elip-map backup` into the database named by DATABASE_URL.

    The database must be empty (a new SQLite file or PostgreSQL database) unless --replace. The
    restore applies completely or not at all. Stop the app first and start it again afterwards.
    """
    try:
        read_summary(file)  # a damaged or missing file is refused before the database is created or touched
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    summary = _on_database(lambda engine: restore_backup(engine, file, replace=replace))
    click.echo(f"Restored {len(summary.tables)} tables, {summary.rows:,} rows ({_counts(summary)}) from {file}, "
               f"made {summary.made_at} on {summary.made_from}. Start (or restart) the app so that every "
               "worker reads the restored data.")


def _on_database(work):
    """Run ``work(engine)`` on DATABASE_URL's database; a BackupError becomes the command's one-line error."""
    database = _common.database()
    try:
        return work(database.engine)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        database.dispose()


COMMANDS = [backup, restore]
