"""Logins that cannot be raced, on a real threaded server on 127.0.0.1 (SQLite and PostgreSQL).

A burst of parallel wrong-password requests must get no more real password checks than the per-account
limit: each check is counted before it is made, in one locked step. The per-address limit must not
lock out everyone behind one shared address (a settlement agency's office).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from werkzeug.serving import make_server

from elip_map.accounts.models import User
from elip_map.accounts.service import MAX_FAILURES_PER_EMAIL, MAX_FAILURES_PER_IP
from elip_map.config import Settings
from elip_map.directory.storage import open_database
from elip_map.testing import PASSWORD, hash_password, quick_hash, render_page

BURSTS = {"burst40@elip.example": 40, "burst100@elip.example": 100}


@pytest.fixture
def live(db_url, clear_pages_state):
    from elip_map.factory import create_app

    database = open_database(db_url)
    with database.session() as s:
        s.add_all([User(email=email, role="staff", password_hash=hash_password(PASSWORD)) for email in BURSTS])
    app = create_app(Settings(database_url=db_url, tile_url="", secret_key="test-only-secret"), load_sample=False)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)
    database.dispose()


def _burst(base: str, email: str, size: int) -> list[str]:
    """``size`` wrong-password logins for ``email`` released at the same instant; the error each one got."""
    http = requests.Session()
    http.get(f"{base}/login", timeout=30)
    cookies = http.cookies.get_dict()
    start = threading.Barrier(size)

    def attempt(number: int) -> str:
        with requests.Session() as own:
            own.cookies.update(cookies)
            form = {"email": email, "password": f"wrong guess number {number}", "csrf_token": cookies["_csrf_token"]}
            start.wait(60)
            r = own.post(f"{base}/auth/login", data=form, allow_redirects=False, timeout=300)
            assert r.status_code == 303, r.text[:300]
            return r.headers["Location"]

    with ThreadPoolExecutor(max_workers=size) as pool:
        answers = list(pool.map(attempt, range(size)))
    # "failed": the password was checked and was wrong; "locked": refused before any check.
    return ["failed" if "error=failed" in a else "locked" if "error=locked" in a else a for a in answers]


@pytest.mark.parametrize("email", list(BURSTS))
def test_a_burst_of_parallel_guesses_gets_no_more_checks_than_the_limit(live, email):
    answers = _burst(live, email, BURSTS[email])
    checked = answers.count("failed")
    assert checked + answers.count("locked") == len(answers), set(answers)
    print(f"\n{email}: {checked} of {len(answers)} parallel guesses had their password checked")
    assert checked <= MAX_FAILURES_PER_EMAIL, f"{checked} of {len(answers)} guesses were checked"
    assert checked == MAX_FAILURES_PER_EMAIL  # and the limit itself is not lowered by the race


OFFICE = "198.51.100.7"  # one settlement agency's office: every colleague shares this public address
COLLEAGUES = [f"worker{i}@agency.example" for i in range(8)]


@pytest.fixture
def office_app(tmp_path, clear_pages_state):
    from elip_map.factory import create_app

    url = f"sqlite:///{tmp_path / 'office.sqlite3'}"
    with open_database(url).session() as s:
        s.add_all([User(email=email, role="staff", password_hash=quick_hash(PASSWORD)) for email in COLLEAGUES])
    return create_app(Settings(database_url=url, tile_url="", secret_key="test-only-secret"), load_sample=False)


def _login_from(client, email: str, password: str, address: str, **headers) -> str:
    """Post the login form from ``address``: "in", "failed" (checked, wrong) or "locked" (not checked)."""
    if client.get_cookie("_csrf_token") is None:
        client.get("/login", environ_base={"REMOTE_ADDR": address})
    r = client.post("/auth/login", environ_base={"REMOTE_ADDR": address}, headers=headers,
                    data={"email": email, "password": password, "csrf_token": client.get_cookie("_csrf_token").value})
    assert r.status_code == 303
    location = r.headers["Location"]
    return "failed" if "error=failed" in location else "locked" if "error=locked" in location else "in"


def test_one_colleagues_failures_do_not_lock_out_the_rest_of_the_office(office_app):
    client = office_app.server.test_client()
    # Seven colleagues each mistype their password five times (35 failures from the office, more than the
    # old per-address limit of 30)...
    for email in COLLEAGUES[:7]:
        for _ in range(MAX_FAILURES_PER_EMAIL):
            assert _login_from(client, email, "not my password", OFFICE) == "failed"
    # ...the eighth still signs in at once from the same address.
    assert _login_from(office_app.server.test_client(), COLLEAGUES[7], PASSWORD, OFFICE) == "in"


@pytest.mark.parametrize("trusted_proxies", [0, 1])
def test_the_per_address_limit_sees_the_client_behind_trusted_proxies_only(tmp_path, clear_pages_state,
                                                                            trusted_proxies):
    from elip_map.factory import create_app

    url = f"sqlite:///{tmp_path / 'proxy.sqlite3'}"
    accounts = [f"worker{i}@agency.example" for i in range(MAX_FAILURES_PER_IP // 4 + 2)]
    with open_database(url).session() as s:
        s.add_all([User(email=email, role="staff", password_hash=quick_hash(PASSWORD)) for email in accounts])
    app = create_app(Settings(database_url=url, tile_url="", secret_key="test-only-secret",
                              trusted_proxies=trusted_proxies), load_sample=False)
    proxy, client = "10.0.0.2", app.server.test_client()
    # One client sprays guesses over many accounts (four each: under the account limit), writing a new
    # X-Forwarded-For each time as if it were many clients; the proxy appends the real one.
    for attempt in range(MAX_FAILURES_PER_IP):
        forwarded = f"192.0.2.{attempt}, 198.51.100.7"
        assert _login_from(client, accounts[attempt // 4], "a guess", proxy, **{"X-Forwarded-For": forwarded}) == "failed"
    sprayer = _login_from(client, accounts[-1], PASSWORD, proxy, **{"X-Forwarded-For": "192.0.2.250, 198.51.100.7"})
    other = _login_from(app.server.test_client(), accounts[-2], PASSWORD, proxy, **{"X-Forwarded-For": "203.0.113.9"})
    assert sprayer == "locked"  # forged entries in front of the proxy's own do not help
    # Trusting the proxy, another client behind it is someone else; not trusting it, all are one address.
    assert other == ("in" if trusted_proxies else "locked")


def test_the_login_page_says_how_long_to_wait(office_app):
    client = office_app.server.test_client()
    for _ in range(MAX_FAILURES_PER_EMAIL):
        assert _login_from(client, COLLEAGUES[0], "not my password", OFFICE) == "failed"
    client.get("/login", environ_base={"REMOTE_ADDR": OFFICE})
    r = client.post("/auth/login", environ_base={"REMOTE_ADDR": OFFICE},
                    data={"email": COLLEAGUES[0], "password": PASSWORD, "csrf_token": client.get_cookie("_csrf_token").value})
    assert "error=locked" in r.headers["Location"] and "wait=1" in r.headers["Location"]  # 30 s, said as 1 minute
    page = render_page(client, "/login", "?error=locked&wait=1").get_data(as_text=True)
    assert "Too many failed logins. Try again in 1 minute" in page
    page = render_page(client, "/login", "?error=locked&wait=3&ui=fr").get_data(as_text=True)
    assert "3 minutes" in page and "Too many" not in page
