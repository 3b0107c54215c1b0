"""Audit log (/staff/audit): every change to the directory, newest first; CSV export of the whole log."""

from __future__ import annotations

import dash
from dash import html

from elip_map.accounts.permissions import account_or_none, database
from elip_map.components.staff_ui import account_bar, refusal, rendering_for_a_visitor, simple_table
from elip_map.directory.audit import audit_entries, audit_rows

dash.register_page(__name__, path="/staff/audit", name="Audit log", title="Audit log — ELIP Service Map")

COLUMNS = [("at", "When (UTC)"), ("actor", "Who"), ("action", "Action"), ("entity_type", "What"),
           ("entity_id", "Id"), ("before", "Before"), ("after", "After")]
SHOWN = 300


def layout(action=None, **_unused):
    """The latest entries (optionally one action), rendered on the server for staff only."""
    user = account_or_none() if rendering_for_a_visitor() else None
    if user is None or not user.is_staff:
        return html.Main(refusal(user, "/staff/audit"), id="main")
    with database().session() as s:
        rows = audit_rows(audit_entries(s, action=action or None, limit=SHOWN))
    return html.Main([
        account_bar(user), html.H1("Audit log"),
        html.P(["Who changed what, when, with the values before and after. ",
                html.A("Download the whole log (CSV)", href="/staff/audit.csv", className="elip-action")]),
        simple_table(COLUMNS, rows, f"Latest {len(rows)} entries", id="staff-audit-table"),
    ], id="main")
