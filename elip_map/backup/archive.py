"""Backing up the whole database to one file and restoring it, between SQLite and PostgreSQL either way.

The file is a zip: ``manifest.json`` (format version, schema revision, each table's columns, row count
and sha256), one JSON-lines file per table (``tables/<name>.jsonl``, one JSON array per row, in primary
key order) and, when asked, the directory as HSDS JSON for people (``hsds/directory.json``). Restores read only
the table files, so ids, timestamps, password hashes, sessions, verification links, geocode results
and pending requests come back exactly as they were.

Why this shape: the table list comes from the models' metadata, so a table added later is backed up
without anyone remembering to; the backup refuses a database holding tables or columns the metadata
does not know, so nothing is silently left out. The backup reads inside one snapshot (a read
transaction on SQLite's WAL, REPEATABLE READ on PostgreSQL), so a change made meanwhile is either
wholly in it or wholly absent. A restore is one transaction: it either completes or leaves the
database as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, Table, Text, bindparam, cast, delete, func, inspect, insert, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from .. import __version__
from ..accounts import models as _accounts_models  # noqa: F401  (registers user_session, login_attempt)
from ..directory import audit as _audit  # noqa: F401  (registers audit_log)
from ..directory import users as _users  # noqa: F401  (registers app_user)
from ..directory.models import Base
from ..hsds.export import dumps_hsds, export_hsds
from ..review import models as _review_models  # noqa: F401  (registers change_request)
from ..verification import models as _verification_models  # noqa: F401  (registers verification_mail)
from .codec import UnsupportedColumn, column_kind, decode, encode

FORMAT = "elip-map-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
HSDS_MEMBER = "hsds/directory.json"
BATCH = 1000
LOCK_TIMEOUT_S = 30

README_TEXT = """ELIP Service Map backup

manifest.json       what this file holds: format version, database schema revision, and for each
                    table its columns, row count and sha256
tables/NAME.jsonl   every row of one table, one JSON array per line, columns in the manifest's order
hsds/directory.json (with --hsds) the directory as Open Referral HSDS 3.0 JSON, for reading; restores do not use it

Restore with: elip-map restore THIS_FILE (into an empty database, or --replace).
Dates and times without a zone are UTC.
"""


class BackupError(Exception):
    """A refusal in plain words for the operator; nothing was written or changed."""


@dataclass
class TableCount:
    name: str
    rows: int


@dataclass
class Summary:
    """What a backup wrote or a restore loaded."""

    schema_revision: str
    tables: list[TableCount] = field(default_factory=list)
    made_at: str = ""
    made_from: str = ""

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def count(self, name: str) -> int:
        return next((t.rows for t in self.tables if t.name == name), 0)


# --- the schema --------------------------------------------------------------------------------------

def tables() -> list[Table]:
    """Every table of the application, parents before children (the order restores insert in)."""
    return list(Base.metadata.sorted_tables)


def schema_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _columns(table: Table) -> list[dict[str, str]]:
    return [{"name": c.name, "kind": column_kind(c)} for c in table.columns]


def check_database_matches_models(conn: Connection) -> None:
    """Refuse a database with tables or columns the models do not describe: they would be left out."""
    inspector = inspect(conn)
    known = {t.name: t for t in tables()}
    present = set(inspector.get_table_names()) - {"alembic_version", "sqlite_sequence"}
    unknown = sorted(present - set(known))
    if unknown:
        raise BackupError(f"The database holds tables this version of ELIP map does not know ({', '.join(unknown)}), "
                          "so a backup would miss them. Nothing was written.")
    for name in sorted(present):
        extra = sorted({c["name"] for c in inspector.get_columns(name)} - set(known[name].columns.keys()))
        if extra:
            raise BackupError(f"Table {name} has columns this version of ELIP map does not know ({', '.join(extra)}), "
                              "so a backup would miss them. Nothing was written.")


# --- backup ------------------------------------------------------------------------------------------

def _snapshot(engine: Engine) -> Connection:
    """A connection whose reads all see one state of the database."""
    if engine.dialect.name == "sqlite":
        conn = engine.connect()
        # pysqlite opens no transaction before a SELECT: without this BEGIN each query would see a newer state.
        conn.exec_driver_sql("BEGIN")
        return conn
    return engine.connect().execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)


def _select(table: Table, kinds: list[str]):
    cols = [cast(c, Text).label(c.name) if kind == "json" else c for c, kind in zip(table.columns, kinds)]
    return select(*cols).order_by(*table.primary_key.columns)


def _dump_rows(conn: Connection, table: Table, kinds: list[str], out) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    result = conn.execution_options(yield_per=BATCH).execute(_select(table, kinds))
    for row in result:
        line = (json.dumps([encode(k, v) for k, v in zip(kinds, row)], ensure_ascii=False,
                           separators=(",", ":")) + "\n").encode("utf-8")
        digest.update(line)
        out.write(line)
        count += 1
    return count, digest.hexdigest()


def write_backup(engine: Engine, path: Path, *, include_hsds: bool = False,
                 on_table: Callable[[str], None] | None = None) -> Summary:
    """Write every table to ``path`` (via a temporary file beside it, so a failure leaves no half backup).

    ``on_table(name)`` is called before each table is read (progress; tests use it to write meanwhile).
    """
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    now = dt.datetime.now(dt.timezone.utc)
    made_at, stamp = now.isoformat(timespec="seconds"), now.timetuple()[:6]
    try:
        with _snapshot(engine) as conn:
            revision = schema_revision(conn)
            check_database_matches_models(conn)
            try:
                layout = [(t, _columns(t)) for t in tables()]
            except UnsupportedColumn as exc:
                raise BackupError(f"This version of ELIP map cannot back up its own schema: {exc}. "
                                  "Nothing was written.") from None
            summary = Summary(schema_revision=revision or "", made_at=made_at, made_from=engine.dialect.name)
            entries = []
            # Owner-only from the first byte: the file holds password hashes and private contacts.
            partial.unlink(missing_ok=True)  # a leftover of a killed run would keep its old permissions
            handle = os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
            with handle, zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
                zf.writestr("README.txt", README_TEXT)
                for table, columns in layout:
                    if on_table:
                        on_table(table.name)
                    kinds = [c["kind"] for c in columns]
                    member = f"tables/{table.name}.jsonl"
                    info = zipfile.ZipInfo(member, date_time=stamp)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    with zf.open(info, "w", force_zip64=True) as out:
                        rows, sha = _dump_rows(conn, table, kinds, out)
                    entries.append({"name": table.name, "file": member, "columns": columns, "rows": rows,
                                    "sha256": sha})
                    summary.tables.append(TableCount(table.name, rows))
                if include_hsds:
                    with Session(bind=conn) as session:
                        zf.writestr(HSDS_MEMBER, dumps_hsds(export_hsds(session)))
                manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "schema_revision": revision,
                            "made_at": made_at, "made_from": engine.dialect.name, "app_version": __version__,
                            "naive_datetimes_are": "UTC", "hsds": HSDS_MEMBER if include_hsds else None,
                            "tables": entries}
                zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
            conn.rollback()
        os.replace(partial, path)
    except OSError as exc:
        raise BackupError(f"Could not write {path}: {exc.strerror or exc}. Nothing was written.") from None
    except SQLAlchemyError as exc:
        raise BackupError(f"The database could not be read: {_reason(exc)}. Nothing was written.") from None
    finally:
        partial.unlink(missing_ok=True)
    return summary


# --- reading a backup file -----------------------------------------------------------------------------

def _damaged(path: Path, why: str) -> BackupError:
    return BackupError(f"{path} is not an ELIP map backup, or it is damaged ({why}). Nothing was changed.")


def _open(path: Path) -> tuple[zipfile.ZipFile, dict]:
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupError(f"There is no file {path}. Nothing was changed.") from None
    except IsADirectoryError:
        raise BackupError(f"{path} is a folder, not a backup file. Nothing was changed.") from None
    except PermissionError:
        raise BackupError(f"{path} cannot be read: permission denied. Nothing was changed.") from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _damaged(path, f"not a readable zip file: {exc}") from None
    try:
        manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except KeyError:
        zf.close()
        raise _damaged(path, "it has no manifest.json") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RecursionError) as exc:
        zf.close()
        raise _damaged(path, f"its manifest cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        zf.close()
        raise _damaged(path, "its manifest does not describe an ELIP map backup")
    return zf, manifest


def _check_manifest(path: Path, manifest: dict, revision: str | None) -> list[tuple[Table, dict]]:
    """The manifest's tables matched to this installation's, or a refusal saying what differs."""
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupError(f"{path} is in backup format {version!r}; this version of ELIP map reads format "
                          f"{FORMAT_VERSION}. Restore it with the version of ELIP map that made it. Nothing was changed.")
    theirs = manifest.get("schema_revision")
    if theirs != revision:
        raise BackupError(f"{path} was made from a database at schema revision {theirs!r}, but this database is at "
                          f"{revision!r}. Restore it with the version of ELIP map that made it (then upgrade), "
                          "or make the backup again with this version. Nothing was changed.")
    entries = manifest.get("tables")
    if not isinstance(entries, list) or not all(isinstance(e, dict) and isinstance(e.get("name"), str)
                                                for e in entries):
        raise _damaged(path, "its manifest has no list of tables")
    by_name = {e.get("name"): e for e in entries}
    ours = tables()
    missing = sorted(t.name for t in ours if t.name not in by_name)
    extra = sorted(str(n) for n in by_name if n not in {t.name for t in ours})
    if missing or extra:
        raise _damaged(path, "its tables do not match the schema it names"
                       + (f"; missing: {', '.join(missing)}" if missing else "")
                       + (f"; unknown: {', '.join(extra)}" if extra else ""))
    matched = []
    for table in ours:
        entry = by_name[table.name]
        if entry.get("columns") != _columns(table):
            raise _damaged(path, f"the columns of table {table.name} do not match the schema it names")
        if not isinstance(entry.get("rows"), int) or not isinstance(entry.get("sha256"), str) \
                or not isinstance(entry.get("file"), str):
            raise _damaged(path, f"its manifest entry for table {table.name} is incomplete")
        matched.append((table, entry))
    return matched


def _lines(zf: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    with zf.open(member) as raw:
        yield from io.BufferedReader(raw, buffer_size=1 << 20)


def _verify(path: Path, zf: zipfile.ZipFile, matched: list[tuple[Table, dict]]) -> None:
    """Every table file is whole (sha256 and row count as the manifest says) before anything is written."""
    for table, entry in matched:
        digest, count = hashlib.sha256(), 0
        try:
            for line in _lines(zf, entry["file"]):
                digest.update(line)
                count += 1
        except KeyError:
            raise _damaged(path, f"the file of table {table.name} is missing") from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise _damaged(path, f"the file of table {table.name} cannot be read: {exc}") from None
        if digest.hexdigest() != entry["sha256"] or count != entry["rows"]:
            raise _damaged(path, f"the rows of table {table.name} do not match their checksum")


def read_summary(path: Path) -> Summary:
    """What a backup file holds, from its manifest (for messages and tests)."""
    zf, manifest = _open(Path(path))
    with zf:
        entries = manifest.get("tables") if isinstance(manifest.get("tables"), list) else []
        return Summary(schema_revision=str(manifest.get("schema_revision")), made_at=str(manifest.get("made_at")),
                       made_from=str(manifest.get("made_from")),
                       tables=[TableCount(str(e.get("name")), e["rows"] if isinstance(e.get("rows"), int) else 0)
                               for e in entries if isinstance(e, dict)])


# --- restore -------------------------------------------------------------------------------------------

def _reason(exc: Exception) -> str:
    """The database's own first line, without SQLAlchemy's statement dump."""
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [orig.__class__.__name__])[0]


def _lock(conn: Connection, ours: list[Table]) -> None:
    """Keep the app (and a second restore) out until this one commits or rolls back."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        return
    prep = conn.dialect.identifier_preparer
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'")
    conn.exec_driver_sql(f"LOCK TABLE {', '.join(prep.quote(t.name) for t in ours)} IN ACCESS EXCLUSIVE MODE")


def _non_empty(conn: Connection, ours: list[Table]) -> list[TableCount]:
    counts = [TableCount(t.name, conn.execute(select(func.count()).select_from(t)).scalar_one()) for t in ours]
    return [c for c in counts if c.rows]


def _insert_statement(conn: Connection, table: Table, kinds: list[str]):
    """An INSERT that writes JSON columns' text as stored (SQLite keeps it as text; others cast it)."""
    values = {}
    for column, kind in zip(table.columns, kinds):
        if kind == "json":
            raw = bindparam(column.name, type_=Text)
            values[column.name] = raw if conn.dialect.name == "sqlite" else cast(raw, column.type)
        else:
            values[column.name] = bindparam(column.name, type_=column.type)
    return insert(table).values(values)


def _limits(table: Table) -> list[tuple[int, str, int]]:
    return [(i, c.name, c.type.length) for i, c in enumerate(table.columns) if getattr(c.type, "length", None)]


def _too_long(limits: list[tuple[int, str, int]], values: list[Any]) -> str | None:
    for index, name, limit in limits:
        value = values[index]
        if isinstance(value, str) and len(value) > limit:
            return f"{name} holds {len(value)} characters, more than its {limit}"
    return None


def _rows(conn: Connection, path: Path, zf: zipfile.ZipFile, table: Table, entry: dict) -> Iterator[list[Any]]:
    """The table's rows, decoded, in the column order of ``table``."""
    kinds = [c["kind"] for c in entry["columns"]]
    # SQLite never enforced lengths, so its rows may exceed them; PostgreSQL would refuse without naming the column.
    limits = _limits(table) if conn.dialect.name != "sqlite" else []
    for number, line in enumerate(_lines(zf, entry["file"]), start=1):
        try:
            values = json.loads(line)
            if not isinstance(values, list) or len(values) != len(kinds):
                raise ValueError(f"expected {len(kinds)} values")
            values = [decode(kind, value) for kind, value in zip(kinds, values)]
        except (ValueError, RecursionError) as exc:
            raise _damaged(path, f"line {number} of table {table.name}: {exc}") from None
        if limits and (problem := _too_long(limits, values)):
            raise BackupError(f"Line {number} of table {table.name} cannot go into this database: {problem}. "
                              "Nothing was changed.")
        yield values


def _refused(table: Table, exc: Exception) -> BackupError:
    return BackupError(f"The database refused the rows of table {table.name}: {_reason(exc)}. Nothing was changed.")


def _copy_table(conn: Connection, rows: Iterator[list[Any]], table: Table) -> int:
    """PostgreSQL's COPY: one stream per table, about ten times faster than INSERTs (JSON text goes in as is)."""
    prep = conn.dialect.identifier_preparer
    columns = ", ".join(prep.quote(c.name) for c in table.columns)
    count = 0
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY {prep.quote(table.name)} ({columns}) FROM STDIN") as copy:
            for count, values in enumerate(rows, start=1):
                copy.write_row(values)
    except conn.dialect.loaded_dbapi.Error as exc:
        raise _refused(table, exc) from None
    finally:
        cursor.close()
    return count


def _insert_table(conn: Connection, rows: Iterator[list[Any]], table: Table, kinds: list[str]) -> int:
    statement = _insert_statement(conn, table, kinds)
    names = list(table.columns.keys())
    batch: list[dict] = []
    count = 0
    for count, values in enumerate(rows, start=1):
        batch.append(dict(zip(names, values)))
        if len(batch) >= BATCH:
            try:
                conn.execute(statement, batch)
            except DBAPIError as exc:
                raise _refused(table, exc) from None
            batch.clear()
    if batch:
        try:
            conn.execute(statement, batch)
        except DBAPIError as exc:
            raise _refused(table, exc) from None
    return count


def _load_table(conn: Connection, path: Path, zf: zipfile.ZipFile, table: Table, entry: dict) -> int:
    rows = _rows(conn, path, zf, table, entry)
    if conn.dialect.name == "postgresql":
        return _copy_table(conn, rows, table)
    return _insert_table(conn, rows, table, [c["kind"] for c in entry["columns"]])


def _reset_sequences(conn: Connection, ours: list[Table]) -> None:
    """After explicit ids, the next generated id must follow the largest restored one."""
    for table in ours:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or column_kind(pk[0]) != "int":
            continue
        top = conn.execute(select(func.max(pk[0]))).scalar()
        if conn.dialect.name == "postgresql":
            quoted = conn.dialect.identifier_preparer.quote(table.name)
            conn.execute(text("SELECT setval(pg_get_serial_sequence(:t, :c), :v, :called)"),
                         {"t": quoted, "c": pk[0].name, "v": top or 1, "called": top is not None})
        elif conn.dialect.name == "sqlite" and inspect(conn).has_table("sqlite_sequence"):
            conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (table.name,))
            if top is not None:
                conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table.name, top))


def restore_backup(engine: Engine, path: Path, *, replace: bool = False) -> Summary:
    """Load a backup into the database in one transaction: all of it, or nothing at all.

    Refuses (BackupError, database unchanged) a damaged file, one of another format or schema revision,
    and a database that already holds data unless ``replace`` (which deletes it in the same transaction).
    """
    path = Path(path)
    zf, manifest = _open(path)
    with zf:
        with engine.connect() as conn:
            revision = schema_revision(conn)
            conn.rollback()
        matched = _check_manifest(path, manifest, revision)
        _verify(path, zf, matched)
        ours = [table for table, _entry in matched]
        summary = Summary(schema_revision=revision or "", made_at=str(manifest.get("made_at")),
                          made_from=str(manifest.get("made_from")))
        try:
            with engine.connect() as conn:
                _lock(conn, ours)
                present = _non_empty(conn, ours)
                if present and not replace:
                    conn.rollback()
                    held = "; ".join(f"{c.name}: {c.rows} rows" for c in present[:6])
                    raise BackupError(f"The database already holds data ({held}{'; ...' if len(present) > 6 else ''}"
                                      "). Restore into an empty database, or add --replace to delete everything "
                                      "in it first. Nothing was changed.")
                for table in reversed(ours):
                    conn.execute(delete(table))
                for table, entry in matched:
                    summary.tables.append(TableCount(table.name, _load_table(conn, path, zf, table, entry)))
                _reset_sequences(conn, ours)
                conn.commit()
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise _damaged(path, str(exc)) from None
        except DBAPIError as exc:
            raise BackupError(f"The database refused the restore: {_reason(exc)}. If the app is running, stop it "
                              "and restore again. Nothing was changed.") from None
    return summary
