"""The axe-core helper (tests/fixtures/axe.py) in real headless Chromium, on two tiny pages opened from
file:// under a strict Content-Security-Policy (no inline script, no eval): an accessible page that axe
passes, and one with three known violations that axe must name.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe import AXE_VERSION, describe, run_axe, serious_violations

CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'"

HEAD = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{{title}}</title>
</head>
"""

ACCESSIBLE = HEAD.format(title="Accessible fixture") + """<body>
<main>
  <h1>Search the graph</h1>
  <form>
    <label for="actor">Actor name</label>
    <input id="actor" name="actor" type="text">
    <button type="submit">Search</button>
  </form>
  <p style="color:#222222;background:#ffffff">Dark grey on white has a contrast ratio near 16:1.</p>
</main>
</body>
</html>
"""

BROKEN = HEAD.format(title="Broken fixture") + """<body>
<main>
  <h1>Three known problems</h1>
  <input id="unlabelled" type="text">
  <p id="faint" style="color:#aaaaaa;background:#ffffff">Light grey on white is too faint to read.</p>
  <img id="no-alt" width="40" height="40">
</main>
</body>
</html>
"""

#: rule id -> (impact, the element axe must point at)
EXPECTED = {
    "label": ("critical", "#unlabelled"),
    "color-contrast": ("serious", "#faint"),
    "image-alt": ("critical", "#no-alt"),
}


def open_page(browser, folder: Path, name: str, html: str):
    path = folder / name
    path.write_text(html, encoding="utf-8")
    browser.driver.get("about:blank")
    browser.drain_logs()
    browser.driver.get(path.resolve().as_uri())
    return path


@pytest.mark.browser
def test_accessible_page_has_no_violations(map_browser, tmp_path):
    open_page(map_browser, tmp_path, "accessible.html", ACCESSIBLE)
    violations = run_axe(map_browser.driver)
    assert not serious_violations(violations), describe(violations)
    assert violations == [], describe(violations)
    assert map_browser.js("return window.axe.version;") == AXE_VERSION
    # nothing was refused by the CSP on the way: no inline-script or eval violation in the console
    assert map_browser.console_errors() == []


@pytest.mark.browser
def test_known_violations_are_reported(map_browser, tmp_path):
    open_page(map_browser, tmp_path, "broken.html", BROKEN)
    violations = run_axe(map_browser.driver)
    found = {v["id"]: v for v in violations}
    assert set(found) == set(EXPECTED), describe(violations)
    for rule, (impact, target) in EXPECTED.items():
        assert found[rule]["impact"] == impact, describe(violations)
        assert found[rule]["targets"] == [target], describe(violations)
        assert found[rule]["help"]
    assert {v["id"] for v in serious_violations(violations)} == set(EXPECTED)
    assert "color-contrast (serious)" in describe(violations)
    # a second run reuses the axe already in the page and gives the same answer
    assert run_axe(map_browser.driver) == violations
    assert map_browser.console_errors() == []


@pytest.mark.browser
def test_the_csp_is_in_force(map_browser, tmp_path):
    """The meta CSP binds the page's own code: eval from a page task is refused, yet axe runs."""
    open_page(map_browser, tmp_path, "broken.html", BROKEN)
    refused = map_browser.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "setTimeout(() => { try { eval('1'); done('allowed'); } catch (e) { done(e.name); } }, 0);")
    assert refused == "EvalError"
    assert map_browser.js("return typeof window.axe;") == "undefined"
    assert {v["id"] for v in run_axe(map_browser)} == set(EXPECTED)


def test_describe_and_filter():
    violations = [
        {"id": "region", "impact": "moderate", "help": "Content in landmarks", "node_count": 1, "targets": ["p"]},
        {"id": "label", "impact": "critical", "help": "Form elements must have labels", "node_count": 7,
         "targets": ["#a", "#b", "#c", "#d", "#e"]},
    ]
    assert [v["id"] for v in serious_violations(violations)] == ["label"]
    text = describe(violations)
    assert "label (critical): Form elements must have labels [7 element(s): #a, #b, #c, #d, #e and 2 more]" in text
    assert describe([]) == "no accessibility violations"
