"""The optional online geocoder: a Nominatim-compatible server, through geopy.

Used only when ``ELIP_GEOCODER_URL`` is set, and only for what the offline methods cannot place.
Nominatim's usage policy for the public server: at most one request per second, a User-Agent that
names the application, cached results, no bulk geocoding, ODbL attribution. So: a throttle on the
public host, the User-Agent from settings, answers cached in the database by the caller, and
every failure (timeout, HTTP 429/5xx, a body that is not JSON) ends in ``OnlineUnavailable`` after a
few retries, never in a crash: the caller falls back to the offline result. The throttle and the
retries are geopy's own ``RateLimiter``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from geopy.adapters import URLLibAdapter
from geopy.exc import GeocoderParseError, GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

from ..rules.region import REGION_BBOX, in_region
from .notes import ONLINE_NO_ANSWER, ONLINE_UNREADABLE

PUBLIC_NOMINATIM_HOSTS = ("nominatim.openstreetmap.org",)
SOURCE_ATTRIBUTION = "Data © OpenStreetMap contributors, ODbL 1.0 (via Nominatim)"


@dataclass(frozen=True)
class OnlineHit:
    lat: float
    lon: float
    precision_m: float
    display_name: str
    raw: dict


def precision_from_nominatim(raw: dict) -> float:
    """Expected error from Nominatim's own idea of what it found.

    ``place_rank`` 30 is a building or address point; 26-27 a street (we only know the road,
    not where on it); anything coarser is a neighbourhood or town.
    """
    try:
        rank = int(raw.get("place_rank", 0))
    except (TypeError, ValueError):
        rank = 0
    kind = str(raw.get("addresstype") or raw.get("type") or "").lower()
    if rank >= 28 or kind in ("house", "building", "amenity"):
        return 30.0
    if rank >= 26 or kind in ("road", "street", "residential"):
        return 400.0
    return 3000.0


class OnlineUnavailable(RuntimeError):
    """The server did not answer usably after all retries (timeout, HTTP error, malformed body)."""


class OnlineGeocoder:
    """One configured server. Thread-safe throttle per instance (no module-level state).

    Parameters
    ----------
    url : base URL of the server, e.g. ``http://127.0.0.1:8080`` (``/search`` is appended).
    user_agent : names the application (Nominatim requires it).
    timeout : seconds per request; retries : extra attempts; backoff : first wait, doubled each time.
    min_interval : seconds between requests; default 1.0 for the public Nominatim host, else 0.
    """

    def __init__(self, url: str, user_agent: str, *, timeout: float = 5.0, retries: int = 2,
                 backoff: float = 1.0, min_interval: float | None = None):
        parts = urlsplit(url if "://" in url else f"https://{url}")
        if not parts.netloc:
            raise ValueError(f"geocoder URL {url!r} has no host")
        self.host = parts.hostname or ""
        if min_interval is None:
            min_interval = 1.0 if self.host in PUBLIC_NOMINATIM_HOSTS else 0.0
        self.min_interval = min_interval
        self.retries = retries
        self.backoff = backoff
        self.source = f"nominatim {parts.netloc}"
        # geopy builds "<scheme>://<domain>/search"; a path prefix rides along inside domain.
        domain = parts.netloc + parts.path.rstrip("/")
        # The urllib adapter: no hidden retries underneath ours (the requests adapter retries too).
        self._geocoder = Nominatim(user_agent=user_agent, domain=domain, scheme=parts.scheme or "https",
                                   timeout=timeout, adapter_factory=URLLibAdapter)
        # One limiter per configured server (no module state): it spaces requests and retries what
        # may pass on a second try (timeouts, 429, 5xx); _ask turns what never will into OnlineUnavailable.
        self._limited = RateLimiter(self._ask, min_delay_seconds=min_interval, max_retries=retries,
                                    error_wait_seconds=max(backoff, min_interval), swallow_exceptions=False)

    def _ask(self, query: str):
        s, w, n, e = REGION_BBOX
        try:
            return self._geocoder.geocode(query, exactly_one=True, country_codes="ca", viewbox=[(s, w), (n, e)],
                                          bounded=True)
        except GeocoderParseError as exc:  # a body that is not JSON will not improve on a retry
            raise OnlineUnavailable(ONLINE_UNREADABLE(detail=exc)) from exc
        except (ValueError, KeyError, TypeError) as exc:  # JSON of the wrong shape
            raise OnlineUnavailable(ONLINE_UNREADABLE(detail=exc)) from exc

    def geocode(self, query: str) -> OnlineHit | None:
        """The best match inside the Edmonton region, or None when the server knows no such place.

        Raises OnlineUnavailable when the server fails every attempt.
        """
        try:
            loc = self._limited(query)
        except GeopyError as exc:  # timeout, 429, 5xx, connection refused: every attempt failed
            raise OnlineUnavailable(ONLINE_NO_ANSWER(attempts=self.retries + 1, error=exc.__class__.__name__)) from exc
        if loc is None:
            return None
        raw = loc.raw if isinstance(loc.raw, dict) else {}
        lat, lon = float(loc.latitude), float(loc.longitude)
        if not in_region(lat, lon):
            # A "bounded" search should not do this, but servers differ: refuse it anyway.
            return None
        return OnlineHit(lat, lon, precision_from_nominatim(raw), str(raw.get("display_name", "")), raw)


def online_geocoder_from_settings(settings, **kwargs) -> OnlineGeocoder | None:
    """The configured geocoder, or None when ``ELIP_GEOCODER_URL`` is unset (offline only)."""
    if settings is None or not getattr(settings, "geocoder_url", None):
        return None
    return OnlineGeocoder(settings.geocoder_url, settings.geocoder_user_agent, **kwargs)
