"""MNIST (or scikit-learn's 8x8 digits) as the TensorFlow 0.6 tutorials read it.

`read_data_sets(train_dir, fake_data=False, one_hot=False, dataset="mnist")` returns
train/validation/test DataSets. MNIST comes from the four standard gzip IDX files in
`train_dir`, downloaded there first when missing and the network answers; `dataset="digits"`
uses the 1,797 digits scikit-learn ships, split in MNIST's 55:5:10 proportion;
`dataset="auto"` takes MNIST when its files are already present, else digits, without
touching the network.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import tempfile
import urllib.request

import numpy as np

from scopeflow.examples.mnist.idx import read_idx

log = logging.getLogger(__name__)

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
MNIST_FILES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)
SOURCE_URLS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
VALIDATION_SIZE = 5000
# MNIST's 70,000 examples split 55,000 / 5,000 / 10,000.
_SPLIT = (55000, 5000, 10000)
NUM_CLASSES = 10
DATASETS = ("mnist", "digits", "auto")


class DatasetUnavailableError(RuntimeError):
    """The data is not on disk and could not be downloaded; the message says what to do."""


class DataSet:
    """Images as float32 rows in [0, 1], labels as int32 (or one-hot float32 rows)."""

    def __init__(self, images, labels, fake_data: bool = False, seed: int | None = None,
                 one_hot: bool = False):
        self._rng = np.random.RandomState(seed)
        if fake_data:
            self._num_examples = 10000
            self._images = np.zeros((0, 784), np.float32)
            self._labels = np.zeros((0, NUM_CLASSES) if one_hot else 0, np.float32)
        else:
            if images.shape[0] != labels.shape[0]:
                raise ValueError(
                    f"images.shape: {images.shape} labels.shape: {labels.shape} disagree"
                )
            self._num_examples = images.shape[0]
            self._images = np.asarray(images, np.float32).reshape(images.shape[0], -1)
            self._labels = labels
        self._fake = fake_data
        self._epochs_completed = 0
        self._index_in_epoch = 0

    images = property(lambda self: self._images)
    labels = property(lambda self: self._labels)
    num_examples = property(lambda self: self._num_examples)
    epochs_completed = property(lambda self: self._epochs_completed)

    def next_batch(self, batch_size: int, fake_data: bool = False):
        """The next `batch_size` examples; reshuffles at the start of each new epoch."""
        if fake_data or self._fake:
            one_hot = self._labels.ndim == 2
            label = np.eye(NUM_CLASSES, dtype=np.float32)[0] if one_hot else 0
            images = np.ones((batch_size, self._images.shape[1] or 784), np.float32)
            return images, np.array([label] * batch_size)
        if batch_size > self._num_examples:
            raise ValueError(f"batch_size {batch_size} exceeds {self._num_examples} examples")
        start = self._index_in_epoch
        self._index_in_epoch += batch_size
        if self._index_in_epoch > self._num_examples:
            self._epochs_completed += 1
            perm = self._rng.permutation(self._num_examples)
            self._images, self._labels = self._images[perm], self._labels[perm]
            start, self._index_in_epoch = 0, batch_size
        end = self._index_in_epoch
        return self._images[start:end], self._labels[start:end]


class DataSets:
    """The train / validation / test triple the tutorials expect."""

    def __init__(self, train: DataSet, validation: DataSet, test: DataSet, source: str):
        self.train, self.validation, self.test, self.source = train, validation, test, source


def dense_to_one_hot(labels: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    return np.eye(num_classes, dtype=np.float32)[np.asarray(labels, np.int64)]


def mnist_files_present(train_dir: str) -> bool:
    return all(os.path.exists(os.path.join(train_dir, name)) for name in MNIST_FILES)


def maybe_download(filename: str, train_dir: str, timeout: float = 5.0) -> str:
    """Path of `filename` in `train_dir`, downloading it first when it is missing."""
    path = os.path.join(train_dir, filename)
    if os.path.exists(path):
        return path
    os.makedirs(train_dir, exist_ok=True)
    failures = []
    for base in SOURCE_URLS:
        try:
            with urllib.request.urlopen(base + filename, timeout=timeout) as response:
                payload = response.read()
        except OSError as exc:
            failures.append(f"{base + filename}: {exc}")
            continue
        # Written to a temporary name first so an interrupted download never looks complete.
        fd, tmp = tempfile.mkstemp(dir=train_dir, prefix=filename + ".", suffix=".part")
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, path)
        log.info("Successfully downloaded %s (%d bytes)", filename, len(payload))
        return path
    raise DatasetUnavailableError(
        f"MNIST file {filename} is not in {train_dir!r} and could not be downloaded "
        f"({'; '.join(failures)}). Put the four MNIST .gz files there, or train on the "
        "digits scikit-learn ships with --dataset digits."
    )


def _labels(labels, one_hot: bool) -> np.ndarray:
    return dense_to_one_hot(labels) if one_hot else np.asarray(labels, np.int32)


def _read_mnist(train_dir: str, one_hot: bool, seed) -> DataSets:
    paths = {name: maybe_download(name, train_dir) for name in MNIST_FILES}
    train_images = read_idx(paths[TRAIN_IMAGES]).astype(np.float32) / 255.0
    train_labels = read_idx(paths[TRAIN_LABELS])
    test_images = read_idx(paths[TEST_IMAGES]).astype(np.float32) / 255.0
    test_labels = read_idx(paths[TEST_LABELS])
    for images, labels, what in ((train_images, train_labels, "train"),
                                 (test_images, test_labels, "t10k")):
        if len(images) != len(labels):
            raise ValueError(f"{train_dir}: {what} has {len(images)} images, {len(labels)} labels")
    # As TensorFlow does, validation is the first 5,000 training examples; small files
    # written by tests keep MNIST's proportion instead.
    val_n = min(VALIDATION_SIZE, len(train_images) // 12)
    labels = _labels(train_labels, one_hot), _labels(test_labels, one_hot)
    return DataSets(
        DataSet(train_images[val_n:], labels[0][val_n:], seed=seed),
        DataSet(train_images[:val_n], labels[0][:val_n], seed=seed),
        DataSet(test_images, labels[1], seed=seed),
        source="mnist",
    )


def load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8x8 digits as (images [1797, 64] in 0..16, labels).

    Read straight from the package's data file: importing sklearn costs seconds.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        raise DatasetUnavailableError("the digits data set needs scikit-learn installed")
    path = os.path.join(os.path.dirname(spec.origin), "datasets", "data", "digits.csv.gz")
    if not os.path.exists(path):  # a layout change: take the slow, public way
        from sklearn.datasets import load_digits

        digits = load_digits()
        return digits.data, digits.target
    table = np.loadtxt(path, delimiter=",")
    return table[:, :-1], table[:, -1].astype(np.int64)


def _read_digits(one_hot: bool, seed) -> DataSets:
    data, target = load_digits_arrays()
    # A fixed shuffle: the bundled file is ordered by writer, so a plain cut would skew it.
    order = np.random.RandomState(0).permutation(len(target))
    images = (data[order] / 16.0).astype(np.float32)
    labels = target[order]
    total = len(labels)
    test_n = round(total * _SPLIT[2] / sum(_SPLIT))
    val_n = round(total * _SPLIT[1] / sum(_SPLIT))
    labels = _labels(labels, one_hot)
    cuts = (total - val_n - test_n, total - test_n)
    return DataSets(
        DataSet(images[: cuts[0]], labels[: cuts[0]], seed=seed),
        DataSet(images[cuts[0] : cuts[1]], labels[cuts[0] : cuts[1]], seed=seed),
        DataSet(images[cuts[1] :], labels[cuts[1] :], seed=seed),
        source="digits",
    )


def read_data_sets(
    train_dir: str, fake_data: bool = False, one_hot: bool = False,
    dataset: str = "mnist", seed: int | None = None,
) -> DataSets:
    """Load the data sets; see the module docstring for `dataset`."""
    if dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {dataset!r}")
    if fake_data:
        fakes = [DataSet([], [], fake_data=True, seed=seed, one_hot=one_hot) for _ in range(3)]
        return DataSets(*fakes, source="fake")
    if dataset == "auto":
        dataset = "mnist" if mnist_files_present(train_dir) else "digits"
    if dataset == "digits":
        return _read_digits(one_hot, seed)
    return _read_mnist(train_dir, one_hot, seed)
