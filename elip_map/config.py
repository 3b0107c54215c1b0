"""Settings come from the environment (never from the repo), read once into a frozen object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from .paths import PROJECT_ROOT

DEFAULT_SQLITE_PATH = PROJECT_ROOT / "instance" / "elip_map.sqlite3"


@dataclass(frozen=True)
class Setting:
    env: str
    help: str


# Every setting, its environment variable and what it is for; the README lists them all (a test checks).
SETTINGS_DOC: dict[str, Setting] = {
    "database_url": Setting("DATABASE_URL", "SQLAlchemy URL of the directory database; default: a SQLite file under instance/"),
    "max_upload_mb": Setting("ELIP_MAX_UPLOAD_MB", "largest import file accepted, in MB (default 10)"),
    "data_mirror": Setting("ELIP_DATA_MIRROR", "folder holding copies of the City of Edmonton open data, read by `elip-map refresh` instead of the portal"),
    "geocoder_url": Setting("ELIP_GEOCODER_URL", "optional Nominatim-compatible geocoder base URL; unset: offline geocoding only"),
    "geocoder_user_agent": Setting("ELIP_GEOCODER_USER_AGENT", "User-Agent sent to the online geocoder"),
    "tile_url": Setting("ELIP_TILE_URL", "basemap tile URL template; empty: no basemap (neighbourhood outlines only)"),
    "tile_attribution": Setting("ELIP_TILE_ATTRIBUTION", "attribution shown for the basemap tiles"),
    "secret_key": Setting("ELIP_SECRET_KEY", "secret for signing session cookies; required in production"),
    "stale_months": Setting("ELIP_STALE_MONTHS", "a listing not verified for this many months is stale (default 12)"),
    "coverage_public": Setting("ELIP_COVERAGE_PUBLIC", "1 to show the coverage view without a staff login in development (ignored in production)"),
    "production": Setting("ELIP_PRODUCTION", "1 in production: secure cookies, no debug, secret key required"),
    "session_minutes": Setting("ELIP_SESSION_MINUTES", "a staff or partner login lasts this many minutes (default 120)"),
}


def _default_database_url() -> str:
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    max_upload_mb: float = 10.0
    data_mirror: Path | None = None
    geocoder_url: str | None = None
    geocoder_user_agent: str = "elip-service-map/0.1 (Edmonton Local Immigration Partnership)"
    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    tile_attribution: str = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    secret_key: str | None = None
    stale_months: int = 12
    coverage_public: bool = False
    production: bool = False
    session_minutes: int = 120

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Read every setting from its environment variable; unset or empty variables keep the default."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        types = {f.name: f.type for f in fields(cls)}
        for name, doc in SETTINGS_DOC.items():
            raw = env.get(doc.env)
            if raw is None or (raw == "" and name != "tile_url"):
                continue
            kind = types[name]
            if "bool" in str(kind):
                values[name] = raw.strip().lower() in {"1", "true", "yes", "on"}
            elif "int" in str(kind):
                values[name] = int(raw)
            elif "float" in str(kind):
                values[name] = float(raw)
            elif "Path" in str(kind):
                values[name] = Path(raw)
            else:
                values[name] = raw
        values.update(overrides)
        return cls(**values)
