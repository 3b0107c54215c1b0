"""Build the compact reference files in ``geodata/`` from the City's originals, deterministically.

Same inputs and the same build date give byte-identical outputs (sorted rows, fixed key order, rounded
coordinates, no timestamps other than the build date), so a test can rebuild from the mirror and compare.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from .boundaries import (COORD_DECIMALS, SIMPLIFY_TOLERANCE_M, SimplifyFigures, neighbourhoods_geojson,
                         read_neighbourhoods, simplify_coverage)
from .demand import (DWELLING_LANGUAGE_COLUMNS, INDIGENOUS_LANGUAGES_COLUMN, RENUMBERED, build_demand, frame_to_csv,
                     read_age_gender, read_citizenship, read_dwelling_language)
from .sources import ATTRIBUTION, LICENCE, SOURCE_KEYS, SOURCES, RefDataError, portal_url

NEIGHBOURHOODS_FILE = "neighbourhoods.geojson"
DEMAND_FILE = "demand.csv"
UNMATCHED_FILE = "demand_unmatched.csv"
MANIFEST_FILE = "manifest.json"
README_FILE = "README.md"
# Every file the build writes, in the order they are replaced; the manifest goes last.
OUTPUT_FILES = (NEIGHBOURHOODS_FILE, DEMAND_FILE, UNMATCHED_FILE, README_FILE, MANIFEST_FILE)
BUILD_COMMAND = "python scripts/build_geodata.py --mirror ../shared/geodata"


@dataclass(frozen=True)
class BuildResult:
    built_on: str
    inputs: dict  # key -> {"file", "sha256", "bytes"}
    outputs: dict  # file name -> sha256 (all but the manifest)
    simplification: SimplifyFigures
    unmatched: dict  # census table -> counts
    neighbourhoods: int
    geojson_bytes: int


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_geodata(inputs: dict[str, Path], out_dir: Path, built_on: str | dt.date | None = None) -> BuildResult:
    """Read the four originals, write every file of OUTPUT_FILES into ``out_dir``.

    Parameters
    ----------
    inputs : source key (see ``sources.SOURCES``) -> path of the original file
    out_dir : folder to write into (created if needed)
    built_on : ISO date recorded in the manifest and README; default: today (UTC)

    Example
    -------
    >>> from elip_map.refdata.sources import find_in_mirror  # doctest: +SKIP
    >>> build_geodata(find_in_mirror(Path("../shared/geodata")), Path("geodata"), "2026-11-25")  # doctest: +SKIP
    """
    missing = [k for k in SOURCE_KEYS if k not in inputs]
    if missing:
        raise RefDataError("Missing input files for: " + ", ".join(missing) + ".")
    built_on = str(built_on or dt.datetime.now(dt.timezone.utc).date().isoformat())
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    # Read and check everything before writing anything.
    neighbourhoods = read_neighbourhoods(inputs["neighbourhoods"])
    citizenship = read_citizenship(inputs["citizenship_2021"])
    age_gender = read_age_gender(inputs["age_gender_2021"])
    dwelling_language = read_dwelling_language(inputs["dwelling_language_2016"])

    simplified, figures = simplify_coverage(neighbourhoods)
    tables = build_demand(neighbourhoods, citizenship, age_gender, dwelling_language)
    texts = {
        NEIGHBOURHOODS_FILE: neighbourhoods_geojson(simplified),
        DEMAND_FILE: frame_to_csv(tables.demand),
        UNMATCHED_FILE: frame_to_csv(tables.unmatched),
    }
    input_info = {
        key: {"file": Path(inputs[key]).name, "sha256": sha256_file(inputs[key]), "bytes": Path(inputs[key]).stat().st_size}
        for key in SOURCE_KEYS
    }
    summary = dict(
        built_on=built_on, inputs=input_info, simplification=figures, unmatched=tables.counts,
        neighbourhoods=len(simplified), geojson_bytes=len(texts[NEIGHBOURHOODS_FILE].encode("utf-8")),
    )
    texts[README_FILE] = _readme(summary, tables)
    outputs = {name: _sha256_text(text) for name, text in texts.items()}
    result = BuildResult(outputs=outputs, **summary)
    texts[MANIFEST_FILE] = manifest_text(result)
    for name in OUTPUT_FILES:
        (out_dir / name).write_text(texts[name], encoding="utf-8", newline="\n")
    return result


def manifest_text(result: BuildResult) -> str:
    """The manifest read by code: build date, input and output sha256, figures."""
    figures = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in asdict(result.simplification).items()}
    data = {
        "built_on": result.built_on,
        "command": BUILD_COMMAND,
        "licence": LICENCE,
        "attribution": ATTRIBUTION,
        "inputs": result.inputs,
        "outputs": result.outputs,
        "neighbourhoods": result.neighbourhoods,
        "simplification": {"tolerance_m": SIMPLIFY_TOLERANCE_M, "coordinate_decimals": COORD_DECIMALS, **figures},
        "unmatched": result.unmatched,
        "dwelling_language_columns": DWELLING_LANGUAGE_COLUMNS,
    }
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _readme(r: dict, tables) -> str:
    f: SimplifyFigures = r["simplification"]
    by_key = {s.key: s for s in SOURCES}
    source_rows = "\n".join(
        f"| `{info['file']}` | {by_key[key].title} | {by_key[key].page}"
        + (f" (download: `{portal_url({})}{by_key[key].portal_path}`)" if by_key[key].portal_path
           else " (no download address recorded yet: `elip-map refresh` takes it from a mirror or `--source-url`)")
        + f" | `{info['sha256']}` |"
        for key, info in r["inputs"].items()
    )
    unmatched_rows = "\n".join(
        f"| {table} | {c['census_rows']} | {c['matched']} | {c['renumbered']} | {c['census_only']} | {c['boundary_only']} |"
        for table, c in r["unmatched"].items()
    )
    status = tables.demand["census_2021_status"].value_counts()
    renumbered = "; ".join(f"{old} → {new}" for old, new in RENUMBERED.items()) + " (Oliver, renamed Wîhkwêntôwin)"
    languages = ", ".join(f"{code} → `{col}`" for code, col in DWELLING_LANGUAGE_COLUMNS.items())
    return f"""# Reference data (derived)

Built on {r['built_on']} by `{BUILD_COMMAND}` (or `elip-map refresh`, which fetches the originals
first). Do not edit these files by hand: rebuild them. The build is deterministic: the same originals,
build date and pinned library versions (shapely/GEOS, pyproj, pandas) give byte-identical files (a test
rebuilds from the mirror and compares).

{ATTRIBUTION}

Licence: {LICENCE}. The census figures come from Statistics Canada (2021 federal census) and the City
of Edmonton (2016 municipal census), as published on the City of Edmonton Open Data portal. The 2021
figures are Statistics Canada's, so products made from them also carry its acknowledgement: "Adapted
from Statistics Canada, 2021 Census of Population. This does not constitute an endorsement by
Statistics Canada of this product."

## Files

| file | what |
|---|---|
| `neighbourhoods.geojson` | the {r['neighbourhoods']} current City of Edmonton neighbourhoods, EPSG:4326, simplified as one coverage (shared edges stay shared). Properties: `neighbourhood_number` (text, as in the source), `name` (the City's descriptive name), `ward` (civic ward name), `district`. {r['geojson_bytes']:,} bytes |
| `demand.csv` | one row per current neighbourhood, joined to the census tables on neighbourhood NUMBER. Empty cells mean "no figure" (never zero); `census_2021_status` / `census_2016_status` say why: `matched`, `renumbered` (figures of the neighbourhood's former number, see below), `no_census_row` (a neighbourhood newer than the census) or `suppressed` (the census row has blank figures) |
| `demand_unmatched.csv` | for each census table: census neighbourhoods matching no current boundary, and current neighbourhoods with no census row |
| `manifest.json` | build date, sha256 of every input and output, the figures below; read by the app |

The geocoder's files here (`grid_model.json`, calibrated on ETS transit stops; `road_model.json`, named roads
from ETS stop names; `gazetteer.csv`, named places from ETS stops and LRT stations, both Open Government
Licence – City of Edmonton; and `postal_fsa_edmonton.csv`, postal-area centres under the Open Database
License) are built by their own scripts; their sources, licences, attribution and accuracy figures are in
`geocoding_sources.md`.

`demand.csv` columns: `population_2021` (sum of the age groups 0–14, 15–64 and 65+, gender "Total",
2021 age/gender table); `not_canadian_citizens_2021` (citizenship table, characteristic "Not Canadian
citizens", gender "Total": the demand proxy); `citizenship_total_2021` (Canadian citizens + not Canadian
citizens, the matching denominator); `dwellings_*_2016` (2016 municipal census, dwelling units by
language spoken, one column per language of the source, and `dwellings_total_2016`, their sum). Census
counts are randomly rounded by Statistics Canada, so totals from different tables differ slightly.

Language columns by ISO 639 code (in code: `elip_map.refdata.DWELLING_LANGUAGE_COLUMNS`): {languages}.
"North American Indigenous" covers several languages and has no single code: `{INDIGENOUS_LANGUAGES_COLUMN}`.
English is not mapped: the census counted "English only" dwellings.

2021 status counts: {status.get('matched', 0)} matched, {status.get('renumbered', 0)} renumbered,
{status.get('no_census_row', 0)} with no census row, {status.get('suppressed', 0)} suppressed.

## Sources (originals)

| file | dataset | official source | sha256 |
|---|---|---|---|
{source_rows}

## Simplification

Projected to UTM zone 12N (EPSG:32612), made an exact coverage with `shapely.coverage_clean`, simplified
with `shapely.coverage_simplify` (Visvalingam–Whyatt, tolerance {SIMPLIFY_TOLERANCE_M:g} m), projected back
and rounded to {COORD_DECIMALS} decimals, then cleaned once more so rounded shared edges still match.

| figure | value |
|---|---|
| vertices | {f.vertices_before:,} → {f.vertices_after:,} |
| largest Hausdorff distance from the City's boundary, any neighbourhood | {f.max_hausdorff_m:.1f} m |
| area of the city | {f.area_before_km2:.3f} km² → {f.area_after_km2:.3f} km² |
| overlap between neighbours after simplifying | {f.overlap_after_m2:.3f} m² |
| gaps between neighbours (holes in the city outline) | {f.holes_before} ({f.holes_area_before_m2:.1f} m², slivers in the original) → {f.holes_after} ({f.holes_area_after_m2:.1f} m²) |

## Unmatched census neighbourhoods

The census used the boundaries of its year, so some numbers have no current boundary (merged or
renumbered areas) and newer neighbourhoods have no census row. Listed one by one in `demand_unmatched.csv`.
One census number the City has replaced is joined to its successor on purpose (status `renumbered`):
{renumbered}.

| census table | census rows | matched | renumbered | census only | current only |
|---|---|---|---|---|---|
{unmatched_rows}
"""
