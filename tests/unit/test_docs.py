"""The README documents every setting, so an operator can configure the app without reading code."""

from pathlib import Path

from elip_map.config import SETTINGS_DOC, Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented_in_the_readme():
    missing = [doc.env for doc in SETTINGS_DOC.values() if f"`{doc.env}`" not in README]
    assert missing == []


def test_every_settings_field_has_an_environment_variable():
    assert set(SETTINGS_DOC) == set(Settings.__dataclass_fields__)


def test_settings_read_from_environment_and_keep_defaults():
    cfg = Settings.from_env({"DATABASE_URL": "sqlite:///x.db", "ELIP_MAX_UPLOAD_MB": "2", "ELIP_PRODUCTION": "1",
                             "ELIP_TILE_URL": ""})
    assert cfg.database_url == "sqlite:///x.db"
    assert cfg.max_upload_bytes == 2 * 1024 * 1024
    assert cfg.production is True
    assert cfg.tile_url == ""  # empty means: no basemap, outlines only
    assert Settings.from_env({}).stale_months == 12
