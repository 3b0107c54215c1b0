"""What the partner page's buttons do, apart from Dash: send a correction (staff: save it) or confirm a listing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..directory.storage import Database
from ..i18n import N_, format_date, reader_translator, reader_ui
from . import ids
from .changes import (InvalidChange, ReviewError, diff_rows, direct_edit, location_for, location_snapshot,
                      mark_still_correct, submit_change, validate_payload)
from .forms import payload_from_form
from .tx import in_transaction
from .views import request_rows


@dataclass
class ActionResult:
    ok: bool
    message: str
    requests: list[dict] = field(default_factory=list)
    version: int | None = None  # the listing's new version after a staff save


# Said after every sent correction, so nobody wonders whether it worked or when it shows.
WHAT_HAPPENS_NEXT = N_("What happens next: ELIP staff review it, usually within a week. Until then the map shows "
                       "the listing as it was. You can follow its status under “Your correction requests” below; if "
                       "staff need something else, their note appears there.")


@dataclass
class Preview:
    ok: bool
    rows: list[dict] = field(default_factory=list)  # {"field", "before", "after"}
    problems: list[str] = field(default_factory=list)


def partner_preview(database: Database, user: Any, location_id: Any, form: dict) -> Preview:
    """The summary shown before sending: each field that would change, before and after, or every problem."""
    try:
        with database.session() as session:
            loc = location_for(session, user, location_id)
            snapshot = location_snapshot(loc)
            clean = validate_payload(payload_from_form(snapshot, **form), snapshot)
            return Preview(True, diff_rows(snapshot, clean))
    except InvalidChange as exc:
        return Preview(False, problems=exc.problems)
    except ReviewError as exc:
        return Preview(False, problems=[str(exc)])


def partner_action(database: Database, user: Any, trigger: Any, location_id: Any, base_version: Any,
                   submission_id: str | None, form: dict) -> ActionResult:
    """Run one button press for this user; every id from the browser is re-checked against the user."""
    _ = reader_translator()

    def work(session):
        loc = location_for(session, user, location_id)
        if trigger == ids.PARTNER_STILL_CORRECT:
            day = mark_still_correct(session, user, loc.id)
            return (_("Thank you: the listing is marked as verified on {date}.", date=format_date(day, reader_ui())),
                    None, loc.organization_id)
        payload = payload_from_form(location_snapshot(loc), **form)
        if user.is_staff:
            saved = direct_edit(session, user, loc.id, payload, int(base_version or 0))
            return _("Saved: the listing is changed."), saved.version, loc.organization_id
        request = submit_change(session, user, loc.id, payload, base_version=base_version,
                                submission_id=submission_id, refuse_duplicate=True)
        return (_("Sent: request #{id} is waiting for ELIP staff.", id=request.id) + " " + _(WHAT_HAPPENS_NEXT), None,
                loc.organization_id)

    try:
        message, version, org_id = in_transaction(database, work, retry_on_duplicate=bool(submission_id))
        ok = True
    except InvalidChange as exc:
        message, version, org_id, ok = _("Not sent:") + " " + " ".join(exc.problems), None, None, False
    except ReviewError as exc:  # includes Conflict: the listing changed while the form was open
        message, version, org_id, ok = str(exc), None, None, False
    with database.session() as session:
        try:
            org = org_id if org_id is not None else location_for(session, user, location_id).organization_id
            rows = request_rows(session, user, org)
        except ReviewError:
            rows = []
    return ActionResult(ok, message, rows, version)
