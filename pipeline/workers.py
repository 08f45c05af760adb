"""Supervised worker processes: one document stage at a time each, under a time and a memory limit.

A worker that runs past its time, grows past its memory or dies is killed and replaced; the caller
gets a `StageFailure` with a reason code, so the batch goes on and the document is reported.
"""
from __future__ import annotations

import contextlib
import importlib
import multiprocessing as mp
import os
import queue
import resource
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection

POLL_SECONDS = 0.1


class StageFailure(Exception):
    """A stage could not finish for one document; `reason` is the error-row code, `stage` where it was."""

    def __init__(self, reason: str, message: str, stage: str | None = None):
        super().__init__(message)
        self.reason = reason
        self.stage = stage


_CONN: Connection | None = None  # set in a worker process: where stage progress is reported


@contextlib.contextmanager
def stage(name: str, times: dict[str, float], deadline: float | None = None):
    """Time one stage of a document into `times[name]` and tell the supervisor which stage runs.

    An exception leaving the stage is marked with it (`exc.stage`), so its error row names it; a
    worker killed for time or memory is reported with the last stage it announced.
    """
    if deadline is not None and time.monotonic() > deadline:
        raise StageFailure("timeout", "processing took longer than the per-document time limit", name)
    if _CONN is not None:
        _CONN.send(("stage", name))
    t = time.perf_counter()
    try:
        yield
    except BaseException as exc:
        if getattr(exc, "stage", None) is None:
            try:
                exc.stage = name  # type: ignore[attr-defined]
            except AttributeError:
                pass
        raise
    finally:
        times[name] = times.get(name, 0.0) + time.perf_counter() - t


@dataclass(frozen=True)
class Limits:
    """Per-document limits: wall time in seconds and resident memory in MB (0 = none)."""

    seconds: float = 300.0
    memory_mb: int = 1024


def call(target: str, args: tuple):
    """Run `module:function` with `args`; the one place a worker turns a task into a call."""
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)(*args)


def _worker_main(conn: Connection, memory_mb: int, warm: str | None = None) -> None:
    """Worker loop: receive (target, args), answer ("ok", value, seconds) or ("err", reason, message).

    `warm` names a function run once before the first task (loading models while the caller still
    sets up), so the first document does not wait for it.
    """
    global _CONN
    _CONN = conn
    if memory_mb:
        # a backstop while the models load: address space is larger than what is resident
        _cap_address_space(memory_mb * 2 + 1024)
    if warm:
        try:
            call(warm, ())
        except Exception:  # the first real task will raise it again, with a document to blame
            pass
    if memory_mb:
        # With the models loaded, a document may add at most `memory_mb` of address space: an inflating
        # stream then fails here with MemoryError instead of pushing the machine into swap.
        _cap_address_space(_vm_size_mb() + memory_mb)
    while True:
        try:
            target, args = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        try:
            t = time.perf_counter()
            value = call(target, args)
            conn.send(("ok", value, time.perf_counter() - t))
        except MemoryError as exc:
            conn.send(("err", "too_large", "the document needs more memory than the per-document limit",
                       getattr(exc, "stage", None)))
        except Exception as exc:  # reported to the caller, the worker lives on
            reason = getattr(exc, "reason", None) or "failed"
            conn.send(("err", reason, f"{exc.__class__.__name__}: {exc}" if not getattr(exc, "reason", None)
                       else str(exc), getattr(exc, "stage", None)))


def _cap_address_space(mb: int) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (mb * 2**20, mb * 2**20))
    except (ValueError, OSError):  # a lower hard limit set by the caller stays
        pass


def _vm_size_mb() -> int:
    """This process's address space in MB."""
    try:
        with open("/proc/self/statm") as fh:
            return int(int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE") / 2**20)
    except (OSError, ValueError, IndexError):
        return 0


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError):
        return 0.0


class _Worker:
    def __init__(self, ctx, memory_mb: int, warm: str | None = None):
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(target=_worker_main, args=(child, memory_mb, warm), daemon=True)
        self.proc.start()
        child.close()

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """`size` supervised processes; `run` is thread-safe and blocks the calling thread."""

    def __init__(self, size: int, limits: Limits = Limits(), warm: str | None = None):
        self.size = max(1, size)
        self.limits = limits
        self.warm = warm
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(["pipeline.workers"])
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        self.replaced = 0
        for _ in range(self.size):
            self._spawn()

    def _spawn(self) -> None:
        w = _Worker(self._ctx, self.limits.memory_mb, self.warm)
        with self._lock:
            self._all.append(w)
        self._idle.put(w)

    def _replace(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._all.remove(w)
            self.replaced += 1
        self._spawn()

    def run(self, target: str, *args, deadline: float | None = None):
        """Run `module:function(*args)` in a worker; `deadline` is a `time.monotonic()` value."""
        return self.run_timed(target, *args, deadline=deadline)[0]

    def run_timed(self, target: str, *args, deadline: float | None = None) -> tuple[object, float]:
        """`run`, also returning the seconds the call took inside the worker (no queueing or transfer)."""
        w = self._idle.get()
        try:
            w.conn.send((target, args))
        except (BrokenPipeError, OSError):
            self._replace(w)
            raise StageFailure("worker_died", "a worker process was lost before the document reached it")
        limit_mb = self.limits.memory_mb
        current: str | None = None  # the stage the worker last announced
        while True:
            if w.conn.poll(POLL_SECONDS):
                try:
                    status, *payload = w.conn.recv()
                except (EOFError, OSError):
                    code = w.proc.exitcode
                    self._replace(w)
                    raise StageFailure("worker_died", f"the worker process died (exit code {code}); "
                                       "the document may crash the PDF library or exhaust memory", current)
                if status == "stage":
                    current = payload[0]
                    continue
                self._idle.put(w)
                if status == "ok":
                    return payload[0], payload[1]
                raise StageFailure(payload[0], payload[1], payload[2] if len(payload) > 2 else current)
            if not w.proc.is_alive():
                code = w.proc.exitcode
                self._replace(w)
                raise StageFailure("worker_died", f"the worker process died (exit code {code})", current)
            if deadline is not None and time.monotonic() > deadline:
                self._replace(w)
                raise StageFailure("timeout", f"processing took longer than the limit of {self.limits.seconds:g} s; "
                                   "raise it with --timeout if the document is just long", current)
            if limit_mb and _rss_mb(w.proc.pid) > limit_mb:
                self._replace(w)
                raise StageFailure("too_large", f"processing needed more than {limit_mb} MB of memory; "
                                   "raise it with --memory-mb if the document is just large", current)

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for w in workers:
            w.kill()

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

