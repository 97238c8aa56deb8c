"""The dashboard's files: `/` (index.html), `/static/<path>` and plotly.js from the
installed plotly package. No path can leave the frontend directory."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from board.server.deps import SettingsDep
from board.server.errors import NotFoundError

router = APIRouter(tags=["frontend"], include_in_schema=False)


def safe_file(root: Path, relative: str) -> Path:
    """`root/relative` if it is a file inside `root`, else NotFoundError."""
    base = root.resolve()
    try:
        path = (base / relative).resolve()
    except (OSError, ValueError) as err:
        raise NotFoundError(f"no static file {relative!r}") from err
    if "\x00" in relative or not path.is_relative_to(base) or not path.is_file():
        raise NotFoundError(f"no static file {relative!r}")
    return path


@router.get("/")
def index(settings: SettingsDep):
    return FileResponse(safe_file(settings.frontend_dir, "index.html"),
                        headers={"Cache-Control": "no-cache"})


@router.get("/static/{path:path}")
def static(settings: SettingsDep, path: str):
    return FileResponse(safe_file(settings.frontend_dir, path),
                        headers={"Cache-Control": "no-cache"})


@router.get("/vendor/plotly.min.js")
def plotly_js():
    import plotly

    root = Path(plotly.__file__).parent / "package_data"
    return FileResponse(safe_file(root, "plotly.min.js"), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})
