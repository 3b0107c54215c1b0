"""Opening the directory database: SQLite by default (WAL), PostgreSQL when DATABASE_URL says so.

Every entry point calls :func:`open_database`, which creates or migrates the schema with Alembic,
so a fresh machine needs no setup step.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from ..paths import MIGRATIONS_DIR
from .models import Meta, Organization

DIRECTORY_VERSION_KEY = "directory_version"
DATASET_KEY = "dataset"


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers (the web app) carry on while an import writes; foreign keys are off by default in SQLite.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.drivername.startswith("postgresql") and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (creates it on an empty database)."""
    command.upgrade(alembic_config(engine), "head")


class Database:
    """An engine plus a session factory; one per process, sessions per unit of work."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: commits when the block ends, rolls everything back on any error."""
        with self.sessions() as session:
            with session.begin():
                yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(database_url: str, *, migrate_schema: bool = True) -> Database:
    engine = make_engine(database_url)
    if migrate_schema:
        migrate(engine)
    return Database(engine)


def get_meta(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(Meta, key)
    return row.value if row else default


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(Meta, key)
    if row is None:
        session.add(Meta(key=key, value=value))
    else:
        row.value = value


def directory_version(session: Session) -> int:
    return int(get_meta(session, DIRECTORY_VERSION_KEY, "0") or 0)


def bump_directory_version(session: Session) -> int:
    """Every change to the directory bumps this counter; caches (map data, coverage) key on it."""
    version = directory_version(session) + 1
    set_meta(session, DIRECTORY_VERSION_KEY, str(version))
    return version


def is_empty(session: Session) -> bool:
    return session.execute(select(Organization.id).limit(1)).first() is None
