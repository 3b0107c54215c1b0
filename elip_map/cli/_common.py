"""Helpers shared by the command modules."""

from __future__ import annotations

from ..config import Settings
from ..directory.storage import Database, open_database


def settings() -> Settings:
    return Settings.from_env()


def database(cfg: Settings | None = None) -> Database:
    """The directory database, created or migrated on first use."""
    cfg = cfg or settings()
    return open_database(cfg.database_url)
