"""Login, logout and session cookies on the real Flask server behind Dash."""

from __future__ import annotations

import pytest

from elip_map.accounts.models import User
from elip_map.accounts.web import gate, safe_next
from elip_map.config import Settings
from elip_map.directory.storage import open_database
from elip_map.testing import PASSWORD, hash_password


@pytest.fixture
def app(tmp_path, clear_pages_state):
    from elip_map.factory import create_app

    url = f"sqlite:///{tmp_path / 'web.sqlite3'}"
    with open_database(url).session() as s:
        s.add(User(email="staff@elip.example", role="staff", password_hash=hash_password(PASSWORD)))
    return create_app(Settings(database_url=url, tile_url="", secret_key="test-only-secret"), load_sample=False)


def _login(client, password=PASSWORD, next_=""):
    client.get("/login")
    return client.post("/auth/login", data={"email": "Staff@elip.example", "password": password, "next": next_,
                                            "csrf_token": client.get_cookie("_csrf_token").value})


@pytest.mark.parametrize("target, expected", [
    ("/partner", "/partner"), ("/staff/review?x=1", "/staff/review?x=1"), ("//evil.example/x", "/"),
    ("https://evil.example/", "/"), ("/\\evil.example", "/"), ("javascript:alert(1)", "/"), ("", "/"),
])
def test_safe_next(target, expected):
    assert safe_next(target, "/") == expected


class _U:
    def __init__(self, staff):
        self.is_staff = staff


@pytest.mark.parametrize("path, user, status", [
    ("/", None, None), ("/coverage", None, None), ("/staff/review", None, 401), ("/staffing", None, None),
    ("/partner", None, 401), ("/partner/x", _U(False), None), ("/staff/users", _U(False), 403),
    ("/staff/users", _U(True), None), ("/partner", _U(True), None),
])
def test_gate(path, user, status):
    assert gate(path, user) == status


def test_login_sets_a_new_httponly_session_and_logout_ends_it_on_the_server(app):
    client = app.server.test_client()
    client.get("/login")
    before = client.get_cookie("elip_session").value
    r = _login(client, next_="/staff/audit")
    assert r.status_code == 303 and r.headers["Location"] == "/staff/audit"
    cookie_header = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("elip_session="))
    assert "HttpOnly" in cookie_header and "SameSite=Lax" in cookie_header and "Secure" not in cookie_header
    session_cookie = client.get_cookie("elip_session").value
    assert session_cookie != before
    assert client.get("/staff/review").status_code == 200
    # Someone copied the cookie; the owner logs out; the copy must be dead too.
    thief = app.server.test_client()
    thief.set_cookie("elip_session", session_cookie)
    assert thief.get("/staff/review").status_code == 200
    client.get("/")
    out = client.post("/auth/logout", data={"csrf_token": client.get_cookie("_csrf_token").value})
    assert out.status_code == 303
    assert client.get("/staff/review").status_code == 302
    assert thief.get("/staff/review").status_code == 302


def test_wrong_password_and_lockout(app):
    client = app.server.test_client()
    for _ in range(5):
        r = _login(client, password="not the password")
        assert r.status_code == 303 and "error=failed" in r.headers["Location"]
    r = _login(client)
    assert "error=locked" in r.headers["Location"]
    page = client.get("/login?error=locked")
    assert page.status_code == 200


def test_production_refuses_to_start_without_a_secret_key(tmp_path, clear_pages_state):
    from elip_map.factory import create_app

    with pytest.raises(RuntimeError, match="ELIP_SECRET_KEY"):
        create_app(Settings(database_url=f"sqlite:///{tmp_path / 'p.sqlite3'}", tile_url="", production=True),
                   load_sample=False)


def test_production_cookies_are_secure(tmp_path, clear_pages_state):
    from elip_map.factory import create_app

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'p.sqlite3'}", tile_url="", production=True,
                              secret_key="x" * 40), load_sample=False)
    r = app.server.test_client().get("/", base_url="https://localhost")
    cookies = r.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies)


def test_first_staff_account_from_environment(tmp_path, clear_pages_state, monkeypatch):
    from elip_map.factory import create_app

    monkeypatch.setenv("ELIP_ADMIN_EMAIL", "first@elip.example")
    monkeypatch.setenv("ELIP_ADMIN_PASSWORD", PASSWORD)
    url = f"sqlite:///{tmp_path / 'first.sqlite3'}"
    create_app(Settings(database_url=url, tile_url="", secret_key="s" * 40), load_sample=False)
    with open_database(url).session() as s:
        assert s.query(User).filter_by(email="first@elip.example", role="staff").count() == 1


def test_coverage_is_staff_only_in_production(tmp_path, clear_pages_state):
    from elip_map.factory import create_app

    url = f"sqlite:///{tmp_path / 'cov.sqlite3'}"
    with open_database(url).session() as s:
        s.add(User(email="staff@elip.example", role="staff", password_hash=hash_password(PASSWORD)))
    app = create_app(Settings(database_url=url, tile_url="", production=True, secret_key="k" * 40), load_sample=False)
    client = app.server.test_client()
    https = {"base_url": "https://localhost"}

    def render():
        body = {"output": ".._pages_content.children..._pages_store.data..",
                "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
                "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/coverage"},
                           {"id": "_pages_location", "property": "search", "value": ""}],
                "state": [], "changedPropIds": ["_pages_location.pathname"]}
        return client.post("/_dash-update-component", json=body, **https, headers={
            "X-CSRFToken": client.get_cookie("_csrf_token").value, "Referer": "https://localhost/coverage"}).get_data(as_text=True)

    client.get("/login", **https)
    assert "for ELIP staff" in render()
    client.post("/auth/login", **https, headers={"Referer": "https://localhost/login"},
                data={"email": "staff@elip.example", "password": PASSWORD,
                      "csrf_token": client.get_cookie("_csrf_token").value})
    client.get("/", **https)
    page = render()
    assert "for ELIP staff" not in page and "coverage-map" in page


def test_only_pages_carry_the_csrf_cookie(app):
    client = app.server.test_client()
    page = client.get("/")
    assert any(c.startswith("_csrf_token=") for c in page.headers.getlist("Set-Cookie"))
    api = client.get("/api/locations.geojson")
    assert api.status_code == 200
    assert not any(c.startswith("_csrf_token=") for c in api.headers.getlist("Set-Cookie"))


def test_weak_admin_password_from_environment_refuses_to_start(tmp_path, clear_pages_state, monkeypatch):
    from elip_map.factory import create_app

    monkeypatch.setenv("ELIP_ADMIN_EMAIL", "first@elip.example")
    monkeypatch.setenv("ELIP_ADMIN_PASSWORD", "password")
    with pytest.raises(RuntimeError, match="ELIP_ADMIN_PASSWORD: This password is too common"):
        create_app(Settings(database_url=f"sqlite:///{tmp_path / 'w.sqlite3'}", tile_url="", secret_key="s" * 40),
                   load_sample=False)
