"""Where the project's own files live, so every module finds them the same way."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
GEODATA_DIR = PROJECT_ROOT / "geodata"
ASSETS_DIR = PROJECT_ROOT / "assets"
SAMPLE_DATA_DIR = PACKAGE_DIR / "data"
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"
