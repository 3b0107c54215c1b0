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


def test_a_bad_value_names_its_variable():
    import pytest

    from elip_map.config import SettingError

    with pytest.raises(SettingError, match="ELIP_MAX_UPLOAD_MB='ten': not a number"):
        Settings.from_env({"ELIP_MAX_UPLOAD_MB": "ten"})
    with pytest.raises(SettingError, match="ELIP_PRODUCTION='maybe'"):
        Settings.from_env({"ELIP_PRODUCTION": "maybe"})
    with pytest.raises(SettingError, match="ELIP_STALE_MONTHS='0': must be at least 1"):
        Settings.from_env({"ELIP_STALE_MONTHS": "0"})
