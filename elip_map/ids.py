"""Component ids of the app shell and the newcomer page: one constant per id, kebab-case, page-prefixed.

Tests, callbacks and ``assets/elip_map.js`` refer to these names; the two contract ids
(``result-count`` and the ``data-location-id`` attribute) are fixed by the command contract.
"""

# App shell
SHELL_NAV = "shell-nav"
SHELL_BANNER = "shell-banner"
SHELL_FOOTER = "shell-footer"
SHELL_DIR_SINK = "shell-dir-sink"

# Newcomer page ("/")
HOME_DATA = "home-data"                  # dcc.Store: the whole feature collection, fetched once
HOME_DATA_URL = "home-data-url"          # dcc.Store: where to fetch it (versioned)
HOME_LABELS = "home-labels"              # dcc.Store: translated strings and names for the browser
HOME_NEAR = "home-near"                  # dcc.Store: {"lat", "lon", "label"} of the "near" point
HOME_NEAR_MESSAGE = "home-near-message"
HOME_NEAR_INPUT = "home-near-input"
HOME_NEAR_BUTTON = "home-near-button"
HOME_NEAR_CLEAR = "home-near-clear"
HOME_LOCATE_BUTTON = "home-locate-button"
HOME_FILTER_SERVICE = "home-filter-service"
HOME_FILTER_LANG = "home-filter-lang"
HOME_FILTER_HOOD = "home-filter-hood"
HOME_FILTER_TEXT = "home-filter-text"
HOME_FILTER_OPEN = "home-filter-open"
HOME_FILTER_DAY = "home-filter-day"
HOME_FILTER_STATUS = "home-filter-status"
HOME_CLEAR_FILTERS = "home-clear-filters"
HOME_WIDEN = "home-widen"
HOME_EMPTY = "home-empty"
HOME_RESULT_COUNT = "result-count"       # contract: checks read the count here
HOME_RESULTS = "home-results"
HOME_MORE = "home-more"
HOME_LIMIT = "home-limit"
HOME_SELECTED = "home-selected"
HOME_URL = "home-url"                    # dcc.Location of the page: filters <-> query string
HOME_VIEW_TOGGLE = "home-view-toggle"
HOME_LAYOUT = "home-layout"
HOME_MAP = "home-map"
HOME_MAP_POINTS = "home-map-points"
HOME_MAP_SELECTED = "home-map-selected"
HOME_MAP_NEAR = "home-map-near"
HOME_MAP_HOODS = "home-map-hoods"
HOME_MAP_TILES = "home-map-tiles"
HOME_TILE_URL = "home-tile-url"
HOME_TILE_SINK = "home-tile-sink"   # output of the clientside step that hands the tile layer its address
HOME_UNPLACED = "home-unplaced"
HOME_STATUS = "home-status"

# Attribute carried by every result in the list (contract).
LOCATION_ATTR = "data-location-id"
