"""A card's "Website", "Directions" and "Show on map" are the same words on every card: a screen reader's
list of links must still tell them apart, so each name says whose it is, starting with the words shown."""

from __future__ import annotations

from elip_map.components.card import listing_card
from components_kit import walk

LISTING = {"id": "loc-7", "organization": "Africa Centre", "name": "Main office", "lat": 53.59, "lon": -113.53,
           "address": "11808 St Albert Trail NW", "website": "https://africacentre.example.org",
           "phones": [{"display": "780-455-0000", "tel": "+17804550000"}]}



def _actions(card):
    return {c.children: c.to_plotly_json()["props"].get("aria-label") for c in walk(card)
            if "elip-action" in (getattr(c, "className", "") or "") and isinstance(c.children, str)}


def test_action_names_say_whose_they_are_in_the_readers_language():
    assert _actions(listing_card(LISTING, "en")) == {
        "Website": "Website – Africa Centre – Main office",
        "Directions": "Directions – Africa Centre – Main office",
        "Show on map": "Show on map – Africa Centre – Main office",
    }
    arabic = _actions(listing_card(LISTING, "ar"))
    assert len(arabic) == 3
    assert all(name.startswith(f"{shown} – ") and name.endswith("Africa Centre – Main office")
               for shown, name in arabic.items())
    assert "Website" not in arabic  # the shown words are Arabic


def test_a_listing_without_names_keeps_its_plain_words():
    bare = {**LISTING, "organization": "", "name": ""}
    assert set(_actions(listing_card(bare)).values()) == {None}
