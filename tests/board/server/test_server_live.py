"""A running server follows its logdir: appended points, new runs, deleted runs, damaged
files, restarts, and the SSE stream announcing them."""

from __future__ import annotations

import json
import shutil
import threading

import httpx
from board.events import encode_scalar_event
from board.proto import event_pb2
from board.records import encode_record
from writers import write_ours


def scalars(board, run, tag="loss"):
    response = board.get("/api/scalars", run=run, tag=tag)
    return response.json() if response.status_code == 200 else None


def event_file(run_dir):
    run_dir.mkdir(parents=True, exist_ok=True)
    return run_dir / "events.out.tfevents.1.testhost"


def append(path, *records):
    with open(path, "ab") as f:
        f.write(b"".join(records))
        f.flush()


def rec(step, value=None, tag="loss"):
    return encode_record(encode_scalar_event(tag, step * 0.5 if value is None else value,
                                             step, 1000.0 + step))


def test_points_appended_while_serving_appear_within_a_reload(start_board, logdir):
    path = event_file(logdir / "live")
    append(path, *(rec(s) for s in range(1, 11)))
    board = start_board(logdir)
    assert scalars(board, "live")["step"] == list(range(1, 11))
    append(path, *(rec(s) for s in range(11, 21)))
    body = board.wait_for(lambda: (b := scalars(board, "live")) and b["total"] == 20 and b)
    assert body["value"] == [s * 0.5 for s in range(1, 21)]


def test_new_and_deleted_runs_appear_and_disappear(start_board, logdir):
    write_ours(logdir / "first")
    board = start_board(logdir)
    write_ours(logdir / "second" / "deep")
    board.wait_for(lambda: {r["run"] for r in board.get("/api/runs").json()}
                   == {"first", "second/deep"})
    shutil.rmtree(logdir / "first")
    board.wait_for(lambda: [r["run"] for r in board.get("/api/runs").json()] == ["second/deep"])
    assert board.get("/api/scalars", run="first", tag="loss").status_code == 404


def test_corrupt_and_truncated_files_serve_their_good_records(start_board, logdir):
    corrupt = event_file(logdir / "corrupt")
    records = [rec(s) for s in range(1, 21)]
    damaged = bytearray(b"".join(records))
    bad_offset = sum(len(r) for r in records[:9])
    damaged[bad_offset + 16] ^= 0x55  # step 10's payload
    corrupt.write_bytes(bytes(damaged))
    truncated = event_file(logdir / "truncated")
    truncated.write_bytes(b"".join(records[:5]) + records[5][:7])
    board = start_board(logdir)
    assert scalars(board, "corrupt")["step"] == [s for s in range(1, 21) if s != 10]
    assert scalars(board, "truncated")["step"] == [1, 2, 3, 4, 5]
    assert f"{corrupt}" in board.stderr and str(bad_offset) in board.stderr
    append(truncated, records[5][7:], records[6])  # the writer catches up
    board.wait_for(lambda: scalars(board, "truncated")["total"] == 7)


def test_session_restart_purges_later_steps(start_board, logdir):
    path = event_file(logdir / "restarted")
    append(path, *(rec(s) for s in range(1, 31)))
    board = start_board(logdir)
    assert scalars(board, "restarted")["total"] == 30
    start = event_pb2.Event(wall_time=2000.0, step=20,
                            session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START))
    append(path, encode_record(start.SerializeToString()),
           *(rec(s, value=-1.0) for s in range(20, 25)))
    body = board.wait_for(lambda: (b := scalars(board, "restarted"))["total"] == 24 and b)
    assert body["step"] == list(range(1, 25))
    assert body["value"][19:] == [-1.0] * 5


def test_stream_announces_new_runs_tags_and_points(start_board, logdir):
    path = event_file(logdir / "streamed")
    append(path, rec(1))
    board = start_board(logdir)
    seen: list[tuple[str, dict]] = []
    done = threading.Event()
    connected = threading.Event()

    def listen():
        with httpx.stream("GET", f"{board.url}/api/stream", timeout=30) as response:
            kind = None
            for line in response.iter_lines():
                connected.set()
                if line.startswith("event:"):
                    kind = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and kind:
                    seen.append((kind, json.loads(line[5:])))
                    if ("run", {"run": "newcomer", "change": "added"}) in seen and any(
                            k == "scalars" and d.get("last_step") == 5 for k, d in seen):
                        done.set()
                        return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert connected.wait(10)
    append(path, *(rec(s) for s in range(2, 6)), rec(1, tag="acc"))
    write_ours(logdir / "newcomer", steps=[1])
    assert done.wait(20), seen
    assert ("scalars", {"run": "streamed", "tag": "loss", "last_step": 5, "total": 5}) in seen
    assert ("tag", {"run": "streamed", "kind": "scalars", "tag": "acc"}) in seen
