"""Pure builders for the coverage page: colour classes, legend, table rows, details, explanations.

No callback context and no database here: each function takes plain values (the ranked table, a
measure name) and returns plain data or Dash components, so unit tests call them directly. All text
reaches the page as component children, which React escapes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from dash import html

from ..directory.languages import language_name
from ..directory.taxonomy import BY_SLUG
from ..i18n import N_, format_date, format_number, text_direction, translator

if TYPE_CHECKING:  # imported where used: heavy, and a web worker never needs them
    import pandas as pd

# Viridis in five steps, darkest first: sequential, readable with the common colour-vision deficiencies
# and in greyscale print.
PALETTE = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
NO_DATA = "#bdbdbd"
# Message ids (English): every function below takes the reader's ``ui`` and translates them.
ATTRIBUTION = N_("Contains information licensed under the Open Government Licence – City of Edmonton.")
SOURCES = (
    N_("Service locations: the ELIP partner directory (public listings, geocoded)."),
    N_("Residents who are not Canadian citizens: 2021 federal census by neighbourhood, City of Edmonton Open Data."),
    N_("Dwelling units by language: 2016 municipal census by neighbourhood, City of Edmonton Open Data."),
    N_("Neighbourhood boundaries: City of Edmonton Open Data (simplified for the map)."),
)


@dataclass(frozen=True)
class Measure:
    label: str
    worse_when_high: bool
    missing_label: str
    decimals: int


MEASURES: dict[str, Measure] = {
    "gap_index": Measure(N_("Gap index: demand short of the city-wide access"), True, N_("No census figure"), 0),
    "access_score": Measure(N_("Access score: services per 1,000 people within reach (2SFCA)"), False,
                            N_("No census figure"), 2),
    "nearest_km": Measure(N_("Distance to the nearest matching service (km)"), True,
                          N_("No matching service anywhere"), 2),
    "services_within_catchment": Measure(N_("Matching services within the catchment"), False, N_("No figure"), 0),
    "demand": Measure(N_("Demand (people or dwellings, see the note)"), True, N_("No census figure"), 0),
}
DEFAULT_MEASURE = "gap_index"

READING_GUIDE = (  # "How to read this": what each figure means, which census, its year and its limits
    N_("Demand: residents who are not Canadian citizens (2021 federal census). When you pick a "
       "language the census counted (Arabic, Cantonese, French, German, Mandarin, Punjabi, "
       "Spanish, Tagalog, Ukrainian), demand is the dwelling units where it is spoken (2016 "
       "municipal census): older, and counting homes rather than people."),
    N_("Nearest: the straight-line distance to the closest location offering the service "
       "(in the language, if one is picked)."),
    N_("In reach: how many matching services lie within the catchment distance."),
    N_("Access score (two-step floating catchment area): each service is shared among the people "
       "living within the catchment of it; a neighbourhood's score adds up its shares of every "
       "service within its catchment, per 1,000 people. A higher score means fewer people compete "
       "for each service nearby. The enhanced variant (E2SFCA) lets nearer services count more: "
       "a Gaussian weight, 1 at the neighbourhood's point, falling to 0 at the catchment's edge."),
    N_("Gap index = the neighbourhood's demand × how far its access score falls short of the "
       "city-wide average, as a share (0 when at or above the average, all of its demand when no "
       "service is in reach). It reads as people short of the city-wide level of service. "
       "Gap rank 1 is the largest gap; ties go to the neighbourhood farther from a service."),
    N_("Grey neighbourhoods have no census figure: the census used older boundaries, so "
       "neighbourhoods created since (and a few whose figures were withheld) cannot be ranked."),
)


def _fmt(value: float, decimals: int, ui: str = "en") -> str:
    """A figure as the reader's language writes numbers ('1,234.5' in English, '1 234,5' in French)."""
    return format_number(value, ui, digits=decimals)


def classify(values: Sequence[float], worse_when_high: bool, classes: int = 5) -> tuple[list[tuple[float, float]], np.ndarray, list[str]]:
    """Quantile classes of the known values, the class of each value (-1: missing), and their colours.

    The darkest colour always marks the worst-served class, whichever way the measure runs. Ties
    collapse classes (many zones with 0 services give fewer classes, never empty ones).

    Example
    -------
    >>> bins, cls, colours = classify([0, 1, 2, 3, None], True, classes=2)
    >>> bins, cls.tolist(), colours
    ([(0.0, 1.5), (1.5, 3.0)], [0, 0, 1, 1, -1], ['#fde725', '#440154'])
    """
    import pandas as pd  # delayed: pandas is 33 MB in every web worker; only the coverage page reads tables
    arr = np.array([np.nan if v is None or v is pd.NA else v for v in values], dtype=float)
    known = arr[~np.isnan(arr)]
    if known.size == 0:
        return [], np.full(arr.shape, -1), []
    edges = np.unique(np.quantile(known, np.linspace(0, 1, classes + 1)))
    if edges.size == 1:
        edges = np.array([edges[0], edges[0]])
    k = edges.size - 1
    cls = np.clip(np.searchsorted(edges[1:-1], arr, side="right"), 0, k - 1)
    cls = np.where(np.isnan(arr), -1, cls)
    steps = [PALETTE[int(round(i))] for i in np.linspace(0, len(PALETTE) - 1, k)] if k > 1 else [PALETTE[0]]
    colours = steps[::-1] if worse_when_high else steps      # colour of class 0 (lowest values) first
    bins = [(float(edges[i]), float(edges[i + 1])) for i in range(k)]
    return bins, cls, colours


def zone_colours(table: pd.DataFrame, measure: str, ui: str = "en") -> tuple[dict[str, str], html.Div]:
    """The choropleth's colour per neighbourhood number, and its legend."""
    _ = translator(ui)
    spec = MEASURES[measure]
    values = table[measure].tolist()
    bins, cls, colours = classify(values, spec.worse_when_high)
    numbers = table["neighbourhood_number"].tolist()
    fill = {n: (colours[c] if c >= 0 else NO_DATA) for n, c in zip(numbers, cls.tolist())}
    items = [
        html.Li([html.Span(className="coverage-swatch", style={"backgroundColor": colour}),
                 html.Bdi(f"{_fmt(lo, spec.decimals, ui)} – {_fmt(hi, spec.decimals, ui)}", dir="ltr")])
        for (lo, hi), colour in zip(bins, colours)
    ]
    if (cls < 0).any():
        items.append(html.Li([html.Span(className="coverage-swatch", style={"backgroundColor": NO_DATA}),
                              f"{_(spec.missing_label)} ({int((cls < 0).sum())})"]))
    legend = html.Div([
        html.P(_(spec.label), className="coverage-legend-title"),
        html.P(_("Darkest = worst served.") if measure != "demand" else _("Darkest = most demand."),
               className="coverage-legend-hint"),
        html.Ul(items, className="coverage-legend-items"),
    ])
    return fill, legend


TABLE_COLUMNS = [
    ("gap_rank", N_("Gap rank"), "numeric"),
    ("neighbourhood", N_("Neighbourhood"), "text"),
    ("ward", N_("Ward"), "text"),
    ("demand", N_("Demand"), "numeric"),
    ("nearest_km", N_("Nearest (km)"), "numeric"),
    ("services_within_catchment", N_("In reach"), "numeric"),
    ("access_score", N_("Access score"), "numeric"),
    ("gap_index", N_("Gap index"), "numeric"),
]


def table_columns(ui: str = "en") -> list[dict]:
    """Reversed for right-to-left readers: the table's frame is kept left-to-right (Dash's DataTable
    breaks in a right-to-left box, see coverage.css), so the rank must be listed last to sit at the right,
    where an Arabic or Persian reader starts."""
    _ = translator(ui)
    columns = [{"id": c, "name": _(name), "type": kind} for c, name, kind in TABLE_COLUMNS]
    return columns[::-1] if text_direction(ui) == "rtl" else columns


def table_records(table: pd.DataFrame) -> list[dict]:
    """Rows for the DataTable: JSON-ready (missing -> None), ``id`` = neighbourhood number."""
    import pandas as pd  # delayed: as above
    frame = table.loc[:, [c for c, _n, _k in TABLE_COLUMNS] + ["neighbourhood_number"]].astype(object)
    frame = frame.where(pd.notna(frame), None)
    records = frame.to_dict("records")
    for r in records:
        r["id"] = r["neighbourhood_number"]
        for key, value in list(r.items()):
            if isinstance(value, (np.integer,)):
                r[key] = int(value)
            elif isinstance(value, (np.floating,)):
                r[key] = float(value)
    return records


def view_title(service: str, language: str | None, catchment_km: float, method: str = "2sfca", ui: str = "en") -> str:
    """'Language training in Arabic, 2 km catchment' (plus ', enhanced 2SFCA' for that method)."""
    _ = translator(ui)
    label = _(BY_SLUG[service].label) if service in BY_SLUG else service
    km = format_number(catchment_km, ui)
    if language:
        text = _("{service} in {language}, {km} km catchment", service=label, language=language_name(language, ui), km=km)
    else:
        text = _("{service}, {km} km catchment", service=label, km=km)
    return text + (_(", enhanced 2SFCA") if method == "e2sfca" else "")


def demand_words(table: pd.DataFrame, ui: str = "en") -> tuple[str, str]:
    """What the view counts as demand, and the note on its limits, in the reader's language (the table's
    own ``demand_label``/``demand_note`` stay English for the command line and the CSV)."""
    _ = translator(ui)
    kind, missing = table.attrs.get("demand_kind", "newcomers"), int(table.attrs.get("demand_missing") or 0)
    name = language_name(table.attrs["language"], ui) if table.attrs.get("language") else ""
    grey = _.ngettext("{n} neighbourhood has no census figure (newer than the census, or a figure withheld): grey, "
                      "unranked.", "{n} neighbourhoods have no census figure (newer than the census, or a figure "
                      "withheld): grey, unranked.", missing)
    if kind == "dwellings":
        return (_("Dwelling units where {language} is spoken (2016 municipal census)", language=name),
                _("The language figures are from the 2016 municipal census, five years older than the 2021 "
                  "citizenship figures, and count dwellings, not people.") + " " + grey)
    label = _("Residents who are not Canadian citizens (2021 federal census)")
    if kind == "no-language-figure":
        return label, _("The census has no figure for {language}: demand is all residents who are not Canadian "
                        "citizens (2021).", language=name) + " " + grey
    return label, _("2021 federal census figures on the census's neighbourhood boundaries.") + " " + grey


def summary_text(table: pd.DataFrame, ui: str = "en") -> str:
    """One line under the title: how many ranked, how many grey, the city-wide access score."""
    _ = translator(ui)
    ranked = int(table["gap_rank"].notna().sum())
    grey = len(table) - ranked
    city = table.attrs.get("city_access")
    city_text = _("City-wide access: {value} services per 1,000.", value=format_number(float(f"{city:.3g}"), ui)) \
        if city is not None else _("No matching service reaches anyone.")
    return " ".join([_.ngettext("{n} neighbourhood ranked,", "{n} neighbourhoods ranked,", ranked),
                     _.ngettext("{n} without a census figure.", "{n} without a census figure.", grey), city_text,
                     _("Demand: {label}.", label=demand_words(table, ui)[0])])


def details(table: pd.DataFrame, number: str | None, nearest: list[dict], ui: str = "en") -> list:
    """The clicked neighbourhood's figures and its nearest matching services."""
    import pandas as pd  # delayed: as above
    _ = translator(ui)
    if not number:
        return [html.P(_("Click a neighbourhood on the map or in the table to see its figures and nearest services."))]
    rows = table[table["neighbourhood_number"] == number]
    if rows.empty:
        return [html.P(_("That neighbourhood is not in the reference data."))]
    row = rows.iloc[0]

    def show(key: str, decimals: int, missing: str | None = None) -> str:
        value = row[key]
        if value is None or pd.isna(value):
            return missing or _("no census figure")
        return _fmt(float(value), decimals, ui)

    nearest_km = show("nearest_km", 2, _("none in the directory"))
    facts = [
        (_("Gap rank"), show("gap_rank", 0, _("unranked (no census figure)"))),
        (_("Demand"), show("demand", 0)),
        (_("Nearest matching service"),
         _("{km} km", km=nearest_km) if pd.notna(row["nearest_km"]) else nearest_km),
        (_("Services within the catchment"), show("services_within_catchment", 0)),
        (_("Access score (per 1,000)"), show("access_score", 2)),
        (_("Gap index"), show("gap_index", 0)),
    ]
    near = [html.Li([html.Span(n["label"], className="coverage-near-label", dir="auto"), " — ",
                     *([html.Bdi(n["address"], dir="ltr"), " — "] if n.get("address") else []),
                     _("{km} km", km=_fmt(n["km"], 2, ui))])
            for n in nearest]
    return [
        html.H3(f"{row['neighbourhood']} ({row['neighbourhood_number']})"),
        html.Dl([part for label, value in facts for part in (html.Dt(label), html.Dd(value))],
                className="coverage-facts"),
        html.H4(_("Nearest matching services")),
        html.Ol(near) if near else html.P(_("No matching service anywhere in the directory.")),
    ]


def how_to_read(ui: str = "en") -> html.Details:
    """The methods in plain words: what each figure means, which census, its year and its limits."""
    _ = translator(ui)
    return html.Details([
        html.Summary(_("How to read this")),
        html.P(_("Each neighbourhood is measured from one point inside it (its representative point; the open "
               "data has no population below the neighbourhood to weight it by). Distances are straight "
               "lines in kilometres, not travel routes.")),
        html.Ul([html.Li(_(text)) for text in READING_GUIDE]),
        html.P(_("The directory lists only services partners have told ELIP about; a gap can mean a missing "
                 "listing.")),
    ], className="coverage-help", open=True)


def print_header(title: str, today: dt.date | None = None, ui: str = "en") -> list:
    """Title, date, data sources and attribution: shown when printing (and in small type on screen)."""
    _ = translator(ui)
    today = today or dt.date.today()
    return [
        html.P(_("ELIP Service Map — coverage: {title}", title=title), className="coverage-print-heading"),
        html.P(_("Printed on {date}", date=format_date(today, ui))),
        html.Ul([html.Li(_(s)) for s in SOURCES]),
        html.P(_(ATTRIBUTION)),
    ]


def clicked_number(from_map: bool, click: dict | None, cell: dict | None) -> str | None:
    """The neighbourhood number from a map click (a GeoJSON feature) or a table cell (its row id)."""
    if from_map:
        props = (click or {}).get("properties") or {}
        number = props.get("number")
    else:
        number = (cell or {}).get("row_id")
    return str(number) if number not in (None, "") else None


def selected_outline(zones, number: str | None) -> dict:
    """A one-feature collection outlining the selected neighbourhood (empty when none)."""
    features = []
    if number and number in zones.number:
        i = zones.number.index(number)
        features.append({"type": "Feature", "id": number, "geometry": zones.geometry[i],
                         "properties": {"number": number}})
    return {"type": "FeatureCollection", "features": features}


def export_stem(service: str, language: str | None, catchment_km: float, method: str = "2sfca") -> str:
    """File name stem of an export: export_stem('housing', 'ar', 2.0) -> 'coverage_housing_ar_2km'."""
    parts = ["coverage", service] + ([language] if language else []) + [f"{catchment_km:g}km"]
    parts += ["e2sfca"] if method == "e2sfca" else []
    return "_".join(parts)
