"""The byte-budget LRU cache behind the board's smoothed curves and encoded responses."""

import threading

import pytest
from board.store.cache import ByteBudgetCache


def test_least_recently_used_values_leave_first_when_over_budget():
    cache = ByteBudgetCache(10)
    cache.put("a", "A", 4)
    cache.put("b", "B", 4)
    assert cache.get("a") == "A"  # now "b" is the least recently used
    cache.put("c", "C", 4)
    assert cache.get("b") is None
    assert cache.get("a") == "A" and cache.get("c") == "C"
    assert cache.nbytes == 8 and len(cache) == 2


def test_value_bigger_than_the_budget_is_not_kept_and_evicts_nothing():
    cache = ByteBudgetCache(10)
    cache.put("a", "A", 6)
    cache.put("huge", "H", 11)
    assert cache.get("huge") is None and cache.get("a") == "A"


def test_replacing_a_key_counts_only_its_new_size():
    cache = ByteBudgetCache(10)
    cache.put("a", "A1", 6)
    cache.put("a", "A2", 3)
    cache.put("b", "B", 7)
    assert cache.get("a") == "A2" and cache.get("b") == "B" and cache.nbytes == 10


def test_get_or_compute_computes_a_missing_value_once():
    cache = ByteBudgetCache(100)
    calls = []

    def compute():
        calls.append(1)
        return [1, 2, 3]

    first = cache.get_or_compute("k", compute, len)
    second = cache.get_or_compute("k", compute, len)
    assert first is second and len(calls) == 1 and cache.nbytes == 3


def test_concurrent_puts_keep_the_byte_count_consistent():
    cache = ByteBudgetCache(50)

    def fill(offset):
        for i in range(500):
            cache.put((offset, i % 40), i, 1 + i % 7)

    threads = [threading.Thread(target=fill, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.nbytes <= 50
    assert cache.nbytes == sum(size for _, size in cache._items.values())


def test_negative_budget_is_refused():
    with pytest.raises(ValueError, match="max_bytes"):
        ByteBudgetCache(-1)
