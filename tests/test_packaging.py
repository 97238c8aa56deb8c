"""The wheel carries both import packages, the generated protos and the frontend, so a
non-editable `pip install .` serves the page too."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("scopeflow-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def test_wheel_ships_frontend_files(wheel_names):
    expected = {
        f"board/frontend/{p.relative_to(ROOT / 'frontend').as_posix()}"
        for p in (ROOT / "frontend").rglob("*")
        if p.is_file() and p.suffix in {".html", ".js", ".css", ".svg"}
    }
    assert "board/frontend/index.html" in expected
    assert expected <= wheel_names, sorted(expected - wheel_names)


def test_wheel_ships_both_packages_and_protos(wheel_names):
    assert "scopeflow/__init__.py" in wheel_names
    assert "board/__init__.py" in wheel_names
    assert "board/proto/event_pb2.py" in wheel_names
    assert "scopeflow/framework/registry.py" in wheel_names
