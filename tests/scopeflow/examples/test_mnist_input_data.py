"""input_data: IDX files, DataSet batching and shuffling, the MNIST / digits splits."""

from __future__ import annotations

import numpy as np
import pytest
from scopeflow.examples.mnist import input_data
from scopeflow.examples.mnist.idx import IdxFormatError, read_idx, write_idx


def test_idx_round_trip_gzip_and_plain(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    for name in ("a.gz", "b"):
        write_idx(tmp_path / name, array)
        np.testing.assert_array_equal(read_idx(tmp_path / name), array)


def test_idx_bad_magic_and_truncation_name_the_file(tmp_path):
    (tmp_path / "bad").write_bytes(b"\x00\x00\x0d\x01\x00\x00\x00\x02xx")
    with pytest.raises(IdxFormatError, match="bad IDX magic"):
        read_idx(tmp_path / "bad")
    write_idx(tmp_path / "t", np.zeros((4, 5), np.uint8))
    (tmp_path / "t").write_bytes((tmp_path / "t").read_bytes()[:-3])
    with pytest.raises(IdxFormatError, match=r"t: header promises 20 values"):
        read_idx(tmp_path / "t")


def test_mnist_files_split_validation_off_the_front_and_scale(tmp_path, small_mnist):
    (train_images, train_labels), (_, test_labels) = small_mnist(tmp_path)
    sets = input_data.read_data_sets(str(tmp_path))
    assert sets.source == "mnist"
    assert sets.validation.num_examples == 10
    assert sets.train.num_examples == 110
    assert sets.test.num_examples == 30
    assert sets.train.images.shape == (110, 784)
    assert sets.train.images.dtype == np.float32
    np.testing.assert_allclose(sets.validation.images[0], train_images[0].reshape(-1) / 255.0)
    np.testing.assert_array_equal(sets.train.labels, train_labels[10:])
    np.testing.assert_array_equal(sets.test.labels, test_labels)


def test_one_hot_labels(tmp_path, small_mnist):
    _, (_, test_labels) = small_mnist(tmp_path)
    sets = input_data.read_data_sets(str(tmp_path), one_hot=True)
    assert sets.test.labels.shape == (30, 10)
    np.testing.assert_array_equal(sets.test.labels.argmax(1), test_labels)


def test_next_batch_covers_epoch_then_reshuffles():
    images = np.arange(10, dtype=np.float32).reshape(10, 1)
    ds = input_data.DataSet(images, np.arange(10), seed=1)
    seen = np.concatenate([ds.next_batch(5)[1] for _ in range(2)])
    np.testing.assert_array_equal(np.sort(seen), np.arange(10))
    assert ds.epochs_completed == 0
    x, y = ds.next_batch(5)
    assert ds.epochs_completed == 1
    np.testing.assert_array_equal(x[:, 0], y)  # images and labels stay paired
    second = np.concatenate([y, ds.next_batch(5)[1]])
    np.testing.assert_array_equal(np.sort(second), np.arange(10))
    assert not np.array_equal(second, np.arange(10))


def test_digits_split_in_mnist_proportion(tmp_path):
    sets = input_data.read_data_sets(str(tmp_path), dataset="digits")
    sizes = [sets.train.num_examples, sets.validation.num_examples, sets.test.num_examples]
    assert sum(sizes) == 1797
    assert sizes == [1412, 128, 257]
    assert sets.train.images.shape[1] == 64
    assert 0.0 <= sets.train.images.min() and sets.train.images.max() <= 1.0
    assert set(np.unique(sets.test.labels)) == set(range(10))


def test_auto_prefers_mnist_files_and_falls_back_to_digits(tmp_path, small_mnist):
    assert input_data.read_data_sets(str(tmp_path), dataset="auto").source == "digits"
    assert not any(tmp_path.iterdir())  # auto never downloads
    small_mnist(tmp_path)
    assert input_data.read_data_sets(str(tmp_path), dataset="auto").source == "mnist"


def test_missing_files_without_network_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(input_data, "SOURCE_URLS", ("http://127.0.0.1:9/",))
    with pytest.raises(input_data.DatasetUnavailableError, match="--dataset digits") as info:
        input_data.read_data_sets(str(tmp_path))
    assert str(tmp_path) in str(info.value)
    assert not list(tmp_path.glob("*.gz"))


def test_fake_data_batches():
    sets = input_data.read_data_sets("unused", fake_data=True)
    x, y = sets.train.next_batch(7)
    assert x.shape == (7, 784) and (x == 1).all()
    assert list(y) == [0] * 7
    _, one_hot = input_data.read_data_sets("unused", fake_data=True, one_hot=True).test.next_batch(2)
    np.testing.assert_array_equal(one_hot, [np.eye(10)[0]] * 2)


def test_unknown_dataset_is_rejected():
    with pytest.raises(ValueError, match="dataset must be one of"):
        input_data.read_data_sets("x", dataset="cifar")
