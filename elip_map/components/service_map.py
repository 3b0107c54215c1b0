"""The newcomer map: clustered locations, the selected pin, the "near" point and neighbourhood outlines.

Filtering never touches this component from the server (clustering and ``filter=`` do not mix,
dash-leaflet issue #274). The browser hands the first result to ``data``; after that, filter changes
reload the supercluster index that dash-leaflet passes to ``clusterToLayer`` and move the markers in
place (``showPoints`` in ``assets/elip_map.js``), which keeps a change on 10,000 locations well under
50 ms (``bench/bench_filter.py``). Function props point at hand-written code in that file.
"""

from __future__ import annotations

import dash_leaflet as dl
from dash_extensions.javascript import Namespace

from .. import ids
from ..i18n import N_, translator
from ..rules.region import EDMONTON_CENTER

# A constant object: a new one would make dash-leaflet rebuild the cluster index.
SUPERCLUSTER_OPTIONS = {"radius": 60, "maxZoom": 15}
CITY_ATTRIBUTION = N_("Contains information licensed under the Open Government Licence – City of Edmonton.")


# Function props point at hand-written functions in assets/elip_map.js (window.elip.map.*).
js = Namespace("elip", "map")


def service_map(ui: str, tile_url: str | None, tile_attribution: str, has_boundaries: bool,
                boundaries_url: str | None = "/api/neighbourhoods.geojson") -> dl.Map:
    """The map; without tiles (offline, tests) the outlines are on by default so it still shows where you are."""
    _ = translator(ui)
    hoods = dl.GeoJSON(id=ids.HOME_MAP_HOODS, url=boundaries_url if has_boundaries else None,
                       style=js("hoodStyle"), options={"interactive": False}, attribution=_(CITY_ATTRIBUTION))
    layers = []
    if tile_url:
        # No address yet: the page gives it (from ids.HOME_TILE_URL) once the list is on screen on a phone,
        # at once on a wide screen (assets/elip_map.js, tilesFor), so tiles never compete with the list.
        layers.append(dl.BaseLayer(dl.TileLayer(id=ids.HOME_MAP_TILES, url="", attribution=tile_attribution, maxZoom=19),
                                   name=_("Street map"), checked=True))
    if has_boundaries:
        layers.append(dl.Overlay(dl.LayerGroup(hoods), name=_("Neighbourhood boundaries"), checked=not tile_url))
    children = [dl.LayersControl(layers, position="topright")] if layers else []
    children += [
        dl.GeoJSON(id=ids.HOME_MAP_POINTS, cluster=True, zoomToBoundsOnClick=True,
                   superClusterOptions=SUPERCLUSTER_OPTIONS, pointToLayer=js("pointToLayer"),
                   clusterToLayer=js("clusterToLayer"),
                   data={"type": "FeatureCollection", "features": []}),
        dl.GeoJSON(id=ids.HOME_MAP_NEAR, pointToLayer=js("nearToLayer"), interactive=False,
                   data={"type": "FeatureCollection", "features": []}),
        dl.GeoJSON(id=ids.HOME_MAP_SELECTED, pointToLayer=js("selectedToLayer"), interactive=False,
                   data={"type": "FeatureCollection", "features": []}),
        dl.ScaleControl(position="bottomleft", imperial=False),
    ]
    # Leaflet's zoom and layers buttons have English titles and no prop for them: assets/elip_map.js
    # (translateMapControls) gives them the reader's words ("Zoom in", "Zoom out", "Map layers" in home.py).
    return dl.Map(children, id=ids.HOME_MAP, center=EDMONTON_CENTER, zoom=11, minZoom=9, maxZoom=19,
                  className="elip-map", attributionControl=True)
