"""One truth table for the compact locations feed, read by the Python and browser tests alike.

Each case: listings as the directory gives them, and the features a reader's page must end up with,
written out by hand (not produced by the encoder): the properties the GeoJSON feed carries less the
card details (``DETAILS``, what ``/api/details`` answers), ``sort`` = list position, ``geometry: None``
for a listing with no position yet.
"""

LISTINGS = [
    {"id": "loc-7", "organization": "Bridge Society", "name": "Main office", "address": "10010 107A Ave NW, Edmonton",
     "lat": 53.54812, "lon": -113.49763, "types": ["food", "housing"], "langs": ["ar", "en"],
     "services": ["Food bank"], "phones": [{"display": "780-424-7709", "tel": "+17804247709", "ext": "12"}],
     "website": "https://bridge.example.org", "accessibility": "Ramp at the back", "eligibility": "Newcomers",
     "fees": "Free", "hours": [[1, 540, 1020], [2, 540, 1020]], "hours_note": "Closed on holidays",
     "last_verified": "2026-02-01", "hood": "1010", "hood_name": "Boyle Street",
     "text": "bridge society main office food bank", "sort": "bridge society main office 000000007"},
    # The same organization again: organization name, website, hours, type and language sets are shared codes.
    {"id": "loc-12", "organization": "Bridge Society", "name": "", "address": "", "lat": 53.6, "lon": -113.4,
     "types": ["food", "housing"], "langs": ["ar", "en"], "services": [], "phones": [],
     "website": "https://bridge.example.org", "accessibility": "", "eligibility": "", "fees": "",
     "hours": [[1, 540, 1020], [2, 540, 1020]], "hours_note": "", "last_verified": None, "hood": "", "hood_name": "",
     "text": "bridge society", "sort": "bridge society 000000012"},
    # An organization known by another name too: its search text cannot be rebuilt, so it travels.
    {"id": "loc-3", "organization": "Édmonton Mosaïque", "name": "مركز", "address": "1 Rue", "lat": 53.40001,
     "lon": -113.70999, "types": ["health"], "langs": ["fr"], "services": ["Clinique"], "phones": [],
     "website": None, "accessibility": "", "eligibility": "", "fees": "", "hours": [], "hours_note": "",
     "last_verified": None, "hood": "2020", "hood_name": "Downtown",
     "text": "edmonton mosaique mosaic مركز clinique", "sort": "edmonton mosaique مركز 000000003"},
    # Not placed on the map yet (issue 12 lists these too): no position, still searchable.
    {"id": "loc-40", "organization": "Unplaced Org", "name": "Back office", "address": "Somewhere", "lat": None,
     "lon": None, "types": [], "langs": [], "services": [], "phones": [], "website": None, "accessibility": "",
     "eligibility": "", "fees": "", "hours": [], "hours_note": "", "last_verified": None, "hood": "",
     "hood_name": "", "text": "unplaced org back office", "sort": "unplaced org back office 000000040"},
]

FEATURES = [
    {"type": "Feature", "id": "loc-7", "geometry": {"type": "Point", "coordinates": [-113.49763, 53.54812]},
     "properties": {"id": "loc-7", "organization": "Bridge Society", "name": "Main office",
                    "types": ["food", "housing"], "langs": ["ar", "en"], "services": ["Food bank"],
                    "hours": [[1, 540, 1020], [2, 540, 1020]], "hood": "1010",
                    "hood_name": "Boyle Street", "text": "bridge society main office food bank", "sort": "0000000"}},
    {"type": "Feature", "id": "loc-12", "geometry": {"type": "Point", "coordinates": [-113.4, 53.6]},
     "properties": {"id": "loc-12", "organization": "Bridge Society", "types": ["food", "housing"],
                    "langs": ["ar", "en"], "hours": [[1, 540, 1020], [2, 540, 1020]], "text": "bridge society",
                    "sort": "0000001"}},
    {"type": "Feature", "id": "loc-3", "geometry": {"type": "Point", "coordinates": [-113.70999, 53.40001]},
     "properties": {"id": "loc-3", "organization": "Édmonton Mosaïque", "name": "مركز",
                    "types": ["health"], "langs": ["fr"], "services": ["Clinique"], "hood": "2020",
                    "hood_name": "Downtown", "text": "edmonton mosaique mosaic مركز clinique", "sort": "0000002"}},
    {"type": "Feature", "id": "loc-40", "geometry": None,
     "properties": {"id": "loc-40", "organization": "Unplaced Org", "name": "Back office",
                    "text": "unplaced org back office", "sort": "0000003"}},
]

# What /api/details gives for each listing: the card's details, empty ones left out.
DETAILS = {
    "loc-7": {"address": "10010 107A Ave NW, Edmonton",
              "phones": [{"display": "780-424-7709", "tel": "+17804247709", "ext": "12"}],
              "website": "https://bridge.example.org", "accessibility": "Ramp at the back", "eligibility": "Newcomers",
              "fees": "Free", "hours_note": "Closed on holidays", "last_verified": "2026-02-01"},
    "loc-12": {"website": "https://bridge.example.org"},
    "loc-3": {"address": "1 Rue"},
    "loc-40": {"address": "Somewhere"},
}
