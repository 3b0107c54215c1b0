"""axe-core in the browser tests: inject the pinned engine (scripts/test.sh installs it with npm) and
return the serious and critical violations, each with the elements it found."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[1] / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def serious_violations(driver, context: str = "document") -> list[dict]:
    """Run axe on the page (WCAG 2.x A and AA rules); an uninstalled engine fails loudly, never skips."""
    assert AXE.exists(), "axe-core is not installed: run scripts/test.sh (it fetches axe-core from npm into .cache/axe)"
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        f"""const done = arguments[arguments.length - 1];
        axe.run({context}, {{runOnly: {{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}}})
           .then(r => done(r.violations.map(v => ({{id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}}))))
           .catch(e => done([{{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}}]));""")
    return [v for v in result if v["impact"] in ("serious", "critical")]
