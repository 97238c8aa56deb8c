"""The bulk scalar decoder agrees with protobuf on every record it claims, and leaves
everything else to the full parse."""

import math

import numpy as np
from board.events import encode_scalar_event
from board.ingest.framing import frame_records
from board.ingest.scalar_fast import decode_scalars
from board.proto import event_pb2, summary_pb2
from board.records import encode_record


def decode(payloads):
    buf = b"".join(encode_record(p) for p in payloads)
    framing = frame_records(buf)
    return decode_scalars(np.frombuffer(buf, np.uint8), framing.starts, framing.lengths)


def test_decoded_fields_equal_protobuf_parse():
    payloads = []
    tags = ["loss", "accuracy/train", "ü-ñ", "x" * 200]
    values = [0.5, -1e30, float("inf"), float("nan"), 3.25e-8]
    for step in [1, 127, 128, 16383, 16384, 2**31 + 5, 2**40, -3]:
        for i, tag in enumerate(tags):
            payloads.append(encode_scalar_event(tag, values[i % len(values)], step,
                                                1.7e9 + step * 0.001))
    fast = decode(payloads)
    assert fast.fast.all()
    for i, payload in enumerate(payloads):
        event = event_pb2.Event.FromString(payload)
        value = event.summary.value[0]
        assert fast.tags[fast.tag_index[i]] == value.tag
        assert fast.step[i] == event.step
        assert fast.wall_time[i] == event.wall_time
        got, want = float(fast.value[i]), value.simple_value
        assert (math.isnan(got) and math.isnan(want)) or got == want


def test_other_events_are_left_to_the_full_parse():
    histo = event_pb2.Event(wall_time=1.0, step=3, summary=summary_pb2.Summary(value=[
        summary_pb2.Summary.Value(tag="h", histo=summary_pb2.HistogramProto(min=1.0))]))
    with_metadata = event_pb2.Event(wall_time=1.0, step=3, summary=summary_pb2.Summary(value=[
        summary_pb2.Summary.Value(tag="s", simple_value=2.0, metadata=summary_pb2.SummaryMetadata(
            display_name="S"))]))
    step_zero = encode_scalar_event("loss", 1.0, 0, 5.0)
    payloads = [encode_scalar_event("loss", 1.0, 1, 5.0), histo.SerializeToString(),
                with_metadata.SerializeToString(), step_zero,
                event_pb2.Event(wall_time=2.0, file_version="brain.Event:2").SerializeToString()]
    assert decode(payloads).fast.tolist() == [True, False, False, False, False]
