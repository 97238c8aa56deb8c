"""Fixtures that start the real board server process for HTTP tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from board_process import BoardProcess


@pytest.fixture
def start_board():
    started: list[BoardProcess] = []

    def start(logdir, *extra, env=None) -> BoardProcess:
        board = BoardProcess(str(logdir), *extra, env=env)
        started.append(board)
        return board

    yield start
    for board in started:
        board.stop()


@pytest.fixture
def logdir(tmp_path) -> Path:
    return tmp_path / "logs"
