"""Forged callback inputs are refused politely: HTTP 400 with a plain message, never a 500 or a traceback.

Every server callback is called as a logged-in staff member (who passes every permission check, so the
forged value reaches the callback's own code) with each input and state replaced in turn by values a
browser never sends for it: an id of 10^20, null, a number where text belongs, a list, an object, and
pattern-matching ids whose keys are null.
"""

from __future__ import annotations

import copy
import json

import pytest

from elip_map.accounts.models import User
from elip_map.config import Settings
from elip_map.directory.storage import open_database
from elip_map.testing import (PASSWORD, add_location, callback_body, csrf_token, hash_password, login, page_body,
                              post_callback)

FORGED = [10 ** 20, -(10 ** 20), None, 7, "x", [], {}, [None], {"a": None}, True, 1.5e308]


@pytest.fixture
def staff_client(db_url, clear_pages_state):
    from elip_map.factory import create_app

    database = open_database(db_url)
    with database.session() as s:
        add_location(s, "Org A", "Office")
        s.add(User(email="staff@elip.example", role="staff", password_hash=hash_password(PASSWORD)))
    database.dispose()
    app = create_app(Settings(database_url=db_url, tile_url="", secret_key="test-only-secret-" + "x" * 32),
                     load_sample=False)
    client = app.server.test_client()
    client.get("/")
    yield login(client, "staff@elip.example")
    app.server.config["ELIP_DATABASE"].dispose()


def _forged_bodies(deps):
    """(label, body) for every server callback, every input/state slot and every forged value."""
    for dep in deps:
        if dep.get("clientside_function"):
            continue
        base = callback_body(dep, {}, default=None)
        for kind in ("inputs", "state"):
            for index, spec in enumerate(dep[kind]):
                for value in FORGED:
                    body = copy.deepcopy(base)
                    if spec["id"].startswith("{"):  # pattern-matching: one forged component with null keys
                        pattern = {k: None for k in json.loads(spec["id"])}
                        body[kind][index] = [{"id": pattern, "property": spec["property"], "value": value}]
                    else:
                        body[kind][index] = {"id": spec["id"], "property": spec["property"], "value": value}
                    body["changedPropIds"] = [f"{spec['id']}.{spec['property']}"]
                    yield f"{dep['output'][:60]} {kind}[{index}]={value!r:.20}", body


def _is_traceback(text: str) -> bool:
    return "Traceback" in text or 'File "' in text or "Error:" in text and "site-packages" in text


def test_forged_inputs_get_400_not_500(staff_client):
    deps = staff_client.get("/_dash-dependencies").json
    failures, statuses = [], {}
    for label, body in _forged_bodies(deps):
        r = post_callback(staff_client, body)
        statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
        text = r.get_data(as_text=True)
        if r.status_code >= 500 or _is_traceback(text):
            failures.append(f"{r.status_code} {label}")
    print("statuses", statuses)
    assert failures == [], f"{len(failures)} of {sum(statuses.values())}:\n" + "\n".join(failures[:40])


def _dep(client, output_part):
    return next(d for d in client.get("/_dash-dependencies").json
                if output_part in d["output"] and not d.get("clientside_function"))


REFUSAL_EN = "The page could not understand this request. Reload the page and try again."


def test_the_three_reported_forgeries_get_a_sentence_and_400(staff_client):
    # An id of 10^20 for the partner's location.
    r = post_callback(staff_client, callback_body(_dep(staff_client, "partner-name.value"),
                                                  {"partner-location.value": 10 ** 20}))
    assert (r.status_code, r.get_data(as_text=True)) == (400, REFUSAL_EN)
    # Null pattern ids on the partner form (every service row's id is {"type": ..., "sid": null}).
    dep = _dep(staff_client, "partner-summary")
    body = callback_body(dep, {"partner-location.value": 1, "partner-preview.n_clicks": 1})
    for index, spec in enumerate(dep["state"]):
        if spec["id"].startswith("{"):
            body["state"][index] = [{"id": {"type": json.loads(spec["id"])["type"], "sid": None},
                                     "property": spec["property"], "value": None}]
    r = post_callback(staff_client, body)
    assert (r.status_code, r.get_data(as_text=True)) == (400, REFUSAL_EN)
    # An integer pathname for Dash's page router.
    r = post_callback(staff_client, page_body(7))
    assert (r.status_code, r.get_data(as_text=True)) == (400, REFUSAL_EN)
    assert "no-store" in r.headers["Cache-Control"]


def test_the_refusal_speaks_the_readers_language(staff_client):
    staff_client.set_cookie("elip_ui", "fr")
    r = post_callback(staff_client, page_body(7))
    assert r.status_code == 400
    assert r.get_data(as_text=True) not in ("", REFUSAL_EN)
    assert "page" in r.get_data(as_text=True).lower()


def test_real_requests_still_pass(staff_client):
    for path in ("/", "/about", "/partner", "/staff/review", "/staff/users"):
        r = post_callback(staff_client, page_body(path))
        assert r.status_code == 200, path
    r = post_callback(staff_client, callback_body(_dep(staff_client, "shell-nav.children"),
                                                  {"_pages_location.pathname": "/about", "_pages_location.search": ""}))
    assert r.status_code == 200 and "Find services" in r.get_data(as_text=True)
