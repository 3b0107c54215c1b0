"""Geocoding directory locations in the database, and the geocode / geocode-file commands."""

from __future__ import annotations

import csv

from click.testing import CliRunner
from sqlalchemy import select

from elip_map.cli import cli
from elip_map.directory.models import Address, GeocodeCache, Location, Organization
from elip_map.geocoding.apply import geocode_locations
from elip_map.geocoding.online import OnlineGeocoder
from elip_map.testing import start_fake_nominatim as start
from components_kit import walk


def _add(session, key, street=None, postal=None, city="Edmonton", name=None, **kw):
    org = session.execute(select(Organization)).scalars().first()
    if org is None:
        org = Organization(name="Test Org", name_key="test org")
        session.add(org)
    loc = Location(organization=org, name=name or key, location_key=key, **kw)
    loc.addresses.append(Address(address_1=street, postal_code=postal, city=city))
    session.add(loc)
    return loc


def test_geocode_locations_sets_provenance_and_skips_unchanged(db):
    with db.session() as s:
        _add(s, "a", "9538 107 Ave NW", "T5H 0Z4")
        _add(s, "b", "PO Box 1234")
        _add(s, "c", None, name="Centre (82 Street at 117 Avenue)")
        _add(s, "m", "nowhere at all", latitude=53.5, longitude=-113.5, geocode_status="manual")
    with db.session() as s:
        locs = s.execute(select(Location)).scalars().all()
        summary = geocode_locations(s, locs)
    assert summary.by_method["grid"] == 2 and summary.needs_attention == 1 and summary.manual_kept == 1
    with db.session() as s:
        by_key = {l.location_key: l for l in s.execute(select(Location)).scalars()}
        a = by_key["a"]
        assert a.geocode_status == "ok" and a.geocode_method == "grid" and a.geocode_precision_m < 300
        assert a.geocoded_at is not None and "9538 107 Ave NW" in a.geocoded_address
        assert abs(a.latitude - 53.5528) < 0.003 and abs(a.longitude - (-113.4843)) < 0.004
        b = by_key["b"]
        assert b.geocode_status == "needs-attention" and b.latitude is None and "PO box" in b.geocode_note
        assert by_key["c"].geocode_status == "ok" and "name" in by_key["c"].geocode_note
        m = by_key["m"]
        assert (m.geocode_status, m.latitude, m.longitude) == ("manual", 53.5, -113.5)
        again = geocode_locations(s, list(by_key.values()))
        assert again.skipped_unchanged == 3 and not again.by_method
        # A changed address is geocoded again, and its old pin does not survive.
        a.addresses[0].address_1 = "PO Box 9"
        changed = geocode_locations(s, [a])
        assert changed.needs_attention == 1 and a.latitude is None


def test_online_answers_are_cached_in_the_database(db):
    server = start()
    try:
        online = OnlineGeocoder(server.url, "elip-tests/0.1", timeout=0.5, retries=0)
        with db.session() as s:
            _add(s, "x", "Fort Edmonton Park", "T5J 2V4")
        with db.session() as s:
            locs = s.execute(select(Location)).scalars().all()
            assert geocode_locations(s, locs, online=online).by_method["online"] == 1
            assert s.execute(select(GeocodeCache)).scalars().one().method == "online"
        with db.session() as s:
            locs = s.execute(select(Location)).scalars().all()
            assert geocode_locations(s, locs, online=online, force=True).by_method["online"] == 1
        assert len(server.requests) == 1     # the second run came from the cache
    finally:
        server.shutdown()
        server.server_close()


def test_geocode_command_summary_and_attention_list(sqlite_db, tmp_path, monkeypatch):
    with sqlite_db.session() as s:
        _add(s, "a", "10310 102 Avenue")
        _add(s, "b", "PO Box 1234", name="Mailing <b>address</b>")
    monkeypatch.setenv("DATABASE_URL", str(sqlite_db.engine.url))
    monkeypatch.delenv("ELIP_GEOCODER_URL", raising=False)
    result = CliRunner().invoke(cli, ["geocode", "--list-attention"])
    assert result.exit_code == 0, result.output
    assert "placed 1 location(s): grid 1" in result.output
    assert "needs attention 1" in result.output
    assert "Test Org | Mailing <b>address</b> | PO Box 1234" in result.output
    assert "PO box" in result.output
    # New pins reach the map and coverage caches (directory version) and the staff audit log.
    from elip_map.directory.audit import audit_entries
    from elip_map.directory.storage import directory_version

    with sqlite_db.session() as s:
        assert directory_version(s) == 1
        (entry,) = audit_entries(s, action="geocode")
        assert entry.after["placed"] == {"grid": 1} and entry.after["needs_attention"] == 1
    again = CliRunner().invoke(cli, ["geocode"])
    assert "unchanged (skipped): 2" in again.output
    with sqlite_db.session() as s:
        assert directory_version(s) == 1 and len(audit_entries(s, action="geocode")) == 1


def test_geocode_file_contract(tmp_path, monkeypatch):
    monkeypatch.delenv("ELIP_GEOCODER_URL", raising=False)
    src = tmp_path / "in.csv"
    src.write_text("\ufeffname,address,postal_code,city\n"
                   "A,10310 102 Avenue NW,T5J 2R7,Edmonton\n"
                   "B,118 Avenue and 82 Street,,\n"
                   "C,PO Box 1234,,Edmonton\n"
                   "D,5 St Anne St,,St. Albert\n"
                   "E,,T5J 2R7,\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["geocode-file", str(src), str(out)])
    assert result.exit_code == 0, result.output
    with open(out, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    assert reader.fieldnames == ["name", "address", "postal_code", "city", "lat", "lon", "method", "precision_m", "status"]
    assert [r["status"] for r in rows] == ["ok", "ok", "needs-attention", "ok", "needs-attention"]
    assert rows[0]["method"] == "grid" and 53.5 < float(rows[0]["lat"]) < 53.6 and float(rows[0]["precision_m"]) > 0
    # A neighbouring town is placed at its centre (the precision says how rough that is).
    assert rows[3]["method"] == "municipality" and float(rows[3]["precision_m"]) >= 1000
    for r in (rows[2], rows[4]):
        assert r["lat"] == "" and r["lon"] == ""
    assert rows[1]["name"] == "B" and rows[1]["address"] == "118 Avenue and 82 Street"


def test_geocode_file_without_address_column_says_so(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("street\n10310 102 Avenue\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["geocode-file", str(src), str(tmp_path / "out.csv")])
    assert result.exit_code != 0
    assert "no 'address' column" in result.output
    assert not (tmp_path / "out.csv").exists()


def test_the_samples_city_hall_listing_lands_on_the_map_at_city_hall(tmp_path, monkeypatch):
    """Through the real import and geocode path: the bundled sample's listing with no street address,
    "Citizen and New Arrival Information Centre, City Hall", is on the public map at City Hall (the
    gazetteer's row, read here), and the vague "Office in downtown Edmonton" still is not."""
    from pathlib import Path

    from elip_map.directory.listings import load_listings
    from elip_map.directory.storage import open_database
    from elip_map.geocoding.grid import haversine_m
    from elip_map.importers.sample import load_sample_if_empty

    monkeypatch.delenv("ELIP_GEOCODER_URL", raising=False)
    with open(Path(__file__).resolve().parents[2] / "geodata" / "gazetteer.csv", newline="", encoding="utf-8") as fh:
        hall = next(r for r in csv.DictReader(fh) if r["name"] == "City Hall")
    database = open_database(f"sqlite:///{tmp_path / 'sample.sqlite3'}")
    try:
        assert load_sample_if_empty(database)
        with database.session() as s:
            on_map = {l["name"]: l for l in load_listings(s)}
            loc = s.execute(select(Location).where(
                Location.name == "Citizen and New Arrival Information Centre, City Hall")).scalar_one()
            assert loc.physical_address is None or not loc.physical_address.address_1   # no street address
            assert (loc.geocode_method, loc.geocode_precision_m) == ("place", float(hall["precision_m"]))
            assert "City Hall" in loc.geocode_note and loc.neighbourhood_name
    finally:
        database.dispose()
    listing = on_map["Citizen and New Arrival Information Centre, City Hall"]
    assert float(haversine_m(listing["lat"], listing["lon"], float(hall["lat"]), float(hall["lon"]))) < 5
    assert "Office in downtown Edmonton" not in on_map
    # Its card routes a person to the pin, not to "Edmonton, AB" (the city centre, 1 km or more away).
    from elip_map.components.card import listing_card

    links = [c.href for c in walk(listing_card(listing)) if getattr(c, "children", None) == "Directions"]
    assert len(links) == 1
    dest = links[0].split("destination=", 1)[1].split("%2C")
    assert float(haversine_m(float(dest[0]), float(dest[1]), float(hall["lat"]), float(hall["lon"]))) < 5



def test_a_location_with_no_street_address_is_placed_again_when_its_name_changes(db):
    # Its name is what the geocoder reads: an unchanged address does not mean an unchanged geocode.
    with db.session() as s:
        _add(s, "n", None, name="Information desk")
    with db.session() as s:
        loc = s.execute(select(Location)).scalars().one()
        assert geocode_locations(s, [loc]).needs_attention == 1
        assert geocode_locations(s, [loc]).skipped_unchanged == 1
        loc.name = "Information desk, City Hall"
        again = geocode_locations(s, [loc])
        assert again.by_method["place"] == 1 and loc.latitude is not None
