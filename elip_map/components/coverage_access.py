"""Who may see the coverage view: the one place to change when staff logins take over."""

from __future__ import annotations

from ..config import Settings


def coverage_allowed(settings: Settings) -> bool:
    """True when the coverage view (page, callbacks, exports) may be served to this request.

    A logged-in staff user always; anyone else only with ``ELIP_COVERAGE_PUBLIC=1`` or outside
    production (development and tests), so with ``ELIP_PRODUCTION=1`` it is staff-only.
    """
    from ..accounts.permissions import account_or_none  # late: accounts wire into Flask, components stay light

    user = account_or_none()
    if user is not None and user.is_staff:
        return True
    return bool(settings.coverage_public or not settings.production)
