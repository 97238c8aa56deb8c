"""RunMetadata: per-op timings of a traced run, as TensorFlow's StepStats.

`sess.run(..., options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
run_metadata=run_metadata)` fills `run_metadata.step_stats` with one DeviceStepStats per
device and one NodeExecStats per op run (wall-clock start, duration, output descriptions),
which SummaryWriter.add_run_metadata writes for the board. CUDA kernels are asynchronous,
so a GPU op's time is its launch time unless something synchronises.
"""

from __future__ import annotations

from board.proto import step_stats_pb2

RunMetadata = step_stats_pb2.RunMetadata


def wants_trace(options, run_metadata) -> bool:
    return run_metadata is not None and getattr(options, "trace_level", 0) > 0


def fill_step_stats(run_metadata, plan, trace) -> None:
    """Appends the ops timed in `trace` (from a traced plan) to `run_metadata.step_stats`."""
    by_device: dict[str, step_stats_pb2.DeviceStepStats] = {
        d.device: d for d in run_metadata.step_stats.dev_stats
    }
    for index, start, end in trace:
        op = plan.timed_ops[index]
        device = op.assigned_device
        stats = by_device.get(device)
        if stats is None:
            stats = by_device[device] = run_metadata.step_stats.dev_stats.add(device=device)
        took = end - start
        node = stats.node_stats.add(
            node_name=op.name, all_start_micros=start // 1000, op_start_rel_micros=0,
            op_end_rel_micros=took // 1000, all_end_rel_micros=took // 1000,
            all_start_nanos=start, op_end_rel_nanos=took, all_end_rel_nanos=took,
            timeline_label=f"{op.name} = {op.type}({', '.join(t.name for t in op.inputs)})",
        )
        for t in op.outputs:
            description = step_stats_pb2.TensorDescription(
                dtype=t.dtype.as_datatype_enum, shape=t.get_shape().as_proto())
            node.output.add(slot=t.value_index, tensor_description=description)
