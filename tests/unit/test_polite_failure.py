"""A database that goes away, a command that cannot reach it, and production settings that are unsafe:
each ends with a plain sentence (HTTP 503 for the pages, one line for the commands), never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlalchemy.engine import make_url

from elip_map.config import Settings
from elip_map.i18n import translator
from elip_map.paths import PROJECT_ROOT
from elip_map.testing import TcpRelay, call_callback, free_port, render_page

UNAVAILABLE = "Service temporarily unavailable"


# --- the web app loses its database ----------------------------------------------------------------------

@pytest.fixture
def relayed_app(postgres_schema_url, clear_pages_state):
    """The app on PostgreSQL reached through a relay the test can cut, as a database host going down."""
    from elip_map.factory import create_app

    url = make_url(postgres_schema_url)
    relay = TcpRelay(url.host, url.port or 5432)
    app = create_app(Settings(database_url=url.set(port=relay.port).render_as_string(hide_password=False),
                              tile_url="", secret_key="s" * 40), load_sample=True)
    yield app, relay
    relay.cut()
    app.server.config["ELIP_DATABASE"].dispose()


def test_a_lost_database_gives_503_in_the_readers_language(relayed_app):
    app, relay = relayed_app
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    health = client.get("/healthz")
    assert (health.status_code, health.get_json()) == (200, {"status": "ok", "database": "ok"})
    assert render_page(client, "/").status_code == 200

    relay.cut()

    page = client.get("/?ui=fr")
    text = page.get_data(as_text=True)
    french = translator("fr")(UNAVAILABLE)
    assert page.status_code == 503 and page.headers["Retry-After"]
    assert french != UNAVAILABLE and french in text and 'lang="fr"' in text
    assert "Traceback" not in text and "OperationalError" not in text and str(relay.port) not in text
    assert UNAVAILABLE in client.get("/").get_data(as_text=True)

    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["status"] == "unavailable"
    assert health.headers["Cache-Control"] == "no-store"

    # A page already open keeps calling back (the navigation reads the database): a sentence, not a 500.
    callback = call_callback(client, "shell-nav", {"_pages_location.pathname": "/", "_pages_location.search": ""},
                             "_pages_location.pathname")
    assert callback.status_code == 503
    assert "temporarily unavailable" in callback.get_data(as_text=True)
    assert client.get("/api/locations.feed").status_code == 503


def test_healthz_is_a_real_route_not_the_page_shell(tmp_path, clear_pages_state):
    from elip_map.factory import create_app

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'h.sqlite3'}", tile_url="", secret_key="s" * 40),
                     load_sample=False)
    r = app.server.test_client().get("/healthz")
    assert (r.status_code, r.mimetype, r.get_json()) == (200, "application/json", {"status": "ok", "database": "ok"})


# --- commands -----------------------------------------------------------------------------------------------

def _run(args, timeout=120, **env):
    """Run ``python -m elip_map`` from the project root (this checkout's package) with extra environment."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ELIP_", "DATABASE_URL"))}
    environ.update(env)
    return subprocess.run([sys.executable, "-m", "elip_map", *args], cwd=PROJECT_ROOT, env=environ,
                          capture_output=True, text=True, timeout=timeout)


UNREACHABLE = {
    "postgresql on a closed port": (lambda: f"postgresql+psycopg://postgres:hunter2@127.0.0.1:{free_port()}/test",
                                    "refused"),
    "sqlite in a folder that cannot be made": (lambda: "sqlite:////proc/elip-missing/directory.sqlite3",
                                               "No such file or directory"),
}


@pytest.mark.parametrize("where", sorted(UNREACHABLE))
@pytest.mark.parametrize("command", [["serve"], ["user", "list"], ["export", "--format", "csv"], ["geocode"],
                                     ["import", "--dry-run", "README.md"]])
def test_commands_name_database_url_in_one_line(where, command):
    make_url_, cause = UNREACHABLE[where]
    result = _run(command, DATABASE_URL=make_url_())
    lines = [line for line in result.stderr.splitlines() + result.stdout.splitlines() if line.strip()]
    assert result.returncode == 1
    assert len(lines) == 1, lines[:5]
    assert "DATABASE_URL" in lines[0] and cause in lines[0]
    assert "hunter2" not in lines[0]


def test_an_unparseable_setting_is_one_line_too():
    result = _run(["user", "list"], ELIP_MAX_UPLOAD_MB="ten")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "ELIP_MAX_UPLOAD_MB" in result.stderr


# --- production ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["x", "k" * 31, "ключ" * 3])  # 1, 31 and 24 bytes (Cyrillic: 2 bytes a letter)
def test_production_refuses_a_short_secret_key(tmp_path, key):
    result = _run(["serve", "--port", str(free_port())], ELIP_PRODUCTION="1", ELIP_SECRET_KEY=key,
                  DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite3'}")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "ELIP_SECRET_KEY" in result.stderr and "32 bytes" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_serves_through_gunicorn_even_with_one_worker(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ELIP_", "DATABASE_URL"))}
    env.update(ELIP_PRODUCTION="1", ELIP_SECRET_KEY="p" * 32, DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite3'}")
    proc = subprocess.Popen([sys.executable, "-m", "elip_map", "serve", "--port", str(port), "--workers", "1"],
                            cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, answer = time.monotonic() + 90, None
        while time.monotonic() < deadline and answer is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                    answer = (r.status, r.headers.get("Server", ""))
            except OSError:
                time.sleep(0.5)
        assert answer is not None, "the server did not answer"
        assert answer[0] == 200 and "gunicorn" in answer[1].lower()
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    first = output.splitlines()[0]
    assert "gunicorn, 1 worker" in first and "production" in first and "Werkzeug" not in output


def test_development_says_it_is_the_development_server():
    from elip_map.cli.serve import start_line

    line = start_line(Settings(database_url="postgresql://app:pw@db/elip"), "127.0.0.1", 8050, 1, False)
    assert "Werkzeug development server" in line and "not for production" in line
    assert "pw" not in line and "postgresql://app:***@db/elip" in line


def test_a_real_bug_is_still_a_500_with_a_sentence_and_a_logged_traceback(tmp_path, clear_pages_state, caplog):
    from elip_map.factory import create_app

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'b.sqlite3'}", tile_url="", secret_key="s" * 40),
                     load_sample=False)

    def broken():
        raise RuntimeError("a bug of ours")

    app.server.add_url_rule("/api/broken", view_func=broken)
    app.server.add_url_rule("/broken-page", view_func=broken)
    client = app.server.test_client()
    api = client.get("/api/broken")
    assert api.status_code == 500 and api.get_data(as_text=True).startswith("Something went wrong on our side")
    page = client.get("/broken-page?ui=es")
    assert page.status_code == 500 and 'lang="es"' in page.get_data(as_text=True)
    assert "a bug of ours" not in api.get_data(as_text=True) + page.get_data(as_text=True)
    assert any(r.exc_info and "a bug of ours" in str(r.exc_info[1]) for r in caplog.records)  # the operator sees it
