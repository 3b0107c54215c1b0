"""Audit log (/staff/audit): who changed what, as before/after tables in words; filter by organization,
person and dates (a plain GET form, so a filtered view is a link); CSV export of the same selection."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import dcc, html

from elip_map.accounts.permissions import account_or_none, database
from elip_map.components.staff_ui import account_bar, refusal, rendering_for_a_visitor
from elip_map.review.audit_view import audit_view, filtered_entries, parse_filter
from elip_map.review.views import organization_options

dash.register_page(__name__, path="/staff/audit", name="Audit log", title="Audit log — ELIP Service Map")

SHOWN = 300


def _filter_form(flt, organizations) -> html.Form:
    return html.Form([
        html.Div([html.Label("Organization", htmlFor="audit-org"),
                  html.Select([html.Option("All organizations", value="")] + [
                      html.Option(o["label"], value=str(o["value"]), selected=o["value"] == flt.organization_id)
                      for o in organizations], id="audit-org", name="org")], className="elip-field"),
        html.Div([html.Label("Person (name or e-mail)", htmlFor="audit-who"),
                  dcc.Input(id="audit-who", name="who", type="search", value=flt.person)], className="elip-field"),
        html.Div([html.Label("From", htmlFor="audit-since"),
                  dcc.Input(id="audit-since", name="since", type="date",
                            value=flt.since.isoformat() if flt.since else "")], className="elip-field"),
        html.Div([html.Label("To", htmlFor="audit-until"),
                  dcc.Input(id="audit-until", name="until", type="date",
                            value=flt.until.isoformat() if flt.until else "")], className="elip-field"),
        html.Div([html.Button("Show", type="submit", className="elip-action"),
                  html.A("Clear", href="/staff/audit", className="elip-action elip-secondary")], className="elip-actions"),
    ], method="get", action="/staff/audit", className="elip-filter-form", **{"aria-label": "Filter the audit log"})


def _entry(item: dict) -> html.Article:
    rows = item["rows"]
    table = html.Div(html.Table([
        html.Thead(html.Tr([html.Th("Field", scope="col"), html.Th("Before", scope="col"),
                            html.Th("After", scope="col")])),
        html.Tbody([html.Tr([html.Th(r["field"], scope="row"), html.Td(r["before"], className="elip-before"),
                             html.Td(r["after"], className="elip-after")]) for r in rows]),
    ], className="elip-diff"), className="elip-table-wrap") if rows else html.P("No field changed.", className="elip-hint")
    return html.Article([
        html.H2([html.Span(item["action"]), " · ", html.Span(item["subject"], className="elip-audit-subject")],
                className="elip-audit-title"),
        html.P([html.Time(item["at"]), " UTC · ", html.Span(item["who"], className="elip-audit-who")],
               className="elip-audit-meta"),
        table,
    ], className="elip-audit-entry", **{"data-audit-id": str(item["id"])})


def layout(org=None, who=None, since=None, until=None, **_unused):
    """The latest entries matching the filter, rendered on the server for staff only."""
    user = account_or_none() if rendering_for_a_visitor() else None
    if user is None or not user.is_staff:
        return html.Main(refusal(user, "/staff/audit"), id="main")
    flt = parse_filter(org, who, since, until)
    with database().session() as s:
        items = audit_view(s, filtered_entries(s, flt, limit=SHOWN))
        organizations = organization_options(s)
    query = urlencode({k: v for k, v in (("org", flt.organization_id or ""), ("who", flt.person),
                                         ("since", flt.since or ""), ("until", flt.until or "")) if v})
    return html.Main([
        account_bar(user), html.H1("Audit log"),
        html.P("Who changed what and when, with the values before and after."),
        _filter_form(flt, organizations),
        html.P([f"{len(items)} entries shown (newest first, at most {SHOWN}). ",
                html.A("Download these entries (CSV)", href="/staff/audit.csv" + (f"?{query}" if query else ""),
                       className="elip-action")]),
        html.Div([_entry(item) for item in items], id="staff-audit-entries"),
    ], id="main", className="elip-staff-main")
