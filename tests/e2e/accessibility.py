"""WCAG 2.1 AA checks in the browser: axe-core (tools/axe, `npm ci --prefix tools/axe`) run in the
page the test is looking at.

The engine is loaded with `page.evaluate(source)`: the site's Content-Security-Policy forbids inline
scripts (an `add_script_tag` would be refused), and what the driver evaluates is not subject to it.
"""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "axe"
AXE = TOOL / "node_modules" / "axe-core" / "axe.min.js"

# Only the rules of the WCAG 2.0/2.1 success criteria at levels A and AA: the level the portal
# promises (portal.css) and public service portals are held to; axe's "best-practice" rules are
# advice, not conformance, and are not run.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Every impact fails, moderate and minor included. With `runOnly` restricted to the tags above,
# each violation axe reports is a failed WCAG A/AA success criterion; "impact" is axe's guess at
# how much it hurts a person, not whether the page conforms. Letting moderate ones pass would
# let, e.g., a missing page language or an unlabelled landmark through, which the criteria forbid.
FAILING_IMPACTS = frozenset({"minor", "moderate", "serious", "critical"})
NODES_SHOWN = 3

_RUN = """async (tags) => {
  const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
  const results = await axe.run(document, options);
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary})),
  }));
}"""


@cache
def _axe_source() -> str:
    if not AXE.is_file():
        # A fresh clone before `make install`: install the locked package, as the VNeID provider does.
        subprocess.run(
            ["npm", "ci", "--prefix", str(TOOL), "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return AXE.read_text(encoding="utf-8")


def violations(page: Page) -> list[dict]:
    """axe's WCAG A/AA violations in the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(_RUN, TAGS)


def describe(found: list[dict]) -> str:
    lines = []
    for v in found:
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']} ({len(v['nodes'])} chỗ) {v['helpUrl']}")
        for node in v["nodes"][:NODES_SHOWN]:
            lines.append(f"    {node['target']}: {node['html'][:200]}")
            if node["summary"]:
                lines.append("      " + node["summary"].replace("\n", "\n      ")[:400])
    return "\n".join(lines)


def assert_accessible(page: Page, *, context_label: str) -> None:
    """Fail listing every WCAG 2.1 A/AA violation axe finds in `page` (see FAILING_IMPACTS)."""
    found = [v for v in violations(page) if (v["impact"] or "serious") in FAILING_IMPACTS]
    assert not found, (
        f"{context_label} ({page.url}): {len(found)} WCAG 2.1 AA violation(s)\n{describe(found)}"
    )
