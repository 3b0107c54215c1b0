"""Staff-only plain HTTP routes (downloads): the /staff gate covers them, and each checks again."""

from __future__ import annotations

import datetime as dt

from flask import Response, request

from ..accounts.permissions import require_staff
from ..directory.audit import audit_csv
from .audit_view import filtered_entries, parse_filter
from ..directory.storage import Database


def init_review_routes(server, database: Database) -> None:
    @server.get("/staff/audit.csv")
    def _audit_csv():
        require_staff()
        with database.session() as s:
            # The same filters as the page (organization, person, dates); everything when none is given.
            flt = parse_filter(request.args.get("org"), request.args.get("who"), request.args.get("since"),
                               request.args.get("until"))
            body = audit_csv(filtered_entries(s, flt, limit=None))
        name = f"elip-audit-{dt.date.today().isoformat()}.csv"
        return Response(body, mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
