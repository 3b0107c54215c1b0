"""Settings come from the environment (never from the repo), read once into a frozen object.

Each setting is data: an :class:`Option` declares its name, default, parser, help text and
environment variable, and :data:`OPTIONS` is the one list of them (the README documents each one; a
test checks). Adding a setting is adding one entry. A value that does not parse stops the program
with a message that names the variable, e.g. ``ELIP_MAX_UPLOAD_MB='ten': not a number``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .paths import PROJECT_ROOT

DEFAULT_SQLITE_PATH = PROJECT_ROOT / "instance" / "elip_map.sqlite3"


class SettingError(ValueError):
    """A setting's environment variable holds a value that cannot be used; the message names it."""


class UnsafeSetting(SettingError, RuntimeError):
    """A setting that parses but is not safe in production (a RuntimeError too: the app refuses to start)."""


def text(raw: str) -> str:
    return raw


def flag(raw: str) -> bool:
    """'1', 'true', 'yes', 'on' -> True; '0', 'false', 'no', 'off' -> False; anything else is a mistake."""
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError("use 1 or 0")


def number(minimum: float = 0.0) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError("not a number") from None
        if not value > minimum:
            raise ValueError(f"must be more than {minimum:g}")
        return value
    return parse


def whole(minimum: int = 1, maximum: int | None = None) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError("not a whole number") from None
        if value < minimum:
            raise ValueError(f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise ValueError(f"must be at most {maximum}")
        return value
    return parse


def mail_address(raw: str) -> str:
    """'bounces@map.example.org' as it is; 'ELIP <bounces@x>' or 'bounces' are mistakes (a bare address)."""
    value = raw.strip()
    local, at, domain = value.rpartition("@")
    if not at or not local or "." not in domain or any(c in value for c in " <>,;"):
        raise ValueError("write a bare e-mail address such as bounces@map.example.org")
    return value


def folder(raw: str) -> Path:
    return Path(raw).expanduser()


def origins(raw: str) -> tuple[str, ...]:
    """Web origins separated by spaces or commas: 'https://a.example, https://b.example:8443'.

    Each must be a whole origin (scheme, host, optional port; no path, no wildcard), because it goes into
    a Content-Security-Policy ``frame-ancestors`` list where anything looser would let any site frame the map.
    """
    found = []
    for item in raw.replace(",", " ").split():
        scheme, sep, rest = item.partition("://")
        host = rest.rstrip("/")
        if scheme not in ("http", "https") or not sep or not host or any(c in host for c in "/*?#;'\"\\ "):
            raise ValueError(f"{item!r} is not an origin like https://site.example")
        found.append(f"{scheme}://{host}")
    return tuple(found)


@dataclass(frozen=True)
class Option:
    """One setting: ``Option("stale_months", "ELIP_STALE_MONTHS", 12, whole(1), "...")``.

    ``default`` may be a callable (computed when settings are read); ``empty_means_value`` keeps an
    empty variable as a real value (an empty tile URL means "no basemap") instead of the default.
    """

    name: str
    env: str
    default: Any
    parse: Callable[[str], Any]
    help: str
    empty_means_value: bool = False

    def read(self, environ: Mapping[str, str]) -> Any:
        raw = environ.get(self.env)
        if raw is None or (raw == "" and not self.empty_means_value):
            return self.default() if callable(self.default) else self.default
        try:
            return self.parse(raw)
        except ValueError as exc:
            raise SettingError(f"{self.env}={raw!r}: {exc} ({self.help})") from None


MIN_SECRET_KEY_BYTES = 32


def _default_database_url() -> str:
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


OPTIONS: tuple[Option, ...] = (
    Option("database_url", "DATABASE_URL", _default_database_url, text,
           "SQLAlchemy URL of the directory database; default: a SQLite file under instance/"),
    Option("max_upload_mb", "ELIP_MAX_UPLOAD_MB", 10.0, number(0), "largest import file accepted, in MB (default 10)"),
    # What one import may read, whatever its size on disk (importers/limits.py): a small hostile file must not
    # exhaust memory or time. The defaults keep any file up to the upload limit under 30 s and 500 MB.
    Option("import_max_rows", "ELIP_IMPORT_MAX_ROWS", 20_000, whole(1),
           "most rows (or HSDS records) one import reads, blank rows included (default 20000)"),
    Option("import_max_columns", "ELIP_IMPORT_MAX_COLUMNS", 200, whole(1),
           "most columns a spreadsheet row may have (default 200)"),
    Option("import_max_cell_chars", "ELIP_IMPORT_MAX_CELL_CHARS", 32_767, whole(1, 131_072),
           "most characters in one cell (default 32767, Excel's own limit; at most 131072)"),
    Option("import_max_cells", "ELIP_IMPORT_MAX_CELLS", 1_000_000, whole(1),
           "most cells one spreadsheet import reads, empty ones inside rows included (default 1000000)"),
    Option("import_max_unpacked_mb", "ELIP_IMPORT_MAX_UNPACKED_MB", 100.0, number(0),
           "largest size an XLSX workbook or HSDS zip may unpack to, in MB (default 100)"),
    Option("import_max_compression_ratio", "ELIP_IMPORT_MAX_COMPRESSION_RATIO", 100.0, number(1),
           "most times larger a part of an XLSX or zip may be unpacked than packed (default 100; zip bombs are far "
           "above)"),
    Option("data_mirror", "ELIP_DATA_MIRROR", None, folder,
           "folder holding copies of the City of Edmonton open data, read by `elip-map refresh` instead of the portal"),
    Option("geocoder_url", "ELIP_GEOCODER_URL", None, text,
           "optional Nominatim-compatible geocoder base URL; unset: offline geocoding only"),
    Option("geocoder_user_agent", "ELIP_GEOCODER_USER_AGENT",
           "elip-service-map/0.1 (Edmonton Local Immigration Partnership)", text, "User-Agent sent to the online geocoder"),
    Option("tile_url", "ELIP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", text,
           "basemap tile URL template; empty: no basemap (neighbourhood outlines only)", empty_means_value=True),
    Option("tile_attribution", "ELIP_TILE_ATTRIBUTION",
           '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors', text,
           "attribution shown for the basemap tiles"),
    Option("secret_key", "ELIP_SECRET_KEY", None, text,
           f"secret for signing session cookies; required in production, at least {MIN_SECRET_KEY_BYTES} bytes"),
    Option("stale_months", "ELIP_STALE_MONTHS", 12, whole(1),
           "a listing not verified for this many months is stale (default 12)"),
    Option("coverage_public", "ELIP_COVERAGE_PUBLIC", False, flag,
           "1 to show the coverage view without a staff login in development (ignored in production)"),
    Option("production", "ELIP_PRODUCTION", False, flag, "1 in production: secure cookies, no debug, secret key required"),
    Option("trusted_proxies", "ELIP_TRUSTED_PROXIES", 0, whole(0),
           "how many reverse proxies in front of the app add X-Forwarded-For/-Proto (default 0: none; the "
           "connection's address is the client's). Set it to your proxy count, or per-address login limits "
           "count the proxy as one client"),
    Option("session_minutes", "ELIP_SESSION_MINUTES", 120, whole(1),
           "a staff or partner login lasts this many minutes (default 120)"),
    Option("public_url", "ELIP_PUBLIC_URL", None, text,
           "the site's public address (https://map.example.org); verification links in e-mails start with it"),
    Option("smtp_url", "ELIP_SMTP_URL", None, text,
           "mail server for verification e-mails: smtp://user:password@host:587 (STARTTLS when offered), "
           "smtps://host:465, or smtp://127.0.0.1:2525"),
    Option("mail_from", "ELIP_MAIL_FROM", "ELIP Service Map <no-reply@localhost>", text,
           "sender address of verification e-mails"),
    Option("mail_reply_to", "ELIP_MAIL_REPLY_TO", None, text,
           "Reply-To address of verification e-mails (the ELIP staff mailbox)"),
    Option("frame_origins", "ELIP_FRAME_ORIGINS", (), origins,
           "sites allowed to show the newcomer page in a frame (iframe), e.g. 'https://partner.example'; "
           "default: none (staff and partner pages can never be framed by another site)"),
    Option("bounce_address", "ELIP_BOUNCE_ADDRESS", None, mail_address,
           "mailbox that receives bounce reports (bounces@map.example.org); each verification e-mail's envelope "
           "sender is then bounces+<signed id>@..., read back by `elip-map campaign bounces`"),
    Option("verify_link_days", "ELIP_VERIFY_LINK_DAYS", 30, whole(1),
           "a verification link works for this many days (default 30)"),
)

# Every setting by name (the README lists them all; a test checks).
SETTINGS_DOC: dict[str, Option] = {option.name: option for option in OPTIONS}


def _from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
    """Read every setting from its environment variable; unset or empty variables keep the default."""
    env = os.environ if environ is None else environ
    values = {option.name: option.read(env) for option in OPTIONS}
    values.update(overrides)
    return cls(**values)


def production_problems(settings) -> list[str]:
    """Why these settings are unsafe in production (empty when they are fine or not in production).

    Each message names the variable to change, so an operator can fix it without reading code.
    """
    if not settings.production:
        return []
    problems = []
    key = settings.secret_key or ""
    if len(key.encode("utf-8")) < MIN_SECRET_KEY_BYTES:
        problems.append(f"ELIP_SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes in production (ELIP_PRODUCTION=1); "
                        f"it has {len(key.encode('utf-8'))}. Make one with: "
                        "python -c 'import secrets; print(secrets.token_urlsafe(48))'")
    return problems


def require_safe_for_production(settings) -> None:
    """Stop with an :class:`UnsafeSetting` naming the variable when production settings are unsafe."""
    problems = production_problems(settings)
    if problems:
        raise UnsafeSetting(" ".join(problems))


def _max_upload_bytes(self) -> int:
    return int(self.max_upload_mb * 1024 * 1024)


# A frozen dataclass with one field per option, so a setting added to OPTIONS is a field at once.
Settings = dataclasses.make_dataclass(
    "Settings",
    [(o.name, Any, dataclasses.field(default_factory=o.default) if callable(o.default) else dataclasses.field(default=o.default))
     for o in OPTIONS],
    frozen=True,
    namespace={"from_env": classmethod(_from_env), "max_upload_bytes": property(_max_upload_bytes),
               "__doc__": "The app's settings, one field per :data:`OPTIONS` entry; ``Settings.from_env()`` reads them.",
               "__module__": __name__},
)
