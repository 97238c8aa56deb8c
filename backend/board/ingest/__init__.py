"""Logdir ingestion: run discovery (local paths and fsspec URLs), incremental tailing of
event files, and the reload thread that keeps a `board.store.Store` current."""

from board.ingest.discovery import Logdir, discover, parse_logdir_spec
from board.ingest.file_loader import EventFileLoader
from board.ingest.reloader import LogdirReloader

__all__ = ["EventFileLoader", "Logdir", "LogdirReloader", "discover", "parse_logdir_spec"]
