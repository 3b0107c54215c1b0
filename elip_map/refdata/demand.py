"""Demand per neighbourhood: census figures joined to the current boundaries on neighbourhood NUMBER.

The census tables use the boundaries of their year (2016: 388 neighbourhoods, 2021: 279), the map uses
today's 406. Names drift ("Chappelle Area" became "Chappelle"), numbers do not, so the join is on the
number. A current neighbourhood without a census row keeps EMPTY values (unknown is not zero) and says
why in a status column; census rows matching no current boundary are listed in demand_unmatched.csv.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .boundaries import Neighbourhood
from .sources import RefDataError

if TYPE_CHECKING:  # imported where used: heavy, and a web worker never needs them
    import pandas as pd

# 2016 municipal census language columns -> demand.csv columns. "North American Indigenous" groups
# many languages (Cree, Blackfoot, ...) and has no single ISO 639 code: it keeps a column of its own.
DWELLING_LANGUAGE_SOURCE_COLUMNS: dict[str, str] = {
    "English Only": "dwellings_english_only_2016",
    "Arabic": "dwellings_arabic_2016",
    "Cantonese": "dwellings_cantonese_2016",
    "French": "dwellings_french_2016",
    "German": "dwellings_german_2016",
    "Mandarin": "dwellings_mandarin_2016",
    "North American Indigenous": "dwellings_north_american_indigenous_2016",
    "Punjabi": "dwellings_punjabi_2016",
    "Spanish": "dwellings_spanish_2016",
    "Tagalog (Pilipino, Filipino)": "dwellings_tagalog_2016",
    "Ukrainian": "dwellings_ukrainian_2016",
    "Other": "dwellings_other_2016",
    "No Response": "dwellings_no_response_2016",
}
DWELLINGS_TOTAL_COLUMN = "dwellings_total_2016"

# ISO 639 code -> the demand.csv column counting dwellings where that language is spoken (2016).
# English is left out on purpose: the census counted "English only" dwellings, which is not the same
# question as "dwellings speaking English".
DWELLING_LANGUAGE_COLUMNS: dict[str, str] = {
    "ar": "dwellings_arabic_2016",
    "yue": "dwellings_cantonese_2016",
    "fr": "dwellings_french_2016",
    "de": "dwellings_german_2016",
    "zh": "dwellings_mandarin_2016",
    "pa": "dwellings_punjabi_2016",
    "es": "dwellings_spanish_2016",
    "tl": "dwellings_tagalog_2016",
    "uk": "dwellings_ukrainian_2016",
}
INDIGENOUS_LANGUAGES_COLUMN = "dwellings_north_american_indigenous_2016"

NOT_CITIZENS = "Not Canadian citizens"
CITIZENS = "Canadian citizens"
BROAD_AGE_GROUPS = ("0 to 14 years", "15 to 64 years", "65 years and over")

DEMAND_COLUMNS = (
    ["neighbourhood_number", "neighbourhood", "ward", "district",
     "population_2021", "not_canadian_citizens_2021", "citizenship_total_2021", "census_2021_status"]
    + list(DWELLING_LANGUAGE_SOURCE_COLUMNS.values()) + [DWELLINGS_TOTAL_COLUMN, "census_2016_status"]
)
# Census numbers that the City has since replaced by a new number for the same neighbourhood: the old
# row is joined to its successor (status "renumbered") instead of leaving a dense newcomer area blank.
# Oliver (1150) was renamed Wîhkwêntôwin and renumbered 1151; census tables of 2016 and 2021 use 1150.
RENUMBERED: dict[str, str] = {"1150": "1151"}

# Status values: matched = figures present; renumbered = figures of the predecessor number (RENUMBERED);
# no_census_row = the census has no row with this number
# (usually a newer neighbourhood); suppressed = the row exists but its figures are blank in the source.
MATCHED, RENUMBERED_STATUS, NO_ROW, SUPPRESSED = "matched", "renumbered", "no_census_row", "suppressed"

UNMATCHED_COLUMNS = ["table", "neighbourhood_number", "neighbourhood", "problem"]
CENSUS_ONLY = "census neighbourhood with no current boundary"
BOUNDARY_ONLY = "current neighbourhood with no census row"
JOINED_TO_SUCCESSOR = "census number replaced by the City: joined to neighbourhood {new}"


@dataclass(frozen=True)
class DemandTables:
    demand: pd.DataFrame
    unmatched: pd.DataFrame
    counts: dict  # table -> {"census_rows", "matched", "census_only", "boundary_only"}


def _read_csv(path: Path, required: list[str], encoding: str = "utf-8-sig") -> pd.DataFrame:
    import pandas as pd  # delayed: pandas is 33 MB in every web worker; only builds and coverage read tables
    path = Path(path)
    try:
        text = path.read_text(encoding=encoding)
    except UnicodeDecodeError as exc:
        raise RefDataError(f"{path.name} is not UTF-8 text: {exc}") from None
    # pandas quietly fills a short last line with blanks; a truncated download must be refused instead.
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if not header:
        raise RefDataError(f"{path.name} is empty.")
    for line, row in enumerate(rows, start=2):
        if row and len(row) != len(header):
            raise RefDataError(f"{path.name}: line {line} has {len(row)} fields, the header {len(header)} "
                               "(the file may be truncated).")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise RefDataError(f"{path.name} could not be read as CSV: {exc}") from None
    frame.columns = [c.strip() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise RefDataError(f"{path.name} lacks the columns {', '.join(missing)}.")
    if frame.empty:
        raise RefDataError(f"{path.name} has no rows.")
    frame["Neighbourhood Number"] = frame["Neighbourhood Number"].str.strip()
    bad = frame.loc[~frame["Neighbourhood Number"].str.fullmatch(r"\d+"), "Neighbourhood Number"]
    if not bad.empty:
        raise RefDataError(f"{path.name} has a neighbourhood number that is not a number: {bad.iloc[0]!r}.")
    frame["Neighbourhood Number"] = frame["Neighbourhood Number"].map(lambda n: str(int(n)))
    return frame


def _require_complete(frame: pd.DataFrame, column: str, needed: tuple[str, ...], path: Path) -> None:
    """Every neighbourhood must have each needed row (a file cut at a line end passes the field check)."""
    have = frame.groupby("Neighbourhood Number")[column].agg(set)
    for number, values in have.items():
        lacking = [v for v in needed if v not in values]
        if lacking:
            raise RefDataError(f"{Path(path).name}: neighbourhood {number} has no 'Total' row for "
                               f"{', '.join(lacking)} (the file may be truncated).")


def _numbers(series: pd.Series, path: Path, column: str) -> pd.Series:
    """Census figures as nullable integers; blank stays missing; anything else is an error."""
    import pandas as pd  # delayed: as above
    text = series.str.strip()
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = text[(text != "") & values.isna()]
    if not bad.empty:
        raise RefDataError(f"{Path(path).name}: {column} holds {bad.iloc[0]!r}, which is not a number.")
    return values.round().astype("Int64")


def read_citizenship(path: Path) -> pd.DataFrame:
    """Per census neighbourhood: name, not-citizens and citizenship total (Gender == Total), 2021."""
    import pandas as pd  # delayed: as above
    frame = _read_csv(path, ["Neighbourhood", "Neighbourhood Number", "Gender", "Characteristic", "Value"])
    total = frame[frame["Gender"].str.strip() == "Total"].copy()
    _require_complete(total, "Characteristic", (NOT_CITIZENS, CITIZENS), path)
    total["Value"] = _numbers(total["Value"], path, "Value")
    wide = total.pivot_table(index="Neighbourhood Number", columns="Characteristic", values="Value",
                             aggfunc="first", dropna=False)
    for needed in (NOT_CITIZENS, CITIZENS):
        if needed not in wide.columns:
            raise RefDataError(f"{Path(path).name} has no '{needed}' rows for Gender 'Total'.")
    names = frame.drop_duplicates("Neighbourhood Number").set_index("Neighbourhood Number")["Neighbourhood"]
    out = pd.DataFrame({
        "census_name": names,
        "not_canadian_citizens_2021": wide[NOT_CITIZENS].astype("Int64"),
        "citizenship_total_2021": (wide[NOT_CITIZENS] + wide[CITIZENS]).astype("Int64"),
    })
    return out


def read_age_gender(path: Path) -> pd.DataFrame:
    """Per census neighbourhood: population 2021 = the three broad age groups, Gender == Total."""
    import pandas as pd  # delayed: as above
    frame = _read_csv(path, ["Neighbourhood", "Neighbourhood Number", "Gender", "Age Range", "Value"])
    rows = frame[(frame["Gender"].str.strip() == "Total") & frame["Age Range"].isin(BROAD_AGE_GROUPS)].copy()
    _require_complete(frame[frame["Gender"].str.strip() == "Total"], "Age Range", BROAD_AGE_GROUPS, path)
    rows["Value"] = _numbers(rows["Value"], path, "Value")
    # min_count: a neighbourhood whose figures are all blank stays blank instead of summing to 0.
    population = rows.groupby("Neighbourhood Number")["Value"].sum(min_count=len(BROAD_AGE_GROUPS))
    names = frame.drop_duplicates("Neighbourhood Number").set_index("Neighbourhood Number")["Neighbourhood"]
    return pd.DataFrame({"census_name": names, "population_2021": population.astype("Int64")})


def read_dwelling_language(path: Path) -> pd.DataFrame:
    """Per 2016 neighbourhood: dwellings by language spoken, one column each, plus their total."""
    import pandas as pd  # delayed: as above
    frame = _read_csv(path, ["Neighbourhood Number", "Neighbourhood Name", *DWELLING_LANGUAGE_SOURCE_COLUMNS])
    if frame["Neighbourhood Number"].duplicated().any():
        raise RefDataError(f"{Path(path).name} repeats a neighbourhood number.")
    out = pd.DataFrame(index=frame["Neighbourhood Number"].values)
    out["census_name"] = frame["Neighbourhood Name"].str.strip().values
    for source, column in DWELLING_LANGUAGE_SOURCE_COLUMNS.items():
        out[column] = _numbers(frame[source], path, source).values
    out[DWELLINGS_TOTAL_COLUMN] = out[list(DWELLING_LANGUAGE_SOURCE_COLUMNS.values())].sum(axis=1, min_count=1).astype("Int64")
    return out


def _successors(census: pd.DataFrame, current: set[str]) -> dict[str, str]:
    """The RENUMBERED pairs that apply to this table: old number present, new one current and unused."""
    return {old: new for old, new in RENUMBERED.items()
            if old in census.index and old not in current and new in current and new not in census.index}


def _renumber(census: pd.DataFrame, current: set[str]) -> pd.DataFrame:
    successors = _successors(census, current)
    return census.rename(index=successors) if successors else census


def _unmatched(table: str, census: pd.DataFrame, boundaries: pd.DataFrame) -> tuple[list[dict], dict]:
    current = set(boundaries.index)
    successors = _successors(census, current)
    joined = set(census.index) | set(successors.values())
    census_only = [n for n in census.index if n not in current and n not in successors]
    boundary_only = [n for n in boundaries.index if n not in joined]
    rows = [{"table": table, "neighbourhood_number": old, "neighbourhood": census.at[old, "census_name"],
             "problem": JOINED_TO_SUCCESSOR.format(new=f"{new} {boundaries.at[new, 'neighbourhood']}")}
            for old, new in successors.items()]
    rows += [{"table": table, "neighbourhood_number": n, "neighbourhood": census.at[n, "census_name"],
              "problem": CENSUS_ONLY} for n in census_only]
    rows += [{"table": table, "neighbourhood_number": n, "neighbourhood": boundaries.at[n, "neighbourhood"],
              "problem": BOUNDARY_ONLY} for n in boundary_only]
    counts = {"census_rows": len(census), "matched": len(census) - len(census_only) - len(successors),
              "renumbered": len(successors), "census_only": len(census_only), "boundary_only": len(boundary_only)}
    return rows, counts


def build_demand(neighbourhoods: list[Neighbourhood], citizenship: pd.DataFrame, age_gender: pd.DataFrame,
                 dwelling_language: pd.DataFrame) -> DemandTables:
    """Join the census tables to the current neighbourhoods on number; list what does not match."""
    import pandas as pd  # delayed: as above
    base = pd.DataFrame({
        "neighbourhood_number": [n.number for n in neighbourhoods],
        "neighbourhood": [n.name for n in neighbourhoods],
        "ward": [n.ward for n in neighbourhoods],
        "district": [n.district for n in neighbourhoods],
    }).set_index("neighbourhood_number", drop=False)

    current = set(base.index)
    renumbered_2021 = set(_successors(citizenship, current).values())
    renumbered_2016 = set(_successors(dwelling_language, current).values())
    citizenship_j, age_gender_j, dwelling_j = (_renumber(t, current) for t in (citizenship, age_gender, dwelling_language))

    demand = base.copy()
    demand = demand.join(age_gender_j[["population_2021"]], how="left")
    demand = demand.join(citizenship_j[["not_canadian_citizens_2021", "citizenship_total_2021"]], how="left")
    in_2021 = demand.index.isin(citizenship_j.index)
    demand["census_2021_status"] = NO_ROW
    demand.loc[in_2021, "census_2021_status"] = SUPPRESSED
    demand.loc[in_2021 & demand["not_canadian_citizens_2021"].notna(), "census_2021_status"] = MATCHED
    demand.loc[demand.index.isin(renumbered_2021) & demand["not_canadian_citizens_2021"].notna(),
               "census_2021_status"] = RENUMBERED_STATUS
    dwelling_columns = [*DWELLING_LANGUAGE_SOURCE_COLUMNS.values(), DWELLINGS_TOTAL_COLUMN]
    demand = demand.join(dwelling_j[dwelling_columns], how="left")
    in_2016 = demand.index.isin(dwelling_j.index)
    demand["census_2016_status"] = NO_ROW
    demand.loc[in_2016, "census_2016_status"] = SUPPRESSED
    demand.loc[in_2016 & demand[DWELLINGS_TOTAL_COLUMN].notna(), "census_2016_status"] = MATCHED
    demand.loc[demand.index.isin(renumbered_2016) & demand[DWELLINGS_TOTAL_COLUMN].notna(),
               "census_2016_status"] = RENUMBERED_STATUS
    demand = demand[DEMAND_COLUMNS].reset_index(drop=True)

    rows: list[dict] = []
    counts: dict = {}
    for table, census in (("census2021_citizenship", citizenship), ("census2021_age_gender", age_gender),
                          ("census2016_dwelling_language", dwelling_language)):
        table_rows, counts[table] = _unmatched(table, census, base)
        rows += table_rows
    unmatched = pd.DataFrame(rows, columns=UNMATCHED_COLUMNS)
    return DemandTables(demand, unmatched, counts)


def frame_to_csv(frame: pd.DataFrame) -> str:
    """Deterministic CSV text (UTF-8, \\n line ends, empty cell for missing)."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL, na_rep="")
    return buffer.getvalue()
