"""`python -m board --logdir DIR`: serve a log directory until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import threading
import time
from pathlib import Path

from board.ingest.discovery import Logdir, is_url, parse_logdir_spec

logger = logging.getLogger("board")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m board",
        description="Serve the event files under a log directory: scalar charts, graphs, "
                    "histograms, images and a REST API (OpenAPI docs at /docs).")
    parser.add_argument(
        "--logdir", required=True,
        help="directory (or fsspec URL such as s3://bucket/prefix) searched at any depth for "
             "event files; or a comma-separated list of name:path pairs whose run names get "
             "the name as prefix")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1; 0.0.0.0 for all interfaces)")
    parser.add_argument("--port", type=int, default=6006,
                        help="port to listen on (default 6006; 0 picks a free port)")
    parser.add_argument("--reload_interval", type=float, default=5.0,
                        help="seconds between scans for new data (default 5; 0 loads once)")
    parser.add_argument("--max_reload_threads", type=int, default=1,
                        help="runs loaded in parallel during a reload (default 1)")
    parser.add_argument("--first_run_job", metavar="NAME", default=None,
                        help="when the logdir holds no runs yet, launch this registered job "
                             "so a first run appears (used by `make run`)")
    parser.add_argument("--launch_config", metavar="FILE", default=None,
                        help="TOML or JSON file declaring jobs the dashboard may launch, "
                             "besides the built-in examples")
    parser.add_argument("--launch_token", metavar="TOKEN",
                        default=os.environ.get("SCOPEFLOW_LAUNCH_TOKEN") or None,
                        help="when set, launching and stopping runs needs the header "
                             "'Authorization: Bearer TOKEN' and is open to any client; "
                             "without it only this machine may (default: "
                             "$SCOPEFLOW_LAUNCH_TOKEN)")
    parser.add_argument("--log_level", default="info",
                        choices=["debug", "info", "warning", "error"],
                        help="server log verbosity (default info)")
    return parser


class UsageError(Exception):
    pass


def check_logdir(logdir: Logdir) -> None:
    """Raise UsageError when `logdir` cannot be read at all."""
    if not is_url(logdir.url):
        if not os.path.isdir(logdir.url):
            what = "is not a directory" if os.path.exists(logdir.url) else "does not exist"
            raise UsageError(f"logdir {logdir.url!r} {what}")
        if not os.access(logdir.url, os.R_OK | os.X_OK):
            raise UsageError(f"logdir {logdir.url!r} is not readable")
        return
    try:
        fs, root = logdir.filesystem()
        fs.ls(root)
    except FileNotFoundError:
        pass  # an empty prefix on object storage: runs may appear later
    except Exception as err:  # remote filesystems raise their own types (botocore, ...)
        raise UsageError(f"logdir {logdir.url!r} cannot be read: {err}") from err


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        logdirs = parse_logdir_spec(args.logdir)
        if not logdirs:
            raise UsageError("--logdir is empty")
        if args.first_run_job and len(logdirs) == 1 and not is_url(logdirs[0].url):
            os.makedirs(logdirs[0].url, exist_ok=True)  # `make run` on a fresh checkout
        for logdir in logdirs:
            check_logdir(logdir)
        if not 0 <= args.port <= 65535:
            raise UsageError(f"--port must be in 0..65535, got {args.port}")
        jobs = _launch_jobs(args.launch_config)
        sock = _bind(args.host, args.port)
    except UsageError as err:
        print(f"board: error: {err}", file=sys.stderr)
        return 2
    supervisor = _launch_supervisor(logdirs, jobs)
    if args.first_run_job and supervisor is not None:
        _maybe_first_run(supervisor, args.first_run_job)
    try:
        return _serve(args, logdirs, sock, supervisor)
    finally:
        if supervisor is not None:
            _stop_board_launches(supervisor)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror}") from err
    sock.listen(128)
    return sock


def _launch_jobs(config: str | None):
    """The launchable jobs, read now so that a bad config file stops the board at once."""
    from board.launch.config import load_registry
    from board.launch.errors import ConfigError

    try:
        return load_registry(config)
    except ConfigError as err:
        raise UsageError(str(err)) from None


def _launch_supervisor(logdirs: list[Logdir], jobs):
    """The logdir's launch supervisor, made at start so the first run is one of its launches;
    None when launching is off (not one local logdir) or the launch state cannot be read
    (then the launch routes try again on first use)."""
    if len(logdirs) != 1 or is_url(logdirs[0].url):
        return None
    from board.launch.supervisor import Supervisor

    try:
        return Supervisor(logdirs[0].url, jobs)
    except Exception:  # the board serves its runs even if launching is broken
        logger.exception("cannot open the launch state of %s", logdirs[0].url)
        return None


def _maybe_first_run(supervisor, job: str) -> None:
    from board import first_run

    try:
        first_run.start_if_empty(supervisor, job)
    except ValueError as err:  # an unknown job name: say so, serve anyway
        logger.error("not starting a first run: %s", err)
    except Exception:  # the board must come up even if the demo job cannot start
        logger.exception("could not start the first-run job %r", job)


def _stop_board_launches(supervisor) -> None:
    """The board started the first run unasked, so it does not outlive the board (SIGTERM
    included); launches made from the Launch tab keep running."""
    try:
        for launch in supervisor.stop_board_launches():
            if launch["status"] == "running":
                logger.error("launch %s (pid %d) still runs after its stop", launch["id"],
                             launch["pid"])
    finally:
        supervisor.close()


def _serve(args, logdirs: list[Logdir], sock: socket.socket, supervisor) -> int:
    from board.ingest.reloader import LogdirReloader
    from board.store.store import Store

    # Loading starts before the web stack is even imported (that takes seconds).
    store = Store()
    reloader = LogdirReloader(store, logdirs, args.reload_interval, args.max_reload_threads)
    reloader.start()

    import uvicorn

    from board.server import Settings, create_app

    settings = Settings(logdirs, args.reload_interval, args.max_reload_threads,
                        launch_config=Path(args.launch_config) if args.launch_config else None,
                        launch_token=args.launch_token)
    app = create_app(settings, store, reloader, start_reloader=False,
                     launch_supervisor=supervisor)
    config = uvicorn.Config(app, log_level=args.log_level, timeout_graceful_shutdown=2,
                            access_log=args.log_level == "debug")
    server = _make_server(config, app)
    host, port = sock.getsockname()[:2]
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    url = f"http://{shown}:{port}/"
    threading.Thread(target=_announce, args=(server, url), daemon=True).start()
    server.run(sockets=[sock])
    return 0


def _make_server(config, app):
    """uvicorn's server, telling live streams to end as soon as shutdown starts, and
    exiting with status 0 after a graceful stop (uvicorn re-raises the signal)."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame):
            app.state.stopping.set()
            super().handle_exit(sig, frame)
            self._captured_signals.clear()

    return Server(config)


def _announce(server, url: str) -> None:
    while not server.started:
        if server.should_exit:
            return
        time.sleep(0.02)
    print(f"board: serving at {url} (Ctrl-C to stop)", flush=True)
