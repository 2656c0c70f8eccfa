"""Accessibility checks of the browser tests: axe-core in every page, the Nu HTML checker on served HTML.

axe-core and vnu-jar come from the npm registry, pinned in package.json / package-lock.json
(`make npm`, run by `make test` and `.ci/run`). axe-core is added to every browser context as an init
script (injected by the DevTools protocol, so the portal's CSP `script-src 'self'` does not apply to it),
and every page a browser test loads is checked once its `load` event fires. The violations of a test
are collected by `Watch` and make the test fail at its end (tests/e2e/conftest.py).
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# WCAG 2.1 A and AA, as the RGAA 4.1 asks.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Only HTML documents are checked (not the JSON of the API, nor a PDF or a spreadsheet the browser shows).
RUN_AXE = """async (tags) => {
  if (document.contentType !== "text/html" || typeof axe === "undefined") return null;
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 300), summary: n.failureSummary})),
  }));
}"""


def missing_tools() -> str | None:
    if not AXE_JS.exists() or not VNU_JAR.exists():
        return "axe-core / vnu-jar absents de node_modules/ (make npm)"
    return None


@dataclass
class Violation:
    url: str
    rule: str
    impact: str
    help: str
    nodes: list = field(default_factory=list)

    def __str__(self):
        lines = [f"{self.url}: [{self.rule}] {self.help} ({len(self.nodes)} élément(s))"]
        for node in self.nodes[:5]:
            lines.append(f"    {node['target']}: {node['html']}")
            lines.append("      " + (node.get("summary") or "").replace("\n", "\n      "))
        return "\n".join(lines)


def run_axe(page) -> list[Violation]:
    """axe-core's WCAG 2.1 AA violations of the page as it is now."""
    found = page.evaluate(RUN_AXE, AXE_TAGS)
    return [Violation(page.url, v["id"], v["impact"], v["help"], v["nodes"]) for v in found or []]


# Swagger UI (drf-spectacular's developer documentation, /api/v1/docs/, in English) nests its "try it out"
# buttons in the operation's toggle button: its markup, not the portal's. That one rule is set aside there
# and nowhere else; its colours are the portal's own (static/css/api-docs.css) and are checked.
THIRD_PARTY_RULES = {"/api/v1/docs/": frozenset({"nested-interactive"})}


def _ours(violation: Violation) -> bool:
    path = urlsplit(violation.url).path
    return violation.rule not in THIRD_PARTY_RULES.get(path, frozenset())


class Watch:
    """The axe violations of every page loaded during one test (a page left before the check is skipped)."""

    def __init__(self):
        self.violations: list[Violation] = []
        self.checked: list[str] = []

    def on_load(self, page):
        try:
            found = run_axe(page)
        except Exception:  # the page navigated or closed before axe finished: it was left, not checked
            return
        self.checked.append(page.url)
        self.violations.extend(v for v in found if _ours(v))

    def report(self) -> str:
        return "\n".join(str(v) for v in self.violations)


current: Watch | None = None


def _on_load(page):
    if current is not None:
        current.on_load(page)


def instrument(context):
    """axe-core in every page of `context`, each page checked after each load."""
    context.add_init_script(path=str(AXE_JS))
    context.on("page", lambda page: page.on("load", _on_load))
    return context


def run_vnu(html_dir: Path) -> list[dict]:
    """The Nu HTML checker's errors on every .html file of `html_dir` (one Java start for all)."""
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("java introuvable : le Nu HTML checker (vnu-jar) a besoin de Java 17")
    proc = subprocess.run(
        [
            java,
            "-Xss4m",
            "-jar",
            str(VNU_JAR),
            "--format",
            "json",
            "--errors-only",
            "--skip-non-html",
            str(html_dir),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "LANG": "C.UTF-8"},
    )
    out = proc.stderr.strip() or proc.stdout.strip()
    messages = json.loads(out)["messages"] if out else []
    return [m for m in messages if m.get("type") == "error" or m.get("subType") == "fatal"]
