"""Run a unit of work in one transaction, retrying when the database says "try again".

SQLite (WAL) refuses to turn a reader into a writer once another writer has committed
(SQLITE_BUSY_SNAPSHOT), and PostgreSQL may report serialization failures; both mean "run the
whole transaction again on fresh data", which then sees the other writer's change (for example
as a version conflict) instead of failing with a database error.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ..directory.storage import Database

T = TypeVar("T")
RETRIES = 20


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower()
        return "locked" in text or "busy" in text
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None)
        return code in ("40001", "40P01")  # serialization failure, deadlock
    return False


def in_transaction(database: Database, work: Callable[[Session], T], *, retry_on_duplicate: bool = False) -> T:
    """``work(session)`` in one transaction; retried on transient conflicts (and on duplicates when the work
    is idempotent, so a second identical submission finds the first instead of failing)."""
    for attempt in range(RETRIES):
        try:
            with database.session() as session:
                return work(session)
        except IntegrityError:
            if not retry_on_duplicate or attempt == RETRIES - 1:
                raise
        except DBAPIError as exc:
            if not _retryable(exc) or attempt == RETRIES - 1:
                raise
        time.sleep(random.uniform(0.005, 0.05) * (1 + attempt))
    raise RuntimeError("unreachable")
