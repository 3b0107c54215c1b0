"""The directory stores and reads back on both SQLite and PostgreSQL, with migrations and locking."""

import datetime as dt

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm.exc import StaleDataError

from elip_map.directory.models import (Address, Language, Location, Organization, Phone, Schedule, Service,
                                       ServiceAtLocation, ServiceType)
from elip_map.directory.storage import bump_directory_version, directory_version, is_empty, open_database


def _add_listing(session):
    org = Organization(name="Changing Together", name_key="changing together", website="http://changingtogether.com")
    loc = Location(organization=org, name="Edmonton Intercultural Centre", location_key="9538 107 ave nw",
                   latitude=53.5519, longitude=-113.4903, geocode_status="ok", geocode_method="grid",
                   geocode_precision_m=80, last_verified=dt.date(2026, 1, 5))
    loc.addresses.append(Address(address_1="9538 107 Ave NW", city="Edmonton", state_province="AB",
                                 postal_code="T5H 0Z4"))
    loc.phones.append(Phone(number="+17804243545"))
    loc.schedules.append(Schedule(weekday=1, opens_at=dt.time(9), closes_at=dt.time(17), description="By appointment"))
    svc = Service(organization=org, name="English classes for women", eligibility="Permanent residents", fees="Free")
    svc.types.append(ServiceType(slug="language-training"))
    svc.types.append(ServiceType(slug="women"))
    svc.languages.append(Language(code="ar"))
    svc.languages.append(Language(code="en"))
    session.add_all([org, loc, svc, ServiceAtLocation(service=svc, location=loc)])
    return loc.id


def test_fresh_database_has_every_table_and_is_empty(db):
    tables = set(inspect(db.engine).get_table_names())
    assert {"organization", "service", "location", "service_at_location", "address", "phone", "schedule",
            "language", "service_type", "geocode_cache", "meta", "alembic_version"} <= tables
    with db.session() as s:
        assert is_empty(s)


def test_listing_round_trips_with_hours_languages_and_types(db):
    with db.session() as s:
        _add_listing(s)
    with db.session() as s:
        loc = s.scalars(select(Location)).one()
        assert loc.physical_address.one_line() == "9538 107 Ave NW, Edmonton, AB, T5H 0Z4"
        assert loc.schedules[0].opens_at == dt.time(9) and loc.schedules[0].weekday == 1
        (svc,) = loc.services
        assert svc.type_slugs == ["language-training", "women"]
        assert svc.language_codes == ["ar", "en"]
        assert loc.is_public and loc.last_verified == dt.date(2026, 1, 5)


def test_failed_transaction_leaves_database_as_before(db):
    with db.session() as s:
        _add_listing(s)
    with pytest.raises(RuntimeError):
        with db.session() as s:
            s.add(Organization(name="Half written", name_key="half written"))
            s.flush()
            raise RuntimeError("boom")
    with db.session() as s:
        assert [o.name for o in s.scalars(select(Organization))] == ["Changing Together"]


def test_concurrent_edit_of_same_location_is_refused(db):
    with db.session() as s:
        _add_listing(s)
    first, second = db.sessions(), db.sessions()
    try:
        a = first.scalars(select(Location)).one()
        b = second.scalars(select(Location)).one()
        a.name = "Edited by A"
        first.commit()
        b.name = "Edited by B"
        with pytest.raises(StaleDataError):
            second.commit()
    finally:
        first.close()
        second.close()
    with db.session() as s:
        assert s.scalars(select(Location)).one().name == "Edited by A"


def test_directory_version_counts_changes(db):
    with db.session() as s:
        assert directory_version(s) == 0
        bump_directory_version(s)
        bump_directory_version(s)
    with db.session() as s:
        assert directory_version(s) == 2


def test_reopening_migrated_database_keeps_data(db_url):
    first = open_database(db_url)
    with first.session() as s:
        _add_listing(s)
    first.dispose()
    again = open_database(db_url)
    with again.session() as s:
        assert s.scalars(select(Organization.name)).all() == ["Changing Together"]
    again.dispose()


def test_sqlite_uses_write_ahead_log(sqlite_db):
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_migrations_build_exactly_the_schema_the_models_describe(db):
    # A model change without its migration would work in tests yet break every existing deployment.
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import elip_map.accounts.models  # noqa: F401 - registers the account tables
    import elip_map.directory.audit  # noqa: F401 - registers the audit table
    import elip_map.review.models  # noqa: F401 - registers the review tables
    import elip_map.verification.models  # noqa: F401 - registers the verification mail queue
    from elip_map.directory.models import Base

    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
