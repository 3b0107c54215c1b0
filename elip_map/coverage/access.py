"""Who may see the coverage view (page, callbacks, exports): the one place that decides."""

from __future__ import annotations

from flask import current_app

from ..accounts.permissions import account_or_none
from ..config import Settings


def coverage_allowed(settings: Settings, user=None) -> bool:
    """True when the coverage view may be served to this user.

    A logged-in staff account always may. Without one, only when the explicit development switch
    ``ELIP_COVERAGE_PUBLIC=1`` is on, and never in production: planners' figures are staff-only.
    """
    if user is not None and getattr(user, "is_staff", False):
        return True
    return bool(settings.coverage_public and not settings.production)


def request_allowed() -> bool:
    """:func:`coverage_allowed` for the current request: the app's settings and the logged-in account."""
    return coverage_allowed(current_app.config["ELIP_SETTINGS"], account_or_none())
