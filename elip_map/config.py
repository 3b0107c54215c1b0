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


def whole(minimum: int = 1) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise ValueError("not a whole number") from None
        if value < minimum:
            raise ValueError(f"must be at least {minimum}")
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


def _default_database_url() -> str:
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


OPTIONS: tuple[Option, ...] = (
    Option("database_url", "DATABASE_URL", _default_database_url, text,
           "SQLAlchemy URL of the directory database; default: a SQLite file under instance/"),
    Option("max_upload_mb", "ELIP_MAX_UPLOAD_MB", 10.0, number(0), "largest import file accepted, in MB (default 10)"),
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
    Option("secret_key", "ELIP_SECRET_KEY", None, text, "secret for signing session cookies; required in production"),
    Option("stale_months", "ELIP_STALE_MONTHS", 12, whole(1),
           "a listing not verified for this many months is stale (default 12)"),
    Option("coverage_public", "ELIP_COVERAGE_PUBLIC", False, flag,
           "1 to show the coverage view without a staff login in development (ignored in production)"),
    Option("production", "ELIP_PRODUCTION", False, flag, "1 in production: secure cookies, no debug, secret key required"),
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
