"""axe-core in the browser tests: inject the pinned engine (scripts/test.sh installs it with npm into
.cache/axe) and return the serious and critical violations, each with the elements it found."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[1] / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")


def require_axe() -> None:
    """A missing engine skips on a developer's machine but fails in CI, where a skip would hide a regression."""
    if not AXE.is_file():
        message = "axe-core is not installed: run scripts/test.sh (it fetches axe-core from npm into .cache/axe)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def serious_violations(driver, context: str = "document") -> list[str]:
    """Run axe on the page (WCAG 2.x A and AA rules): one line per serious or critical violation."""
    require_axe()
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    return driver.execute_async_script(
        f"""const done = arguments[arguments.length - 1];
        axe.run({context}, {{runOnly: {{type: 'tag', values: arguments[0]}}, resultTypes: ['violations']}})
           .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
               .map(v => v.id + ': ' + v.help + ' -> '
                         + v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(' | '))))
           .catch(e => done(['axe failed: ' + e]));""", list(WCAG_TAGS))
