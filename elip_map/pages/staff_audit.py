"""Audit log (/staff/audit): who changed what, as before/after tables in words; filter by organization,
person and dates (a plain GET form, so a filtered view is a link); CSV export of the same selection."""

from __future__ import annotations

from urllib.parse import urlencode

import dash
from dash import dcc, html
from flask import g, has_request_context

from elip_map.accounts.permissions import account_or_none, database
from elip_map.i18n import N_, negotiate_ui, page_title, translator
from elip_map.components.staff_ui import account_bar, cell, refusal, rendering_for_a_visitor
from elip_map.review.audit_view import audit_view, filtered_entries, parse_filter
from elip_map.review.views import organization_options

dash.register_page(__name__, path="/staff/audit", name=N_("Audit log"), title=page_title(N_("Audit log")))

SHOWN = 300


def _filter_form(flt, organizations, ui) -> html.Form:
    _ = translator(ui)
    return html.Form([
        dcc.Input(type="hidden", name="ui", value=ui),
        html.Div([html.Label(_("Organization"), htmlFor="audit-org"),
                  html.Select([html.Option(_("All organizations"), value="")] + [
                      html.Option(o["label"], value=str(o["value"]), selected=o["value"] == flt.organization_id)
                      for o in organizations], id="audit-org", name="org")], className="elip-field"),
        html.Div([html.Label(_("Person (name or e-mail)"), htmlFor="audit-who"),
                  dcc.Input(id="audit-who", name="who", type="search", value=flt.person)], className="elip-field"),
        html.Div([html.Label(_("From"), htmlFor="audit-since"),
                  dcc.Input(id="audit-since", name="since", type="date",
                            value=flt.since.isoformat() if flt.since else "")], className="elip-field"),
        html.Div([html.Label(_("To"), htmlFor="audit-until"),
                  dcc.Input(id="audit-until", name="until", type="date",
                            value=flt.until.isoformat() if flt.until else "")], className="elip-field"),
        html.Div([html.Button(_("Show"), type="submit", className="elip-action"),
                  html.A(_("Clear"), href="/staff/audit" if ui == "en" else f"/staff/audit?ui={ui}",
                         className="elip-action elip-secondary")], className="elip-actions"),
    ], method="get", action="/staff/audit", className="elip-filter-form", **{"aria-label": _("Filter the audit log")})


def _entry(item: dict, _) -> html.Article:
    rows = item["rows"]
    table = html.Div(html.Table([
        html.Thead(html.Tr([html.Th(_("Field"), scope="col"), html.Th(_("Before"), scope="col"),
                            html.Th(_("After"), scope="col")])),
        html.Tbody([html.Tr([html.Th(r["field"], scope="row"), html.Td(cell(r["before"]), className="elip-before", dir="auto"),
                             html.Td(cell(r["after"]), className="elip-after", dir="auto")]) for r in rows]),
    ], className="elip-diff"), className="elip-table-wrap", tabIndex="0") if rows else html.P(_("No field changed."), className="elip-hint")
    return html.Article([
        html.H2([html.Span(item["action"]), " · ", html.Span(item["subject"], className="elip-audit-subject", dir="auto")],
                className="elip-audit-title"),
        # "UTC" inside the left-to-right time: on an Arabic page it stays after the time it qualifies.
        html.P([html.Time(f"{item['at']} UTC", dir="ltr"), " · ", html.Span(item["who"], className="elip-audit-who",
                                                                         dir="auto")],
               className="elip-audit-meta"),
        table,
    ], className="elip-audit-entry", **{"data-audit-id": str(item["id"])})


def layout(org=None, who=None, since=None, until=None, ui=None, **_unused):
    """The latest entries matching the filter, rendered on the server for staff only."""
    ui = negotiate_ui(ui)
    _ = translator(ui)
    user = account_or_none() if rendering_for_a_visitor() else None
    if user is None or not user.is_staff:
        return html.Main(refusal(user, "/staff/audit", ui), id="main")
    flt = parse_filter(org, who, since, until)
    # The entries' words (actions, fields, notes) are built deep in review/, which reads the reader's
    # language from the request; a Dash page is drawn by a callback whose URL has no ``ui``: hand it this
    # page's own language (from its ``?ui=``, else the cookie or the browser).
    if has_request_context():
        g.elip_ui = ui
    with database().session() as s:
        items = audit_view(s, filtered_entries(s, flt, limit=SHOWN))
        organizations = organization_options(s)
    query = urlencode({k: v for k, v in (("org", flt.organization_id or ""), ("who", flt.person),
                                         ("since", flt.since or ""), ("until", flt.until or "")) if v})
    return html.Main([
        account_bar(user, ui), html.H1(_("Audit log")),
        html.P(_("Who changed what and when, with the values before and after.")),
        _filter_form(flt, organizations, ui),
        html.P([_.ngettext("{n} entry shown (newest first, at most {limit}).",
                           "{n} entries shown (newest first, at most {limit}).", len(items), limit=SHOWN), " ",
                html.A(_("Download these entries (CSV)"), href="/staff/audit.csv" + (f"?{query}" if query else ""),
                       className="elip-action")]),
        html.Div([_entry(item, _) for item in items], id="staff-audit-entries"),
    ], id="main", className="elip-staff-main")
