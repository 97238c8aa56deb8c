"""The container files cannot be run here (no docker); check what can be checked: the
board's arguments parse, the health check hits a real endpoint, the user is not root, and
the board and trainer share the log volume."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from board.cli import build_parser

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = (ROOT / "docker" / "Dockerfile").read_text()
yaml = pytest.importorskip("yaml")
COMPOSE = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())


def instruction(name: str) -> str:
    match = re.search(rf"^{name} (.*?)(?<!\\)$", DOCKERFILE, re.MULTILINE | re.DOTALL)
    assert match, name
    return match.group(1)


def test_image_runs_the_board_as_a_non_root_user():
    user = instruction("USER").split(":")[0]
    assert user not in ("root", "0")
    assert json.loads(instruction("ENTRYPOINT")) == ["python", "-m", "board"]
    args = build_parser().parse_args(json.loads(instruction("CMD")))
    assert args.logdir == "/logs" and args.host == "0.0.0.0"


def test_health_check_asks_an_endpoint_the_server_has():
    from board.server.app import create_app
    from board.server.settings import Settings

    check = instruction("HEALTHCHECK")
    path = re.search(r"http://127\.0\.0\.1:6006(/[^'\"]+)", check).group(1)
    app = create_app(Settings([]), start_reloader=False)
    assert path in app.openapi()["paths"]


def test_compose_board_and_trainer_share_the_log_volume():
    board, train = COMPOSE["services"]["board"], COMPOSE["services"]["train"]
    assert board["volumes"] == train["volumes"] == ["logs:/logs"]
    args = build_parser().parse_args(board["command"])
    assert args.logdir == "/logs"
    assert "/logs/" in " ".join(train["command"])
    module = train["entrypoint"][-1]
    assert (ROOT / "runtime" / (module.replace(".", "/") + ".py")).is_file()
