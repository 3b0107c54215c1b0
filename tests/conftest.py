"""Shared fixtures: a fresh directory database on SQLite and on PostgreSQL, the reference-data mirror,
and headless Chromium for browser tests.

PostgreSQL tests use ELIP_TEST_POSTGRES_URL (default: the local server, database ``test``) and work in
a schema of their own that is dropped afterwards. Where no server answers they skip with a reason,
except in CI (CI=true), where a missing PostgreSQL or Chromium is a failure, as is any other skip.
Under pytest-xdist each worker is its own process: session fixtures are per worker, and nothing here writes
a file outside the test's temporary folder.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import pytest

from elip_map.testing import SHARED_GEODATA, free_port

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("ELIP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

os.environ.setdefault("DASH_TEST_CHROMEPATH", shutil.which("chromium") or "/usr/bin/chromium")

# Hypothesis keeps its caches (Unicode tables, constants read from our source) in ./.hypothesis, a folder of
# the checkout that two test runs would share: each run gets a folder of its own (its pytest-xdist workers
# inherit it; Hypothesis writes there atomically), removed when the run ends.
if "HYPOTHESIS_STORAGE_DIRECTORY" not in os.environ:
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = tempfile.mkdtemp(prefix="elip-hypothesis-")
    atexit.register(shutil.rmtree, os.environ["HYPOTHESIS_STORAGE_DIRECTORY"], ignore_errors=True)


def _postgres_available() -> str | None:
    """None when the server answers, else the reason it does not."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_URL.replace("+psycopg", ""), connect_timeout=3):
            return None
    except Exception as exc:  # any failure to connect means: no usable server
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.__class__.__name__}"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    reason = _postgres_available()
    if reason:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: PostgreSQL is required)")
        pytest.skip(reason)
    return POSTGRES_URL


@pytest.fixture
def postgres_schema_url(postgres_url):
    """A database URL whose search_path is a new, empty schema; the schema is dropped afterwards."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    plain = postgres_url.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in postgres_url else "?"
    yield f"{postgres_url}{sep}options=-csearch_path%3D{schema}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Run the test once on a fresh SQLite file and once on a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'directory.sqlite3'}"
    return request.getfixturevalue("postgres_schema_url")


@pytest.fixture
def db(db_url):
    from elip_map.directory.storage import open_database

    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path):
    from elip_map.directory.storage import open_database

    database = open_database(f"sqlite:///{tmp_path / 'directory.sqlite3'}")
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def geodata_mirror() -> Path:
    if not SHARED_GEODATA.is_dir():
        reason = "the reference-data mirror ../shared/geodata is not beside the project"
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: the mirror is required)")
        pytest.skip(reason)
    return SHARED_GEODATA


# --- browser tests -------------------------------------------------------------------------------

def pytest_setup_options():
    """Headless Chromium options for dash[testing] (hook from dash/testing/newhooks.py)."""
    from selenium.webdriver.chrome.options import Options

    opts = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=1280,900"):
        opts.add_argument(arg)
    return opts


def pytest_collection_modifyitems(config, items):
    if shutil.which("chromium") and shutil.which("chromedriver"):
        return
    if IN_CI:
        return  # in CI a missing browser must fail, not skip
    skip = pytest.mark.skip(reason="Chromium not installed (apt-get install chromium chromium-driver)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI a skip is a failure: a test that cannot run there (no server, no browser, no shared data) would
    otherwise pass the run while checking nothing. Expected failures (xfail) are not skips."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI (CI=true), where every test must run: {reason}"


@pytest.fixture
def dash_duo(dash_duo):
    """dash[testing]'s browser, serving each app on a free port of 127.0.0.1 (its default counts up
    from one fixed port, so two test runs side by side would meet)."""
    start = dash_duo.start_server

    def start_server(app, navigate=True, **kwargs):
        kwargs.setdefault("port", free_port())
        return start(app, navigate=navigate, **kwargs)

    dash_duo.start_server = start_server
    return dash_duo


@pytest.fixture
def clear_pages_state():
    """Dash keeps its page registry in module globals: empty it around each app a test builds."""
    import dash

    def reset():
        dash._pages.PAGE_REGISTRY.clear()
        dash._pages.CONFIG.clear()
        dash._pages.CONFIG.__dict__.clear()

    reset()
    yield
    reset()


@pytest.fixture(scope="module")
def sample_database(tmp_path_factory) -> Path:
    """The bundled sample imported once per test module; each test serves a copy of it."""
    from elip_map.directory.storage import open_database
    from elip_map.importers.sample import load_sample_if_empty

    path = tmp_path_factory.mktemp("sample") / "sample.sqlite3"
    database = open_database(f"sqlite:///{path}")
    assert load_sample_if_empty(database)
    database.dispose()
    return path


@pytest.fixture
def partner_office_app(tmp_path, clear_pages_state):
    """The app on the partner pages' directory (``testing.add_partner_office``), on a fresh SQLite file."""
    from elip_map.config import Settings
    from elip_map.directory.storage import open_database
    from elip_map.factory import create_app
    from elip_map.testing import add_partner_office

    url = f"sqlite:///{tmp_path / 'partner.sqlite3'}"
    database = open_database(url)
    with database.session() as s:
        add_partner_office(s)
    database.dispose()
    return create_app(Settings(database_url=url, tile_url="", secret_key="test-only-secret"), load_sample=False)
