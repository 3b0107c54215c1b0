"""A web worker holds only what the newcomer page needs (issue 17: each worker under 250 MB).

pandas, scipy and pyproj together were about 50 MB of every gunicorn worker, though only the coverage
page and the reference-data builds use them. Built as ``elip-map serve`` builds it, in a fresh process
(this test process has them loaded already), the app and a newcomer's requests must leave them out;
the coverage page still loads them when a staff member opens it.
"""

from __future__ import annotations

import json
import subprocess
import sys

_CHILD = """
import json, sys
from elip_map.config import Settings
from elip_map.factory import create_app
app = create_app(Settings(database_url=sys.argv[1], secret_key="t" * 40), load_sample=True)
client = app.server.test_client()
statuses = [client.get(path).status_code for path in
            ("/", "/_dash-layout", "/_dash-dependencies", "/api/locations.feed", "/api/details?ids=loc-1,loc-2")]
print(json.dumps({"statuses": statuses, "loaded": sorted(m for m in ("pandas", "scipy", "pyproj") if m in sys.modules)}))
if len(sys.argv) > 2:
    import elip_map.coverage.view as view
    view.coverage_table  # the page's own module is already imported; its work loads the libraries
    import elip_map.refdata as refdata
    refdata.load_demand()
    print(json.dumps(sorted(m for m in ("pandas", "scipy", "pyproj") if m in sys.modules)))
"""


def _run(tmp_path, *extra: str) -> list[str]:
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    # The sample directory is written first, apart: a worker starts on a directory that is already there.
    filled = subprocess.run([sys.executable, "-c", "import sys; from elip_map.directory.storage import open_database; "
                             "from elip_map.importers.sample import load_sample_if_empty; "
                             "load_sample_if_empty(open_database(sys.argv[1]))", url],
                            capture_output=True, text=True, timeout=300)
    assert filled.returncode == 0, filled.stderr[-3000:]
    result = subprocess.run([sys.executable, "-c", _CHILD, url, *extra], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()


def test_the_newcomer_page_and_its_feeds_leave_the_heavy_libraries_out(tmp_path):
    first = json.loads(_run(tmp_path)[0])
    assert first["statuses"] == [200, 200, 200, 200, 200]
    assert first["loaded"] == []


def test_the_libraries_still_load_where_they_are_used(tmp_path):
    """The check above can fail: reading the census tables does bring pandas in."""
    lines = _run(tmp_path, "coverage")
    assert json.loads(lines[0])["loaded"] == []
    assert "pandas" in json.loads(lines[1])
