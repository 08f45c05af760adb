"""Supervised workers: a stage that hangs, dies, hogs memory or raises is reported and the worker replaced."""
import time

import pytest

from pipeline.workers import Limits, StageFailure, WorkerPool


@pytest.fixture(scope="module")
def pool():
    with WorkerPool(1, Limits(seconds=1, memory_mb=400)) as p:
        yield p


@pytest.mark.parametrize("target,args,reason,deadline", [
    ("time:sleep", (5,), "timeout", 0.5),
    ("os:_exit", (9,), "worker_died", None),
    ("builtins:bytearray", (700 * 1024 * 1024,), "too_large", None),
    ("builtins:int", ("x",), "failed", None),
])
def test_workers_failure_is_reported_and_worker_replaced(pool, target, args, reason, deadline):
    dl = time.monotonic() + deadline if deadline else None
    with pytest.raises(StageFailure) as info:
        pool.run(target, *args, deadline=dl)
    assert info.value.reason == reason
    assert pool.run("os.path:join", "a", "b") == "a/b"  # the pool still answers


def test_workers_error_reason_of_our_exceptions_is_kept(pool):
    with pytest.raises(StageFailure) as info:
        pool.run("tests.test_workers:raise_encrypted")
    assert info.value.reason == "encrypted"


def raise_encrypted() -> None:
    """Raise an error with a reason code, as ingestion errors do (run inside a worker)."""
    raise StageFailure("encrypted", "the PDF is encrypted")
