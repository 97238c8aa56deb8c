"""The board's HTTP server (FastAPI): the only part of `board` that imports fastapi."""

from board.server.app import create_app
from board.server.settings import Settings

__all__ = ["Settings", "create_app"]
