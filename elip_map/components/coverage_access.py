"""Who may see the coverage view: the one place to change when staff logins take over."""

from __future__ import annotations

from ..config import Settings


def coverage_allowed(settings: Settings) -> bool:
    """True when the coverage view (page, callbacks, exports) may be served.

    Until accounts exist: on when ``ELIP_COVERAGE_PUBLIC=1`` or outside production, so it is off by
    default with ``ELIP_PRODUCTION=1``. Replace with "a staff user is logged in" when accounts land.
    """
    return bool(settings.coverage_public or not settings.production)
