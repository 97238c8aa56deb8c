"""Fixtures for the MNIST example tests: small MNIST-format files and flag parsing."""

from __future__ import annotations

import numpy as np
import pytest
from scopeflow.examples.mnist import input_data
from scopeflow.examples.mnist.idx import write_idx


def write_small_mnist(directory, n_train=120, n_test=30, seed=0):
    """The four MNIST gzip IDX files, small; each label is drawn as a bright band of rows."""
    rng = np.random.RandomState(seed)

    def make(n):
        labels = rng.randint(0, 10, n).astype(np.uint8)
        images = rng.randint(0, 40, (n, 28, 28)).astype(np.uint8)
        for i, label in enumerate(labels):
            images[i, 2 * label : 2 * label + 3, :] = 255
        return images, labels

    train, test = make(n_train), make(n_test)
    write_idx(directory / input_data.TRAIN_IMAGES, train[0])
    write_idx(directory / input_data.TRAIN_LABELS, train[1])
    write_idx(directory / input_data.TEST_IMAGES, test[0])
    write_idx(directory / input_data.TEST_LABELS, test[1])
    return train, test


@pytest.fixture
def small_mnist():
    return write_small_mnist


@pytest.fixture
def job_flags():
    """Parse the job's flags from a list; restores the defaults afterwards."""
    from scopeflow.examples.mnist import fully_connected_feed as job

    def parse(*argv: str):
        job.FLAGS._reset()
        job.FLAGS._parse_flags(list(argv))
        return job

    yield parse

    job.FLAGS._reset()
    job.FLAGS._parse_flags([])
