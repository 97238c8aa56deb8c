"""Static checks on frontend/: every module is preloaded by index.html, no module writes
markup from strings (data is inserted as text), and nothing is fetched from off the board."""

from __future__ import annotations

import re
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
MODULES = sorted(p.relative_to(FRONTEND).as_posix() for p in FRONTEND.rglob("*.js"))


def test_index_html_preloads_every_module():
    html = (FRONTEND / "index.html").read_text()
    preloaded = set(re.findall(r'rel="modulepreload" href="/static/([^"]+)"', html))
    assert preloaded == set(MODULES) - {"index.js"}


def test_no_module_parses_strings_as_html():
    sinks = re.compile(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write\(")
    offenders = [m for m in MODULES if sinks.search((FRONTEND / m).read_text())]
    assert not offenders


def test_every_url_is_the_boards_own():
    urls = re.compile(r"""["'`](https?:)?//""")
    for path in [*MODULES, "index.html", "style.css"]:
        text = (FRONTEND / path).read_text()
        assert not urls.search(text.replace("http://www.w3.org/2000/svg", "")), path
