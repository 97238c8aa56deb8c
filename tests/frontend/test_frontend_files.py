"""Static checks on frontend/: index.html preloads every module the page loads at once (the
lazily loaded tabs excepted), no module writes
markup from strings (data is inserted as text), and nothing is fetched from off the board."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
MODULES = sorted(p.relative_to(FRONTEND).as_posix() for p in FRONTEND.rglob("*.js"))


STATIC_IMPORT = re.compile(r"^import .*? from '([^']+)';", re.MULTILINE | re.DOTALL)
LAZY_IMPORT = re.compile(r"module: '([^']+)'")


def _static_closure(start: str) -> set[str]:
    """The modules `start` imports statically, directly or through others."""
    seen, todo = set(), [start]
    while todo:
        module = todo.pop()
        for target in STATIC_IMPORT.findall((FRONTEND / module).read_text()):
            name = posixpath.normpath(posixpath.join(posixpath.dirname(module), target))
            if name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def test_index_html_preloads_what_the_page_loads_and_no_lazy_tab():
    html = (FRONTEND / "index.html").read_text()
    preloaded = set(re.findall(r'rel="modulepreload" href="/static/([^"]+)"', html))
    eager = _static_closure("index.js")
    assert preloaded == eager
    lazy = {m.removeprefix("./") for m in LAZY_IMPORT.findall((FRONTEND / "index.js").read_text())}
    assert lazy and not lazy & eager, "a lazily loaded tab must not be on the first load"
    assert set(MODULES) == eager | {"index.js"} | set().union(*map(_static_closure, lazy)) | lazy


def test_no_module_parses_strings_as_html():
    sinks = re.compile(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write\(")
    offenders = [m for m in MODULES if sinks.search((FRONTEND / m).read_text())]
    assert not offenders


def test_every_url_is_the_boards_own():
    urls = re.compile(r"""["'`](https?:)?//""")
    for path in [*MODULES, "index.html", "style.css"]:
        text = (FRONTEND / path).read_text()
        assert not urls.search(text.replace("http://www.w3.org/2000/svg", "")), path
