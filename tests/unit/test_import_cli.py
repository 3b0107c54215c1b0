"""The `elip-map import` / `elip-map export` command contract, driven through click's CliRunner."""

import csv
import io
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from elip_map.cli import cli
from elip_map.directory.models import Location, Organization
from elip_map.directory.storage import DATASET_KEY, get_meta, open_database
from elip_map.testing import TEST_DATA


@pytest.fixture
def run(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"

    def invoke(*args):
        return CliRunner().invoke(cli, list(map(str, args)), env={"DATABASE_URL": url, "ELIP_MAX_UPLOAD_MB": ""})

    invoke.url = url
    return invoke


def _locations(url) -> int:
    database = open_database(url)
    with database.session() as s:
        count = s.scalar(select(func.count()).select_from(Location))
    database.dispose()
    return count


def test_import_applies_prints_summary_and_does_not_load_the_sample(run):
    result = run("import", TEST_DATA / "import_clean.csv")
    assert result.exit_code == 0, result.output
    assert "Imported import_clean.csv: the directory changed." in result.output
    assert "Rows: 3 imported" in result.output
    assert _locations(run.url) == 3  # the bundled sample (54 locations) was not loaded
    database = open_database(run.url)
    with database.session() as s:
        assert get_meta(s, DATASET_KEY) is None
    database.dispose()


def test_refused_import_exits_non_zero_and_writes_nothing(run):
    result = run("import", TEST_DATA / "import_missing_columns.csv")
    assert result.exit_code == 1
    assert "REFUSED, nothing was written" in result.output and "no column for organization name" in result.output
    assert _locations(run.url) == 0


def test_strict_and_size_limit_refuse(run, tmp_path):
    strict = run("import", TEST_DATA / "import_messy.csv", "--strict", "--report", tmp_path / "r.json")
    assert strict.exit_code == 1 and "--strict" in strict.output
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["refused"]
    big = run("import", TEST_DATA / "import_clean.csv", "--max-size-mb", "0.0005")
    assert big.exit_code == 1 and "larger than" in big.output
    assert _locations(run.url) == 0


def test_dry_run_reports_and_writes_nothing(run, tmp_path):
    result = run("import", TEST_DATA / "import_messy.csv", "--dry-run", "--report", tmp_path / "report.csv")
    assert result.exit_code == 0, result.output
    assert "Dry run of import_messy.csv: nothing was written." in result.output
    assert "row 7 rejected: no organization name" in result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "report.csv").read_text(encoding="utf-8-sig"))))
    assert [r["status"] for r in rows if r["row"]] == [
        "corrected", "skipped", "duplicate-merged", "corrected", "corrected", "rejected", "rejected", "corrected"]
    assert _locations(run.url) == 0


def test_export_csv_to_file_and_stdout_and_hsds_json(run, tmp_path):
    assert run("import", TEST_DATA / "import_clean.csv").exit_code == 0
    out = tmp_path / "directory.csv"
    result = run("export", "--format", "csv", "-o", out)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 3 and rows[0]["organization"] == "Changing Together - A Centre for Immigrant Women"
    stdout = run("export")
    assert stdout.exit_code == 0 and stdout.stdout.startswith("organization,location_name,")
    hsds = run("export", "--format", "hsds-json")
    assert hsds.exit_code == 0
    assert [o["name"] for o in json.loads(hsds.stdout)["organizations"]] == [
        "Changing Together - A Centre for Immigrant Women", "Edmonton Public Library"]


def test_export_reimports_through_the_command(run, tmp_path):
    assert run("import", TEST_DATA / "import_messy.csv").exit_code == 0
    out = tmp_path / "directory.json"
    assert run("export", "--format", "hsds-json", "-o", out).exit_code == 0
    again = run("import", out)
    assert again.exit_code == 0, again.output
    assert "nothing in the directory changed" in again.output
    database = open_database(run.url)
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Organization)) == 4  # row 8 (Some Agency) was rejected
    database.dispose()
