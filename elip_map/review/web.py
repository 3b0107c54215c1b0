"""Staff-only plain HTTP routes (downloads): the /staff gate covers them, and each checks again."""

from __future__ import annotations

import datetime as dt

from flask import Response

from ..accounts.permissions import require_staff
from ..directory.audit import audit_csv, audit_entries
from ..directory.storage import Database


def init_review_routes(server, database: Database) -> None:
    @server.get("/staff/audit.csv")
    def _audit_csv():
        require_staff()
        with database.session() as s:
            body = audit_csv(audit_entries(s, limit=None))
        name = f"elip-audit-{dt.date.today().isoformat()}.csv"
        return Response(body, mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
