"""Checks of built or served pages: axe-core in Chromium, the Nu Html Checker, other hosts, bytes sent."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from urllib.parse import urlparse

import pytest

from tests.helpers.site import PROJECT

AXE = PROJECT / "node_modules/axe-core/axe.min.js"


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page) -> list[str]:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run npm ci (bash .ci/run does)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(" ")).join(", ")}`);
        }""",
        AXE_TAGS,
    )
    return found


def interact(page):
    """The reader's first interaction: Material's bundle runs then (on-interaction.js)."""
    page.mouse.move(200, 200)
    page.wait_for_function("document.documentElement.classList.contains('js')", timeout=10_000)


# A JavaScript function, drawnLines(element), to put at the top of an evaluated script: the element's text as
# the lines Chromium drew, top to bottom, each visible character on the line of its box's top.
DRAWN_LINES = """function drawnLines(element) {
  const lines = new Map();
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = range.getClientRects()[0];
      if (!box || box.width === 0) continue;
      const top = Math.round(box.top);
      lines.set(top, (lines.get(top) || '') + node.data[i]);
    }
  }
  return [...lines.entries()].sort((a, b) => a[0] - b[0]).map(e => e[1]);
}"""


VNU = PROJECT / "node_modules/vnu-jar/build/dist/vnu.jar"


def java_or_skip() -> str:
    java = shutil.which("java")
    if java and VNU.is_file():
        return java
    message = f"the Nu Html Checker needs java and {VNU}: bash .ci/run installs both"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


# A checker run is short: the JVM's quick compiler alone and its simplest collector take a third of the CPU time
# of its defaults; the quick compiler's deeper stack frames need the larger stack.
JVM_FOR_A_SHORT_RUN = ("-Xss16m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")


def vnu_errors(*paths) -> list[str]:
    checker = [java_or_skip(), *JVM_FOR_A_SHORT_RUN, "-jar", str(VNU), "--errors-only", "--skip-non-html"]
    result = subprocess.run(
        [*checker, "--format", "json", *map(str, paths)], capture_output=True, text=True, timeout=300
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in messages if m["type"] == "error"]


SITE_HOST = "impart.example"


URL_ATTRIBUTES = ("href", "src", "srcset", "action", "poster", "data", "content", "formaction", "cite")


CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])((?:https?:)?//[^'")\s]+)""")


def foreign_hosts(urls):
    hosts = set()
    for url in urls:
        for part in url.split(","):
            candidate = part.strip().split(" ")[0]
            parsed = urlparse(candidate)
            if parsed.netloc and parsed.hostname != SITE_HOST:
                hosts.add(parsed.hostname)
    return hosts


# A note's first visit, all it transfers: bodies and headers.
BUDGET = 100 * 1024


def transferred(responses) -> int:
    total = 0
    for response in responses:
        sizes = response.request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    return total
