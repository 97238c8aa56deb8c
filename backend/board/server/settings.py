"""What a board server is configured with (built by the CLI, or directly by tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from board.ingest.discovery import Logdir


def default_frontend_dir() -> Path:
    """The dashboard's static files: the `board.frontend` package when installed from a
    wheel, else the repository's frontend/ directory (editable install)."""
    import importlib.util

    spec = importlib.util.find_spec("board.frontend")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if (Path(location) / "index.html").is_file():
                return Path(location)
    return Path(__file__).resolve().parents[3] / "frontend"


@dataclass
class Settings:
    logdirs: list[Logdir]
    reload_interval: float = 5.0
    max_reload_threads: int = 1
    frontend_dir: Path = field(default_factory=default_frontend_dir)
    # Launching (board.launch): extra jobs from a config file; a token that, when set, POSTs
    # must carry (else only loopback clients may launch); seconds from SIGTERM to SIGKILL.
    launch_config: Path | None = None
    launch_token: str | None = None
    launch_grace_seconds: float = 10.0
