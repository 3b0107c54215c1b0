"""The package's rooms stay layered: import-linter's contract holds, and no import hides in a function
to dodge it (an import inside a function is only for delaying a heavy library, and says so)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "elip_map"


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    # --no-cache: import-linter would otherwise keep a cache folder in the checkout, shared by every test run.
    result = subprocess.run([str(lint), "--no-cache"], cwd=PACKAGE.parent, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def _late_imports(path: Path) -> list[tuple[int, str]]:
    """Imports inside functions whose line (or the line above) does not say why they are delayed."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, (ast.Import, ast.ImportFrom)):
                # The statement itself, or the comment heading its block of imports, says why.
                start = inner.lineno - 1
                while start > 0 and lines[start - 1].strip().startswith(("from ", "import ", "#")):
                    start -= 1
                if not any("delayed" in line for line in lines[start:inner.end_lineno]):
                    found.append((inner.lineno, lines[inner.lineno - 1].strip()))
    return found


def test_imports_inside_functions_only_delay_heavy_libraries():
    offenders = {str(p.relative_to(PACKAGE)): hits for p in sorted(PACKAGE.rglob("*.py"))
                 if "migrations" not in p.parts and (hits := _late_imports(p))}
    assert offenders == {}


def test_the_check_finds_a_hidden_import(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from elip_map import pages\n\n\ndef g():\n    import numpy  # delayed: heavy\n")
    assert _late_imports(sample) == [(2, "from elip_map import pages")]
