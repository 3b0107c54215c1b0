"""Staff review queue (/staff/review): each pending correction as a before/after diff and pin move; approve or reject."""

from __future__ import annotations

import dash
import dash_leaflet as dl
from dash import Input, Output, State, callback, ctx, dcc, html

from elip_map.accounts.permissions import account_or_none, database, require_staff, settings
from elip_map.components.staff_ui import account_bar, diff_table, pin_map, refusal, rendering_for_a_visitor
from elip_map.components.filter_panel import dropdown_labels
from elip_map.i18n import N_, negotiate_ui, page_title, reader_translator, translator
from elip_map.review import ids
from elip_map.review.changes import (REQUEST_STATUS_WORDS, AlreadyDecided, Conflict, ReviewError, approve,
                                     refresh_request, reject)
from elip_map.review.tx import in_transaction
from elip_map.review.views import pending_queue, request_detail

dash.register_page(__name__, path="/staff/review", name=N_("Review queue"), title=page_title(N_("Review queue")))


def _skeleton(options, tile_url, attribution, ui):
    _ = translator(ui)
    return html.Div([
        html.Label(_("Pending request"), htmlFor=ids.REVIEW_REQUEST),
        dcc.Dropdown(id=ids.REVIEW_REQUEST, options=options, value=options[0]["value"] if options else None,
                     placeholder=_("No pending requests"), labels=dropdown_labels(ui)),
        html.Div(id=ids.REVIEW_DETAIL),
        pin_map(ids.REVIEW_MAP, None, None, tile_url=tile_url, tile_attribution=attribution,
                extra=[dl.LayerGroup(id=ids.REVIEW_PINS)], ui=ui),
        html.Label(_("Note to the partner (required to reject)"), htmlFor=ids.REVIEW_NOTE),
        dcc.Textarea(id=ids.REVIEW_NOTE, value="", style={"width": "100%"}),
        html.Div([html.Button(_("Approve and apply"), id=ids.REVIEW_APPROVE, className="elip-action", n_clicks=0),
                  html.Button(_("Reject"), id=ids.REVIEW_REJECT, className="elip-action", n_clicks=0),
                  html.Button(_("Compare with the current listing"), id=ids.REVIEW_REFRESH, className="elip-action",
                              n_clicks=0)],
                 className="elip-actions"),
        html.Div(id=ids.REVIEW_MESSAGE, role="status", **{"aria-live": "polite"}),
    ], id=ids.REVIEW_QUEUE)


def layout(ui=None, **_unused):
    """The queue of pending corrections (staff only)."""
    ui = negotiate_ui(ui)
    cfg = settings()
    user = account_or_none() if rendering_for_a_visitor() else None
    if user is None or not user.is_staff:
        return html.Main([refusal(user, "/staff/review", ui),
                          html.Div(_skeleton([], None, "", ui), hidden=True)], id="main")
    with database().session() as s:
        options = pending_queue(s)
    _ = translator(ui)
    return html.Main([account_bar(user, ui), html.H1(_("Review queue")),
                      html.P(_.ngettext("{n} pending correction. Approving applies the change at once; a request made "
                                        "against an older version of the listing is refused.",
                                        "{n} pending corrections. Approving applies the change at once; a request made "
                                        "against an older version of the listing is refused.", len(options))),
                      _skeleton(options, cfg.tile_url or None, cfg.tile_attribution, ui)], id="main")


def detail_view(detail: dict | None) -> tuple[list, list, dict | dash.NoUpdate]:
    """Diff table, pins (grey: now, blue: proposed) and the map viewport for one request."""
    _ = reader_translator()
    if detail is None:
        return [html.P(_("Pick a request."))], [], dash.no_update
    head = html.P(_("Request #{id} by {who} on {date} (status: {status}; listing version then {base}, now {now}).",
                    id=detail["id"], who=detail["submitted_by"], date=detail["submitted_at"],
                    status=_(REQUEST_STATUS_WORDS.get(detail["status"], detail["status"])),
                    base=detail["base_version"], now=detail["current_version"]))
    pins, viewport = [], dash.no_update
    if detail["before_pin"]:
        b = detail["before_pin"]
        pins.append(dl.CircleMarker(center=[b["lat"], b["lon"]], radius=9, color="#555",
                                    children=dl.Tooltip(_("Pin now"))))
        viewport = {"center": [b["lat"], b["lon"]], "zoom": 16}
    if detail["after_pin"]:
        a = detail["after_pin"]
        pins.append(dl.CircleMarker(center=[a["lat"], a["lon"]], radius=9, color="#0052cc",
                                    children=dl.Tooltip(_("Proposed pin"))))
        viewport = {"center": [a["lat"], a["lon"]], "zoom": 16}
    return [head, diff_table(detail["rows"])], pins, viewport


@callback(Output(ids.REVIEW_DETAIL, "children"), Output(ids.REVIEW_PINS, "children"),
          Output(ids.REVIEW_MAP, "viewport"), Input(ids.REVIEW_REQUEST, "value"))
def show_request(request_id):
    """A request was picked in the queue: show its diff and pins."""
    require_staff()
    with database().session() as s:
        return detail_view(request_detail(s, request_id) if request_id is not None else None)


def decide(staff, trigger, request_id, note) -> tuple[bool, str]:
    """Approve or reject in one transaction; a conflict or a bad request becomes a plain message."""
    _ = reader_translator()
    actions = {ids.REVIEW_APPROVE: (lambda s: approve(s, staff, request_id, note or ""),
                                    N_("Request #{id} approved and applied.")),
               ids.REVIEW_REJECT: (lambda s: reject(s, staff, request_id, note or ""), N_("Request #{id} rejected.")),
               ids.REVIEW_REFRESH: (lambda s: refresh_request(s, staff, request_id),
                                    N_("Request #{id} now compared with the current listing: check the diff again."))}
    work, done = actions[trigger]
    try:
        in_transaction(database(), work)
    except AlreadyDecided as exc:  # another reviewer was first: say who and when, in the reader's language
        return False, exc.text(negotiate_ui(None))
    except (Conflict, ReviewError) as exc:
        return False, str(exc)
    return True, _(done, id=request_id)


@callback(Output(ids.REVIEW_MESSAGE, "children"), Output(ids.REVIEW_REQUEST, "options"),
          Output(ids.REVIEW_REQUEST, "value"), Output(ids.REVIEW_NOTE, "value"),
          Output(ids.REVIEW_DETAIL, "children", allow_duplicate=True),
          Input(ids.REVIEW_APPROVE, "n_clicks"), Input(ids.REVIEW_REJECT, "n_clicks"),
          Input(ids.REVIEW_REFRESH, "n_clicks"),
          State(ids.REVIEW_REQUEST, "value"), State(ids.REVIEW_NOTE, "value"), prevent_initial_call=True)
def on_decide(_approve, _reject, _refresh, request_id, note):
    """A reviewer pressed Approve, Reject or "Compare with the current listing"."""
    staff = require_staff()
    ok, message = decide(staff, ctx.triggered_id, request_id, note)
    stay = not ok or ctx.triggered_id == ids.REVIEW_REFRESH
    with database().session() as s:
        options = pending_queue(s)
        keep = request_id if stay and any(o["value"] == request_id for o in options) else (
            options[0]["value"] if options else None)
        detail = detail_view(request_detail(s, keep) if keep is not None else None)[0]
    return (html.P(message, className="elip-ok" if ok else "elip-error", role="alert"), options, keep,
            note if stay else "", detail)
