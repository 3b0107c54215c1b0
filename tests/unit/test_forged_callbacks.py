"""Forged callback inputs are refused politely: HTTP 400 with a plain message, never a 500 or a traceback.

Every server callback is called as a logged-in staff member (who passes every permission check, so the
forged value reaches the callback's own code) with each input and state replaced in turn by values a
browser never sends for it: an id of 10^20, null, a number where text belongs, a list, an object, and
pattern-matching ids whose keys are null.
"""

from __future__ import annotations

import copy

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
                        pattern = {k: None for k in __import__("json").loads(spec["id"])}
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
