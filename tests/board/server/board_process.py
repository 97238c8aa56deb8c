"""The real board server process (`python -m board --port 0`), driven over HTTP by tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import httpx

RELOAD = 0.3  # seconds between reloads in these tests


class BoardProcess:
    def __init__(self, logdir: str, *extra: str, env: dict | None = None):
        cmd = [sys.executable, "-m", "board", "--logdir", logdir, "--port", "0",
               "--reload_interval", str(RELOAD), "--log_level", "warning", *extra]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env={**os.environ, **(env or {})})
        self.stderr_lines: list[str] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        line = self.proc.stdout.readline()
        if "http://" not in line:
            self.proc.kill()
            raise RuntimeError(f"board did not start: {line!r} {''.join(self.stderr_lines)}")
        self.url = line[line.index("http://"):].split()[0].rstrip("/")
        self.client = httpx.Client(base_url=self.url, timeout=30)
        self.wait_loaded()

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line)

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_lines)

    def get(self, path, **params):
        return self.client.get(path, params=params)

    def wait_loaded(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.client.get("/api/status").json()["loaded"]:
                return
            time.sleep(0.05)
        raise TimeoutError("board never finished its first load")

    def wait_for(self, predicate, timeout=20):
        """Poll `predicate()` until truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(RELOAD / 3)
        raise TimeoutError("condition not met in time")

    def stop(self, sig=signal.SIGTERM) -> int:
        self.client.close()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                return self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                raise
        return self.proc.returncode


