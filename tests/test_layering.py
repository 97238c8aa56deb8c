"""DESIGN.md's layering, checked: the board never imports the runtime or torch, and only
board.server imports fastapi."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOARD = ROOT / "backend" / "board"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _board_sources() -> list[Path]:
    return [p for p in BOARD.rglob("*.py") if "proto" not in p.relative_to(BOARD).parts]


def test_board_never_imports_the_runtime_or_torch():
    offenders = {
        str(p.relative_to(ROOT)): sorted(_imported_modules(p) & {"scopeflow", "torch"})
        for p in _board_sources()
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_only_the_server_imports_fastapi():
    offenders = [
        str(p.relative_to(ROOT))
        for p in _board_sources()
        if {"fastapi", "starlette"} & _imported_modules(p)
        and "server" not in p.relative_to(BOARD).parts[0]
    ]
    assert not offenders


def test_importing_board_loads_neither_torch_nor_fastapi():
    code = (
        "import sys, board, board.proto.event_pb2\n"
        "bad = [m for m in ('torch', 'fastapi', 'scopeflow') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
