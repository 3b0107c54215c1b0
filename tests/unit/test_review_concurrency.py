"""50 partners' corrections sent at once to a real server on 127.0.0.1: each is stored exactly once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from elip_map.config import Settings
from elip_map.directory.audit import audit_entries
from elip_map.directory.models import Location
from elip_map.directory.storage import open_database
from elip_map.review.models import ChangeRequest
from elip_map.testing import PASSWORD, add_location, add_user

SUBMISSIONS = 50
RESENT = 10  # double clicks / retried posts of the same submission


@pytest.fixture
def live(db_url, clear_pages_state):
    from elip_map.factory import create_app

    database = open_database(db_url)
    with database.session() as s:
        loc = add_location(s, "Org A", "Office", lat=53.54, lon=-113.49, location_key="office")
        add_user(s, "a@orga.example", "partner", loc.organization_id)
        location_id = loc.id
    app = create_app(Settings(database_url=db_url, tile_url="", secret_key="test-only-secret"), load_sample=False)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", database, location_id
    server.shutdown()
    thread.join(10)
    database.dispose()


def _logged_in(base: str) -> requests.Session:
    http = requests.Session()
    http.get(f"{base}/login", timeout=30)
    r = http.post(f"{base}/auth/login", data={"email": "a@orga.example", "password": PASSWORD,
                                              "csrf_token": http.cookies["_csrf_token"]},
                  allow_redirects=False, timeout=30)
    assert r.status_code == 303 and "error" not in r.headers["Location"]
    http.get(f"{base}/", timeout=30)
    return http


def _act_body(deps: list[dict], location_id: int, submission: str, name: str) -> dict:
    dep = next(d for d in deps if "partner-message.children" in d["output"])
    values = {("partner-location", "value"): location_id, ("partner-name", "value"): name,
              ("partner-submission", "data"): submission, ("partner-base-version", "data"): 1,
              ("partner-closed", "value"): []}

    def item(spec):
        if spec["id"].startswith("{"):
            return []
        return {"id": spec["id"], "property": spec["property"],
                "value": values.get((spec["id"], spec["property"]), 1 if spec["property"] == "n_clicks" else None)}

    outputs = []
    for part in dep["output"][2:-2].split("..."):
        cid, prop = part.rsplit(".", 1)
        outputs.append({"id": cid, "property": prop.split("@")[0]})
    return {"output": dep["output"], "outputs": outputs, "inputs": [item(i) for i in dep["inputs"]],
            "state": [item(s) for s in dep["state"]], "changedPropIds": ["partner-submit.n_clicks"]}


def test_fifty_concurrent_corrections_are_each_stored_once(live):
    base, database, location_id = live
    http = _logged_in(base)
    deps = http.get(f"{base}/_dash-dependencies", timeout=30).json()
    cookies = http.cookies.get_dict()
    jobs = [(f"sub-{i:03d}", f"Office name {i:03d}") for i in range(SUBMISSIONS)]
    jobs += jobs[:RESENT]

    def send(job):
        with requests.Session() as own:  # one connection per "browser tab"
            own.cookies.update(cookies)
            r = own.post(f"{base}/_dash-update-component", json=_act_body(deps, location_id, *job),
                         headers={"X-CSRFToken": cookies["_csrf_token"]}, timeout=120)
            return r.status_code, r.text

    with ThreadPoolExecutor(max_workers=SUBMISSIONS) as pool:
        results = list(pool.map(send, jobs))
    assert all(status == 200 for status, _ in results), [r for r in results if r[0] != 200][:2]
    assert all("Sent: request" in text for _, text in results), [t[:300] for _, t in results if "Sent" not in t][:2]
    with database.session() as s:
        rows = s.execute(select(ChangeRequest.submission_id, ChangeRequest.payload)).all()
        assert len(rows) == SUBMISSIONS
        assert sorted(r.submission_id for r in rows) == sorted(j[0] for j in jobs[:SUBMISSIONS])
        assert sorted(r.payload["name"] for r in rows) == sorted(j[1] for j in jobs[:SUBMISSIONS])
        assert len(audit_entries(s, action="request.submit", limit=None)) == SUBMISSIONS
        assert s.scalar(select(func.count()).select_from(Location)) == 1
        assert s.get(Location, location_id).name == "Office"  # pending: nothing applied
