"""Refresh the reference data: get the originals (portal or mirror), rebuild, swap the files in.

Nothing in ``geodata/`` changes unless every original was fetched, parsed and rebuilt: the new files
are built in a temporary folder beside ``geodata/`` and only then moved in, one ``os.replace`` each
(atomic per file on the same file system), the manifest last.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .build import MANIFEST_FILE, OUTPUT_FILES, BuildResult, build_geodata, sha256_file
from .sources import SOURCE_KEYS, SOURCES, RefDataError, copy_capped, find_in_mirror, portal_url

USER_AGENT = "elip-service-map refresh (Edmonton Local Immigration Partnership)"
MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024  # the largest original is about 3 MB: anything huge is wrong


class PortalUnreachable(RefDataError):
    """The open-data portal did not answer (offline, blocked, down)."""


@dataclass(frozen=True)
class FileChange:
    name: str
    old: str | None  # sha256 before, None if the file did not exist
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass
class RefreshReport:
    """Built once the refresh is over, with every field, as the city-index refresh builds its own."""

    origin: str
    inputs: list[FileChange]
    outputs: list[FileChange]
    result: BuildResult | None

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.outputs)

    def lines(self) -> list[str]:
        """The report in plain words, one line each, for the command's output."""
        short = lambda h: (h or "none")[:12]  # noqa: E731 - a tiny formatter
        out = [f"Originals from {self.origin}:"]
        for c in self.inputs:
            out.append(f"  {c.name}: {short(c.old)} -> {short(c.new)}" + ("" if c.changed else " (unchanged)"))
        out.append("Derived files:")
        for c in self.outputs:
            out.append(f"  {c.name}: {short(c.old)} -> {short(c.new)}" + (" (replaced)" if c.changed else " (unchanged)"))
        if self.result:
            f = self.result.simplification
            out.append(f"{self.result.neighbourhoods} neighbourhoods; {f.vertices_before:,} -> {f.vertices_after:,} "
                       f"vertices; largest deviation {f.max_hausdorff_m:.1f} m; {self.result.geojson_bytes:,} bytes.")
            for table, c in self.result.unmatched.items():
                out.append(f"{table}: {c['matched']} matched, {c['renumbered']} renumbered, {c['census_only']} census "
                           f"neighbourhoods without a current boundary, {c['boundary_only']} current without a census row.")
        out.append("Reference data updated." if self.changed else "Nothing changed.")
        return out


def download_sources(base_url: str, dest: Path, *, timeout: float = 30.0,
                     source_urls: dict[str, str] | None = None) -> dict[str, Path]:
    """Download every original into ``dest``; PortalUnreachable or RefDataError in plain words.

    ``source_urls`` overrides the address of a source by key (see ``sources.SOURCES``); sources with a
    recorded address are fetched first so an offline machine hears "could not reach" straight away.
    """
    base_url = base_url.rstrip("/")
    source_urls = dict(source_urls or {})
    unknown = sorted(set(source_urls) - set(SOURCE_KEYS))
    if unknown:
        raise RefDataError(f"Unknown source {', '.join(unknown)}; known sources: {', '.join(SOURCE_KEYS)}.")
    urls = {s.key: source_urls.get(s.key) or (base_url + s.portal_path if s.portal_path else None) for s in SOURCES}
    dest.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for source in sorted(SOURCES, key=lambda s: urls[s.key] is None):
        url = urls[source.key]
        if url is None:
            raise RefDataError(
                f"No download address is recorded for {source.title}. Pass --source-url {source.key}=URL "
                f"(see {source.page}), or set ELIP_DATA_MIRROR (or --mirror DIR) to a folder holding copies.")
        path = dest / source.local_name
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response, open(path, "wb") as out:
                copy_capped(response, out, limit=MAX_DOWNLOAD_BYTES, what=url)
        except urllib.error.HTTPError as exc:
            raise RefDataError(f"The open data portal answered HTTP {exc.code} for {url}.") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PortalUnreachable(
                f"Could not reach the City of Edmonton open data portal at {base_url} ({reason}). "
                "Check the connection, or set ELIP_DATA_MIRROR (or pass --mirror DIR) to a folder "
                "holding copies of the data. Nothing was changed.") from None
        paths[source.key] = path
    return paths


def _read_manifest(geodata_dir: Path) -> dict:
    try:
        return json.loads((geodata_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def refresh_geodata(geodata_dir: Path, *, mirror: Path | None = None, base_url: str | None = None,
                    timeout: float = 30.0, source_urls: dict[str, str] | None = None,
                    today: dt.date | None = None) -> RefreshReport:
    """Fetch the originals (from ``mirror`` if given, else the portal), rebuild, replace changed files.

    The build date stays the same when the originals are byte-identical to the last build, so an
    unchanged refresh leaves every file byte-identical. Raises RefDataError (nothing changed) on any problem.
    """
    geodata_dir = Path(geodata_dir)
    geodata_dir.mkdir(parents=True, exist_ok=True)
    base_url = (base_url or portal_url()).rstrip("/")
    old_manifest = _read_manifest(geodata_dir)
    with tempfile.TemporaryDirectory(prefix=".refresh-", dir=geodata_dir.parent) as tmp:
        tmp_dir = Path(tmp)
        if mirror is not None:
            inputs = find_in_mirror(Path(mirror))
            origin = f"the mirror {mirror}"
        else:
            inputs = download_sources(base_url, tmp_dir / "originals", timeout=timeout, source_urls=source_urls)
            origin = f"the open data portal {base_url}"
        old_inputs = old_manifest.get("inputs", {})
        input_changes = [FileChange(key, old_inputs.get(key, {}).get("sha256"), sha256_file(inputs[key]))
                         for key in SOURCE_KEYS]
        unchanged_inputs = all(not c.changed for c in input_changes)
        built_on = (old_manifest.get("built_on") if unchanged_inputs and old_manifest.get("built_on")
                    else (today or dt.datetime.now(dt.timezone.utc).date()).isoformat())
        out_dir = tmp_dir / "out"
        result = build_geodata(inputs, out_dir, built_on)

        output_changes = []
        for name in OUTPUT_FILES:
            old_path = geodata_dir / name
            output_changes.append(FileChange(name, sha256_file(old_path) if old_path.is_file() else None,
                                             sha256_file(out_dir / name)))
        for change in output_changes:  # OUTPUT_FILES ends with the manifest: it is replaced last
            if change.changed:
                os.replace(out_dir / change.name, geodata_dir / change.name)
    return RefreshReport(origin, input_changes, output_changes, result)

