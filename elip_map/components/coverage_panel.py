"""Pure builders for the coverage page: colour classes, legend, table rows, details, explanations.

No callback context and no database here: each function takes plain values (the ranked table, a
measure name) and returns plain data or Dash components, so unit tests call them directly. All text
reaches the page as component children, which React escapes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from dash import html

from ..directory.languages import language_name
from ..directory.taxonomy import BY_SLUG

# Viridis in five steps, darkest first: sequential, readable with the common colour-vision deficiencies
# and in greyscale print.
PALETTE = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
NO_DATA = "#bdbdbd"
ATTRIBUTION = "Contains information licensed under the Open Government Licence – City of Edmonton."
SOURCES = (
    "Service locations: the ELIP partner directory (public listings, geocoded).",
    "Residents who are not Canadian citizens: 2021 federal census by neighbourhood, City of Edmonton Open Data.",
    "Dwelling units by language: 2016 municipal census by neighbourhood, City of Edmonton Open Data.",
    "Neighbourhood boundaries: City of Edmonton Open Data (simplified for the map).",
)


@dataclass(frozen=True)
class Measure:
    label: str
    worse_when_high: bool
    missing_label: str
    decimals: int


MEASURES: dict[str, Measure] = {
    "gap_index": Measure("Gap index: demand short of the city-wide access", True, "No census figure", 0),
    "access_score": Measure("Access score: services per 1,000 people within reach (2SFCA)", False,
                            "No census figure", 2),
    "nearest_km": Measure("Distance to the nearest matching service (km)", True, "No matching service anywhere", 2),
    "services_within_catchment": Measure("Matching services within the catchment", False, "No figure", 0),
    "demand": Measure("Demand (people or dwellings, see the note)", True, "No census figure", 0),
}
DEFAULT_MEASURE = "gap_index"


def _fmt(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


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


def zone_colours(table: pd.DataFrame, measure: str) -> tuple[dict[str, str], html.Div]:
    """The choropleth's colour per neighbourhood number, and its legend."""
    spec = MEASURES[measure]
    values = table[measure].tolist()
    bins, cls, colours = classify(values, spec.worse_when_high)
    numbers = table["neighbourhood_number"].tolist()
    fill = {n: (colours[c] if c >= 0 else NO_DATA) for n, c in zip(numbers, cls.tolist())}
    items = [
        html.Li([html.Span(className="coverage-swatch", style={"backgroundColor": colour}),
                 f"{_fmt(lo, spec.decimals)} – {_fmt(hi, spec.decimals)}"])
        for (lo, hi), colour in zip(bins, colours)
    ]
    if (cls < 0).any():
        items.append(html.Li([html.Span(className="coverage-swatch", style={"backgroundColor": NO_DATA}),
                              f"{spec.missing_label} ({int((cls < 0).sum())})"]))
    legend = html.Div([
        html.P(spec.label, className="coverage-legend-title"),
        html.P("Darkest = worst served." if measure != "demand" else "Darkest = most demand.",
               className="coverage-legend-hint"),
        html.Ul(items, className="coverage-legend-items"),
    ])
    return fill, legend


TABLE_COLUMNS = [
    ("gap_rank", "Gap rank", "numeric"),
    ("neighbourhood", "Neighbourhood", "text"),
    ("ward", "Ward", "text"),
    ("demand", "Demand", "numeric"),
    ("nearest_km", "Nearest (km)", "numeric"),
    ("services_within_catchment", "In reach", "numeric"),
    ("access_score", "Access score", "numeric"),
    ("gap_index", "Gap index", "numeric"),
]


def table_columns() -> list[dict]:
    return [{"id": c, "name": name, "type": kind} for c, name, kind in TABLE_COLUMNS]


def table_records(table: pd.DataFrame) -> list[dict]:
    """Rows for the DataTable: JSON-ready (missing -> None), ``id`` = neighbourhood number."""
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


def view_title(service: str, language: str | None, catchment_km: float, method: str = "2sfca") -> str:
    """'Language training in Arabic, 2 km catchment' (plus ', enhanced 2SFCA' for that method)."""
    label = BY_SLUG[service].label if service in BY_SLUG else service
    lang = f" in {language_name(language)}" if language else ""
    how = ", enhanced 2SFCA" if method == "e2sfca" else ""
    return f"{label}{lang}, {catchment_km:g} km catchment{how}"


def summary_text(table: pd.DataFrame) -> str:
    """One line under the title: how many ranked, how many grey, the city-wide access score."""
    ranked = int(table["gap_rank"].notna().sum())
    grey = len(table) - ranked
    city = table.attrs.get("city_access")
    city_text = f"City-wide access: {city:.3g} services per 1,000." if city is not None else \
        "No matching service reaches anyone."
    return (f"{ranked} neighbourhoods ranked, {grey} without a census figure. {city_text} "
            f"Demand: {table.attrs.get('demand_label', '')}.")


def details(table: pd.DataFrame, number: str | None, nearest: list[dict]) -> list:
    """The clicked neighbourhood's figures and its nearest matching services."""
    if not number:
        return [html.P("Click a neighbourhood on the map or in the table to see its figures and nearest services.")]
    rows = table[table["neighbourhood_number"] == number]
    if rows.empty:
        return [html.P("That neighbourhood is not in the reference data.")]
    row = rows.iloc[0]

    def show(key: str, decimals: int, missing: str = "no census figure") -> str:
        value = row[key]
        return missing if value is None or pd.isna(value) else _fmt(float(value), decimals)

    facts = [
        ("Gap rank", show("gap_rank", 0, "unranked (no census figure)")),
        ("Demand", show("demand", 0)),
        ("Nearest matching service", show("nearest_km", 2, "none in the directory") + (" km" if pd.notna(row["nearest_km"]) else "")),
        ("Services within the catchment", show("services_within_catchment", 0)),
        ("Access score (per 1,000)", show("access_score", 2)),
        ("Gap index", show("gap_index", 0)),
    ]
    near = [html.Li([html.Span(n["label"], className="coverage-near-label"), " — ",
                     *([n["address"], " — "] if n.get("address") else []), f"{n['km']:.2f} km"])
            for n in nearest]
    return [
        html.H3(f"{row['neighbourhood']} ({row['neighbourhood_number']})"),
        html.Dl([part for label, value in facts for part in (html.Dt(label), html.Dd(value))],
                className="coverage-facts"),
        html.H4("Nearest matching services"),
        html.Ol(near) if near else html.P("No matching service anywhere in the directory."),
    ]


def how_to_read() -> html.Details:
    """The methods in plain words: what each figure means, which census, its year and its limits."""
    return html.Details([
        html.Summary("How to read this"),
        html.P("Each neighbourhood is measured from one point inside it (its representative point; the open "
               "data has no population below the neighbourhood to weight it by). Distances are straight "
               "lines in kilometres, not travel routes."),
        html.Ul([
            html.Li("Demand: residents who are not Canadian citizens (2021 federal census). When you pick a "
                    "language the census counted (Arabic, Cantonese, French, German, Mandarin, Punjabi, "
                    "Spanish, Tagalog, Ukrainian), demand is the dwelling units where it is spoken (2016 "
                    "municipal census): older, and counting homes rather than people."),
            html.Li("Nearest: the straight-line distance to the closest location offering the service "
                    "(in the language, if one is picked)."),
            html.Li("In reach: how many matching services lie within the catchment distance."),
            html.Li("Access score (two-step floating catchment area): each service is shared among the people "
                    "living within the catchment of it; a neighbourhood's score adds up its shares of every "
                    "service within its catchment, per 1,000 people. A higher score means fewer people compete "
                    "for each service nearby. The enhanced variant (E2SFCA) lets nearer services count more: "
                    "a Gaussian weight, 1 at the neighbourhood's point, falling to 0 at the catchment's edge."),
            html.Li("Gap index = the neighbourhood's demand × how far its access score falls short of the "
                    "city-wide average, as a share (0 when at or above the average, all of its demand when no "
                    "service is in reach). It reads as people short of the city-wide level of service. "
                    "Gap rank 1 is the largest gap; ties go to the neighbourhood farther from a service."),
            html.Li("Grey neighbourhoods have no census figure: the census used older boundaries, so "
                    "neighbourhoods created since (and a few whose figures were withheld) cannot be ranked."),
        ]),
        html.P("The directory lists only services partners have told ELIP about; a gap can mean a missing listing."),
    ], className="coverage-help", open=True)


def print_header(title: str, today: dt.date | None = None) -> list:
    """Title, date, data sources and attribution: shown when printing (and in small type on screen)."""
    today = today or dt.date.today()
    return [
        html.P(f"ELIP Service Map — coverage: {title}", className="coverage-print-heading"),
        html.P(f"Printed {today.isoformat()}."),
        html.Ul([html.Li(s) for s in SOURCES]),
        html.P(ATTRIBUTION),
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
