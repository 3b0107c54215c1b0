"""The bundled sample directory: real public listings of Edmonton newcomer services, each unverified."""

from __future__ import annotations

from ..directory.storage import DATASET_KEY, Database, is_empty, set_meta
from ..paths import SAMPLE_DATA_DIR
from .run import import_file

SAMPLE_FILE = SAMPLE_DATA_DIR / "sample_directory.csv"
SAMPLE_DATASET = "bundled-sample"


def load_sample_if_empty(database: Database) -> bool:
    """Import the bundled sample into an empty database; True when it did."""
    with database.session() as session:
        if not is_empty(session):
            return False
    if not SAMPLE_FILE.exists():
        return False
    import_file(database, SAMPLE_FILE)
    with database.session() as session:
        set_meta(session, DATASET_KEY, SAMPLE_DATASET)
    return True
