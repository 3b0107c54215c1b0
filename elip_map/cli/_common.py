"""Helpers shared by the command modules."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, NoSuchModuleError, OperationalError

from ..config import SETTINGS_DOC, Settings
from ..directory.storage import Database, open_database

# What a database that is down, unreachable or misnamed raises while a command runs (not a refused row:
# an IntegrityError is the command's own business).
DATABASE_ERRORS = (OperationalError, InterfaceError, ArgumentError, NoSuchModuleError)
# Opening it can also fail on permissions (DBAPIError) or a folder that cannot be made (OSError).
OPEN_ERRORS = (*DATABASE_ERRORS, DBAPIError, OSError)


class DatabaseUnavailable(click.ClickException):
    """The database named by DATABASE_URL cannot be used: one line for the operator, never a traceback."""


def settings() -> Settings:
    return Settings.from_env()


def configured_database_url() -> str:
    """DATABASE_URL as the commands read it (its default when unset), for messages."""
    option = SETTINGS_DOC["database_url"]
    return os.environ.get(option.env) or option.default()


def shown_url(url: str) -> str:
    """The URL without its password: 'postgresql://app:***@db/elip'."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _one_line(text: str) -> str:
    text = re.sub(r"\(Background on this error at: [^)]*\)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def describe_database_error(exc: BaseException, url: str) -> str:
    """One line naming DATABASE_URL, the URL (password hidden) and the cause in the driver's words.

    describe_database_error(OperationalError(...refused...), 'postgresql://u:pw@h:1/x') ->
    'cannot use the database named by DATABASE_URL (postgresql://u:***@h:1/x): connection failed: ... refused'
    """
    if isinstance(exc, OSError) and exc.strerror:
        cause = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    elif isinstance(exc, ArgumentError):
        cause = "not a database URL (examples: sqlite:///path/to/file.sqlite3, postgresql://user@host/database)"
    else:
        cause = str(getattr(exc, "orig", None) or exc)
    return _one_line(f"cannot use the database named by DATABASE_URL ({shown_url(url)}): {cause}")


@contextlib.contextmanager
def database_errors(url: str) -> Iterator[None]:
    """Turn a failure to open or use the database into :class:`DatabaseUnavailable`."""
    try:
        yield
    except OPEN_ERRORS as exc:
        raise DatabaseUnavailable(describe_database_error(exc, url)) from None


def database(cfg: Settings | None = None) -> Database:
    """The directory database, created or migrated on first use."""
    cfg = cfg or settings()
    with database_errors(cfg.database_url):
        return open_database(cfg.database_url)
