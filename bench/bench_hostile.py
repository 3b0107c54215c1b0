"""Hostile-file benchmark: every file of a generated corpus imported in its own process, timed and weighed.

The corpus: the hand-made bombs of issue 16 (``elip_map.testing.HOSTILE_FILES``: dimension and zip
bombs, entity bombs, a million columns, 600,000 rows, damaged packages, nested JSON, ...) plus
deterministic mutations of good files (bytes flipped, inserted, cut) in CSV, XLSX and HSDS JSON.
Each file is imported by a fresh ``python`` process into a copy of one SQLite directory holding the
sample import, the way ``elip-map import`` would, with geocoding. The parent measures the child's
wall time and peak resident memory (the kernel's ``VmHWM`` of the child, sampled from ``/proc`` while
it runs and reported by the child at the end: ``ru_maxrss`` would count the parent's memory copied by
``fork`` before ``exec``) and compares the directory before and after.

Outcomes, one per file:
- crash: an exception other than a refusal reached the caller (a person would see a traceback), or
  the refusal message was empty or held a traceback;
- hang: not finished in 30 s (the child is killed);
- memory: peak resident memory above 500 MB (the child also runs under a 3 GB address-space cap so a
  bomb cannot take the machine down; hitting it counts here);
- partial write: refused or crashed, yet the directory changed.

Usage: python bench/bench_hostile.py [--code DIR] [--only NAME ...] [--mutations N]
``--code`` imports ``elip_map`` from another checkout (e.g. the main branch) to measure it the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HANG_S = 30.0
MEMORY_MB = 500.0
ADDRESS_SPACE_CAP = 3 << 30


def mutations(count: int, seed: int = 16) -> dict[str, tuple[str, bytes]]:
    """Good CSV, XLSX and HSDS JSON files with bytes flipped, inserted or cut, deterministically."""
    from elip_map.testing import TEST_DATA, sheet_xml, xlsx_bytes

    rng = random.Random(seed)
    rows = [(1, [("A1", "Organization"), ("B1", "Address"), ("C1", "Phone"), ("D1", "Languages")])] + [
        (r, [(f"A{r}", f"Organization {r}"), (f"B{r}", f"{r} 101 St NW"), (f"C{r}", "780-555-0199"),
             (f"D{r}", "Arabic, French")]) for r in range(2, 60)]
    bases = [("m.xlsx", xlsx_bytes(sheet_xml(rows), level=1)),
             ("m.csv", (TEST_DATA / "import_messy.csv").read_bytes()),
             ("m.json", (TEST_DATA / "hsds" / "organization_full.json").read_bytes())]
    out = {}
    for n in range(count):
        name, data = bases[n % len(bases)]
        data = bytearray(data)
        for _ in range(rng.choice((1, 2, 8, 64))):
            kind, at = rng.random(), rng.randrange(max(1, len(data)))
            if kind < 0.6 and data:
                data[at] = rng.randrange(256)
            elif kind < 0.8:
                data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
            elif len(data) > 400:
                del data[at:at + rng.randrange(1, 200)]
        out[f"mutated-{n:03d}-{name.split('.')[1]}"] = (name, bytes(data))
    return out


def child(code: str, database: str, path: str) -> None:
    """Run in the child process: import one file, print one JSON line about what happened."""
    sys.path.insert(0, code)
    import traceback

    from elip_map.config import Settings
    from elip_map.directory.storage import open_database
    from elip_map.importers.dump import table_dump
    from elip_map.importers.report import ImportRefused
    from elip_map.importers.run import import_file

    db = open_database(database)
    before = table_dump(db.engine)
    result = {"outcome": "imported", "message": ""}
    try:
        import_file(db, path, settings=Settings.from_env(), actor="bench")
    except ImportRefused as exc:
        message = str(exc)
        plain = bool(message.strip()) and "Traceback" not in message
        result = {"outcome": "refused" if plain else "crash", "message": message[:300]}
    except BaseException as exc:  # noqa: BLE001 - the point is to see anything that escapes
        result = {"outcome": "crash", "message": f"{exc.__class__.__name__}: {str(exc)[:200]}",
                  "where": traceback.format_exc()[-600:]}
    if result["outcome"] != "imported":
        try:
            result["partial"] = table_dump(db.engine) != before
        except BaseException as exc:  # noqa: BLE001
            result["partial"] = f"could not compare: {exc.__class__.__name__}"
    result["peak_mb"] = peak_mb("self")
    print("RESULT " + json.dumps(result), flush=True)


def peak_mb(pid) -> float:
    """Peak resident memory of a process since its last ``exec`` (VmHWM), in MB; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))


def run_one(code: str, template: Path, work: Path, name: str, filename: str, data: bytes) -> dict:
    folder = work / name
    folder.mkdir()
    path = folder / filename
    path.write_bytes(data)
    database = folder / "directory.sqlite3"
    shutil.copyfile(template, database)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", code, f"sqlite:///{database}", str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, preexec_fn=_cap_memory,
                            env={**os.environ, "PYTHONHASHSEED": "0"})
    hung = False
    deadline = start + HANG_S
    peak = 0.0
    while True:
        peak = max(peak, peak_mb(proc.pid))
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            os.kill(proc.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(proc.pid, 0)
            hung = True
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    output = proc.stdout.read().decode("utf-8", "replace")
    proc.stdout.close()
    line = next((ln for ln in output.splitlines() if ln.startswith("RESULT ")), None)
    result = json.loads(line[7:]) if line else {"outcome": "crash", "message": f"no result (exit status {status})"}
    result.update(name=name, seconds=round(seconds, 2), rss_mb=round(max(peak, result.get("peak_mb", 0.0)), 1),
                  hung=hung)
    if hung:
        result["outcome"] = "hang"
    if "MemoryError" in result.get("message", ""):
        result["memory_error"] = True
    shutil.rmtree(folder)
    return result


def make_template(code: str, work: Path) -> Path:
    """One SQLite directory holding the sample import: every file is imported into a copy of it."""
    template = work / "template.sqlite3"
    script = ("import sys; sys.path.insert(0, sys.argv[1]);"
              "from elip_map.directory.storage import open_database;"
              "from elip_map.importers.sample import load_sample_if_empty;"
              "db = open_database('sqlite:///' + sys.argv[2]); load_sample_if_empty(db)")
    subprocess.run([sys.executable, "-c", script, code, str(template)], check=True)
    return template


def table(results: list[dict]) -> str:
    crash = [r for r in results if r["outcome"] == "crash"]
    hang = [r for r in results if r["outcome"] == "hang"]
    memory = [r for r in results if r["rss_mb"] > MEMORY_MB or r.get("memory_error")]
    partial = [r for r in results if r.get("partial") is True]
    lines = ["| tried | crash | hang (> 30 s) | too much memory (> 500 MB) | partial write | imported | refused |"
             " slowest | most memory |",
             "|---|---|---|---|---|---|---|---|---|",
             f"| {len(results)} | {len(crash)} | {len(hang)} | {len(memory)} | {len(partial)} "
             f"| {sum(r['outcome'] == 'imported' for r in results)} | {sum(r['outcome'] == 'refused' for r in results)} "
             f"| {max(r['seconds'] for r in results):.1f} s | {max(r['rss_mb'] for r in results):.0f} MB |"]
    for label, group in (("crash", crash), ("hang", hang), ("memory", memory), ("partial write", partial)):
        for r in group:
            lines.append(f"  {label}: {r['name']} ({r['seconds']} s, {r['rss_mb']} MB) {r.get('message', '')[:160]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", default=str(ROOT), help="checkout whose elip_map is measured (default: this one)")
    parser.add_argument("--only", nargs="*", help="only these corpus names")
    parser.add_argument("--mutations", type=int, default=60, help="how many mutated good files to add (default 60)")
    parser.add_argument("--json", type=Path, help="also write every result here")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    from elip_map.testing import HOSTILE_FILES

    code = str(Path(args.code).resolve())
    corpus = {name: make() for name, make in HOSTILE_FILES.items() if not args.only or name in args.only}
    corpus.update({k: v for k, v in mutations(args.mutations).items() if not args.only or k in args.only})
    results = []
    with tempfile.TemporaryDirectory(prefix="elip-hostile-") as tmp:
        work = Path(tmp)
        template = make_template(code, work)
        for name, (filename, data) in corpus.items():
            result = run_one(code, template, work, name, filename, data)
            results.append(result)
            print(f"{name:32s} {result['outcome']:9s} {result['seconds']:6.1f} s {result['rss_mb']:7.0f} MB  "
                  f"{result.get('message', '')[:110]}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print()
    print(f"Hostile files imported by {code}:")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
