"""Component ids of the coverage page ("/coverage"): kebab-case, page-prefixed; tests use these names."""

SERVICE = "coverage-service-select"
LANGUAGE = "coverage-language-select"
MEASURE = "coverage-measure-select"
CATCHMENT = "coverage-catchment-slider"
METHOD = "coverage-method-select"
MAP = "coverage-map"
ZONES = "coverage-zones"            # dl.GeoJSON: the choropleth (geometry sent once, colours via hideout)
PINS = "coverage-pins"              # dl.GeoJSON: service points, filtered in the browser via hideout
SELECTED_ZONE = "coverage-selected-zone"
LEGEND = "coverage-legend"
SUMMARY = "coverage-summary"
DEMAND_NOTE = "coverage-demand-note"
TABLE = "coverage-table"
LOAD = "coverage-load"              # dcc.Store: fires once per page load to fetch the map layers
SELECTED = "coverage-selected"      # dcc.Store: the neighbourhood number clicked on the map or table
DETAILS = "coverage-details"
DOWNLOAD_CSV = "coverage-download-csv"
DOWNLOAD_GEOJSON = "coverage-download-geojson"
DOWNLOAD = "coverage-download"
PRINT = "coverage-print"
PRINT_SINK = "coverage-print-sink"
RTL_SINK = "coverage-rtl-sink"     # dcc.Store: written by the clientside step that scrolls an RTL table to its start
PRINT_TITLE = "coverage-print-title"
