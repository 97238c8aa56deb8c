"""tf.train: optimizers, Saver and checkpoint files, SummaryWriter."""

from scopeflow.train import example, input
from scopeflow.train.checkpoint_bundle import BundleReader
from scopeflow.train.checkpoint_state import (
    checkpoint_exists,
    get_checkpoint_state,
    latest_checkpoint,
    update_checkpoint_state,
)
from scopeflow.train.coordinator import Coordinator
from scopeflow.train.example import *
from scopeflow.train.input import *
from scopeflow.train.learning_rate_decay import exponential_decay
from scopeflow.train.optimizer import Optimizer
from scopeflow.train.optimizers import (
    AdagradOptimizer,
    AdamOptimizer,
    GradientDescentOptimizer,
    MomentumOptimizer,
    RMSPropOptimizer,
)
from scopeflow.train.queue_runner import QueueRunner, add_queue_runner, start_queue_runners
from scopeflow.train.saver import Saver
from scopeflow.train.state_dict import load_checkpoint_as_state_dict
from scopeflow.train.summary_writer import SummaryWriter
from scopeflow.train.training_util import global_step, write_graph

NewCheckpointReader = BundleReader


def summary_iterator(path: str):
    """Every Event of the event file at `path`, in order."""
    from board.events import read_events

    return read_events(path)


def load_checkpoint(ckpt_dir_or_file: str) -> BundleReader:
    """A reader for a checkpoint prefix, its .index file, or a directory's latest one."""
    from scopeflow.train.state_dict import resolve_checkpoint

    return BundleReader(resolve_checkpoint(ckpt_dir_or_file))


__all__ = [
    "AdagradOptimizer",
    "AdamOptimizer",
    "GradientDescentOptimizer",
    "MomentumOptimizer",
    "NewCheckpointReader",
    "Optimizer",
    "RMSPropOptimizer",
    "Saver",
    "SummaryWriter",
    "checkpoint_exists",
    "exponential_decay",
    "get_checkpoint_state",
    "global_step",
    "latest_checkpoint",
    "load_checkpoint",
    "load_checkpoint_as_state_dict",
    "summary_iterator",
    "update_checkpoint_state",
    "write_graph",
]
__all__ += example.__all__
__all__ += ["Coordinator", "QueueRunner", "add_queue_runner", "start_queue_runners"]
__all__ += input.__all__
