"""The `elip-map` command: one click group; each concern adds its commands from its own module.

A module in this package that defines ``COMMANDS`` (a list of click commands) is registered here,
so new commands never need an edit to this file.
"""

from __future__ import annotations

import importlib
import pkgutil

import click

from .. import __version__
from ..config import SettingError
from ._common import DATABASE_ERRORS, configured_database_url, describe_database_error


class _Commands(click.Group):
    """Every command ends a settings or database problem with one line naming the variable to fix
    (``Error: cannot use the database named by DATABASE_URL (...): connection refused``), never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SettingError as exc:
            raise click.ClickException(" ".join(str(exc).split())) from None
        except DATABASE_ERRORS as exc:  # the database went away while the command ran
            raise click.ClickException(describe_database_error(exc, configured_database_url())) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="elip-map")
def cli() -> None:
    """ELIP Service Map: the Edmonton Local Immigration Partnership's map of newcomer services.

    The database is the one named by DATABASE_URL (default: a SQLite file under instance/);
    every command creates or migrates it on first use.
    """


for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("_"):
        continue
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _command in getattr(_module, "COMMANDS", ()):
        cli.add_command(_command)
