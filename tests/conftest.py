"""Suite-wide settings: torch runs on one thread (more threads than free cores slows it
down up to 60x on small machines), and artifacts go under test-artifacts/ (git-ignored)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"


def pytest_configure(config):
    try:
        import torch
    except ImportError:  # the board's tests do not need it
        return
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests leave files for a person to look at (screenshots, logs)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
