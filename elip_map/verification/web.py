"""The listing check a verification link opens (/verify/<token>): plain server-rendered HTML, no login.

Everything shown is read for the link's own organization; ids in the form are never trusted (the
form's fields are looked up from that organization's locations). Refusals say why in plain words
and show nothing of any organization.
"""

from __future__ import annotations

import functools

from flask import Response, g, request
from flask_wtf.csrf import generate_csrf
from jinja2 import Environment, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..directory.models import Location, Organization, ServiceAtLocation, utcnow
from ..directory.storage import Database
from ..directory.values import translate
from ..i18n import N_, format_date, match_tag, negotiate_ui, text_direction, translator, ui_autonym, ui_choices
from ..review.changes import FEE_WORDS, STATUS_WORDS, InvalidChange, location_snapshot
from ..rules.eligibility import FEES, STATUS_SLUGS
from ..rules.phones import local_form
from .campaign import confirm_still_correct, propose_changes
from .links import LinkRefused, open_link

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))

PAGE = _ENV.from_string("""<!doctype html>
<html lang="{{ ui }}" dir="{{ dir }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>{{ title }} — ELIP Service Map</title>
<link rel="stylesheet" href="/assets/elip_map.css"><link rel="stylesheet" href="/assets/elip_review.css"></head>
<body class="elip-staff-page">
{% if langs %}<header class="elip-header"><nav class="elip-nav" aria-label="{{ nav_label }}"><span class="elip-brand">{{ brand }}</span>
<details class="elip-ui-picker elip-verify-langs"><summary class="elip-ui-summary" title="{{ langs_label }}">
<span class="elip-ui-icon" aria-hidden="true"></span><span class="elip-ui-current" lang="{{ ui }}">{{ ui_name }}</span></summary>
<ul class="elip-ui-links" aria-label="{{ langs_label }}">{% for l in langs %}<li><a class="elip-ui-link" href="{{ l.href }}" lang="{{ l.code }}" hreflang="{{ l.code }}" dir="{{ l.dir }}"{% if l.current %} aria-current="true"{% endif %}>{{ l.name }}</a></li>{% endfor %}</ul></details></nav></header>{% endif %}
<main id="main" class="elip-verify">
<h1>{{ title }}</h1>
{% for p in intro %}<p>{{ p }}</p>{% endfor %}
{% if message %}<p class="{{ message_class }}" role="status">{{ message }}</p>{% endif %}
{% if problems %}<ul class="elip-error" role="alert">{% for p in problems %}<li>{{ p }}</li>{% endfor %}</ul>{% endif %}
{% if locations %}
<form method="post" action="{{ action }}/confirm{{ query }}" class="elip-actions">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<button type="submit" class="elip-action">{{ t.confirm }}</button></form>
<form method="post" action="{{ action }}/change{{ query }}">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
{% for loc in locations %}
<fieldset class="elip-verify-location"><legend dir="auto">{{ loc.title }}</legend>
{% for f in loc.fields %}<div class="elip-field"><label for="{{ f.id }}">{{ f.label }}</label>
<input id="{{ f.id }}" name="{{ f.id }}" type="text" dir="auto" value="{{ f.value }}" autocomplete="off"></div>{% endfor %}
{% for svc in loc.services %}<fieldset class="elip-service-edit"><legend>{{ svc.name }}</legend>
<p class="elip-field-label">{{ t.who }}</p>
<div class="elip-status-checks">{% for o in svc.statuses %}<label class="elip-check-label"><input type="checkbox" name="{{ svc.prefix }}-statuses" value="{{ o.value }}"{% if o.checked %} checked{% endif %}> {{ o.label }}</label>{% endfor %}</div>
<div class="elip-field"><label for="{{ svc.prefix }}-fee">{{ t.fee }}</label>
<select id="{{ svc.prefix }}-fee" name="{{ svc.prefix }}-fee">{% for o in svc.fees %}<option value="{{ o.value }}"{% if o.selected %} selected{% endif %}>{{ o.label }}</option>{% endfor %}</select></div>
<div class="elip-field"><label for="{{ svc.prefix }}-eligibility">{{ t.note }}</label>
<input id="{{ svc.prefix }}-eligibility" name="{{ svc.prefix }}-eligibility" type="text" dir="auto" value="{{ svc.note }}"></div>
</fieldset>{% endfor %}
</fieldset>
{% endfor %}
<p><button type="submit" class="elip-action">{{ t.send }}</button></p>
<p class="elip-hint">{{ t.next }}</p>
</form>
{% endif %}
</main></body></html>""")

TITLE_CHECK = N_("Check the listings of {organization}")
INTRO = N_("This is how newcomers see your listings. If everything is right, press the first button. If something "
           "changed, correct it below and send it: ELIP staff review every change before it goes on the map.")
EXPIRES = N_("This personal link works until {date}. Please do not forward it.")
FORM_WORDS = {  # the page template's ``t``: the form's buttons, labels and hints
    "confirm": N_("Everything is still correct"),
    "send": N_("Send my changes for review"),
    "next": N_("What happens next: ELIP staff check your changes, usually within a week, and then they appear on the "
               "map. This link then stops working; ask ELIP staff if you need to change something else."),
    "who": N_("Who can use it"),
    "fee": N_("Fee"),
    "note": N_("Eligibility note (your own words)"),
}
FEE_UNKNOWN = N_("Not known")
CONFIRMED = N_("Thank you: your listings are marked as checked today. You can still send a change below until the link expires.")
SENT_TITLE = N_("Thank you: your changes were sent")
SENT = N_("ELIP staff will review them, usually within a week; they appear on the map once approved. "
          "This link has now been used and no longer opens your listings.")
FIELDS = (("name", N_("Location name")), ("address_1", N_("Street address")), ("postal_code", N_("Postal code")),
          ("phone", N_("Phone")), ("hours_note", N_("Hours note (holidays, by appointment)")))
# A field is shown as people write it; the review step reads it back to the stored form, so a number left
# as shown is no change: the phone is 780-424-7709 in the form, +17804247709 in the database.
SHOWN_AS = {"phone": local_form}
REFUSED = {
    "invalid": (N_("This link does not work"), N_("The link is incomplete or was changed. Copy the whole link from "
                                                 "the e-mail, or reply to the e-mail to ask ELIP staff for a new one.")),
    "expired": (N_("This link has expired"), N_("Links work for a limited time. Reply to the e-mail to ask ELIP staff "
                                                "for a new link.")),
    "used": (N_("This link was already used"), N_("Your changes were sent with this link, so it no longer opens your "
                                                 "listings. Reply to the e-mail if you need to change something else.")),
}


def _chosen_ui() -> str | None:
    """The language the reader picked on this page (``?ui=``), which outranks the mail's: the person who
    opens the link is not always the one the mail was written for."""
    return match_tag(request.args.get("ui"))


def _language_menu(ui: str, base: str) -> dict:
    """The same fourteen-language menu as the public pages, as plain links back to this link's page."""
    _ = translator(ui)
    return {"ui_name": ui_autonym(ui), "langs_label": _("Interface language"), "nav_label": _("Main navigation"),
            "brand": _("ELIP Service Map"),
            "langs": ui_choices(ui, base)}


def _html(body: str, status: int) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is a secret: never leak it to other sites
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _refused(reason: str, ui: str) -> Response:
    _ = translator(ui)
    title, text = REFUSED[reason]
    body = PAGE.render(ui=ui, dir=text_direction(ui), title=_(title), intro=[_(text)], locations=[], t={})
    return _html(body, 410 if reason in ("expired", "used") else 400)


def _locations(session, organization_id: int) -> list[Location]:
    return list(session.scalars(select(Location).where(Location.organization_id == organization_id,
                                                        Location.closed.is_(False))
                                .options(selectinload(Location.addresses), selectinload(Location.phones),
                                         selectinload(Location.schedules),
                                         selectinload(Location.service_links).selectinload(ServiceAtLocation.service))
                                .order_by(Location.id)))


def _form_view(locations: list[Location], ui: str) -> list[dict]:
    _ = translator(ui)
    out = []
    for loc in locations:
        snap = location_snapshot(loc)
        fields = [{"id": f"loc-{loc.id}-{key}", "label": _(label), "value": SHOWN_AS.get(key, str)(snap.get(key) or "")}
                  for key, label in FIELDS]
        services = []
        for sid, svc in snap["services"].items():
            prefix = f"svc-{loc.id}-{sid}"
            services.append({
                "prefix": prefix, "name": svc["name"], "note": svc["eligibility"],
                "statuses": [{"value": slug, "label": _(STATUS_WORDS[slug]), "checked": slug in svc["statuses"]}
                             for slug in STATUS_SLUGS],
                "fees": [{"value": "", "label": _(FEE_UNKNOWN), "selected": not svc["fee"]}] + [
                    {"value": f, "label": _(FEE_WORDS[f]), "selected": svc["fee"] == f} for f in FEES]})
        title = " — ".join(x for x in (snap["name"], snap["address_1"]) if x) or f"#{loc.id}"
        out.append({"title": title, "fields": fields, "services": services})
    return out


def payloads_from_form(locations: list[Location], form) -> dict[int, dict]:
    """One payload per location of the link's organization, from the posted form (pure but for reading
    the locations): only fields of those locations are read, whatever else was posted."""
    payloads: dict[int, dict] = {}
    for loc in locations:
        snap = location_snapshot(loc)
        payload: dict = {key: form.get(f"loc-{loc.id}-{key}", "") for key, _label in FIELDS
                         if f"loc-{loc.id}-{key}" in form}
        services = {}
        for sid in snap["services"]:
            prefix = f"svc-{loc.id}-{sid}"
            if f"{prefix}-fee" in form:
                services[sid] = {"statuses": form.getlist(f"{prefix}-statuses"), "fee": form.get(f"{prefix}-fee", ""),
                                 "eligibility": form.get(f"{prefix}-eligibility", "")}
        if services:
            payload["services"] = services
        payloads[loc.id] = payload
    return payloads


def init_verification_routes(server, database: Database, settings) -> None:
    def page(mail, session, ui, *, message=None, message_class="elip-ok", problems=(), status=200):
        _ = translator(ui)
        org = session.get(Organization, mail.organization_id)
        view = _form_view(_locations(session, mail.organization_id), ui)
        t = {key: _(text) for key, text in FORM_WORDS.items()}
        base = request.path.rsplit("/confirm", 1)[0].rsplit("/change", 1)[0]
        chosen = _chosen_ui()
        body = PAGE.render(ui=ui, dir=text_direction(ui), title=_(TITLE_CHECK, organization=org.name),
                           intro=[_(INTRO), _(EXPIRES, date=f"\u2068{format_date(mail.expires_at, ui, length='long')}\u2069")], message=message,
                           message_class=message_class, problems=[translate(p, _) for p in problems], locations=view, t=t,
                           csrf=generate_csrf(), action=base, query=f"?ui={chosen}" if chosen else "",
                           **_language_menu(ui, base))
        return _html(body, status)

    def opened(session, token):
        return open_link(session, settings.secret_key or "", token, settings.verify_link_days)

    def ui_for(mail) -> str:
        return _chosen_ui() or negotiate_ui(mail.language)

    def refused(exc: LinkRefused):
        return _refused(exc.reason, _chosen_ui() or negotiate_ui(exc.language))

    def with_open_link(handler):
        """The route opens its link in one transaction and hands the mail on; a refused link gets its own page."""
        @functools.wraps(handler)
        def view(token: str):
            with database.session() as s:
                try:
                    mail = opened(s, token)
                except LinkRefused as exc:
                    return refused(exc)
                return handler(s, mail)
        return view

    @server.get("/verify/<token>")
    @with_open_link
    def _verify(s, mail):
        if mail.opened_at is None:
            mail.opened_at = utcnow()
        return page(mail, s, ui_for(mail))

    @server.post("/verify/<token>/confirm")
    @with_open_link
    def _confirm(s, mail):
        confirm_still_correct(s, mail)
        return page(mail, s, ui_for(mail), message=translator(ui_for(mail))(CONFIRMED))

    @server.post("/verify/<token>/change")
    def _change(token: str):
        try:
            with database.session() as s:  # one transaction: every proposal is stored, or none
                mail = opened(s, token)
                ui = ui_for(mail)
                g.elip_ui = ui  # the problems found in the proposal are written in the reader's language
                propose_changes(s, mail, payloads_from_form(_locations(s, mail.organization_id), request.form))
        except LinkRefused as exc:
            return refused(exc)
        except InvalidChange as exc:
            with database.session() as s:
                mail = opened(s, token)
                return page(mail, s, ui_for(mail), problems=exc.problems, message=None, status=422)
        _ = translator(ui)
        return _html(PAGE.render(ui=ui, dir=text_direction(ui), title=_(SENT_TITLE), intro=[_(SENT)],
                                 locations=[], t={}), 200)
