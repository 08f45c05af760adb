"""Bounded load test: concurrent reviewers over loopback against a real uvicorn server on SQLite.

    python -m review.loadtest --reviewers 20 --decisions 2000

Reports p50/p95 latency and 409 counts, and checks that no decision was lost: the audit log holds exactly
one row per successful decision, and each item's version counts its decisions.
"""
from __future__ import annotations

import argparse
import contextlib
import random
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from .db import ACTIONS, DecisionRow, MechanismRow
from .store import Store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(app, port: int | None = None):
    """Run `app` under uvicorn in a thread on a loopback port; yields the base URL."""
    import uvicorn

    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextlib.contextmanager
def server_process(db_url: str, port: int | None = None):
    """Run `review serve` in its own process (as in production: no GIL shared with the clients)."""
    import httpx

    port = port or free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.Popen([sys.executable, "-m", "review.cli", "serve", "--db", db_url, "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"review serve did not start: {proc.stderr.read().decode()[-500:]}")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


@dataclass
class LoadReport:
    """What the load test measured and whether the invariants held."""

    reviewers: int
    attempts: int
    items: int
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    post_ms: list[float] = field(default_factory=list)
    get_ms: list[float] = field(default_factory=list)
    audit_rows: int = 0
    version_sum: int = 0
    mismatched_items: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok_decisions(self) -> int:
        return self.statuses.get(200, 0)

    @property
    def invariants_hold(self) -> bool:
        unexpected = set(self.statuses) - {200, 409}
        return (not unexpected and not self.errors and self.audit_rows == self.ok_decisions
                and self.version_sum == self.ok_decisions and self.mismatched_items == 0
                and sum(self.statuses.values()) == self.attempts)

    def summary(self) -> str:
        return (f"{self.reviewers} reviewers, {self.attempts} decisions on {self.items} items in {self.seconds:.1f} s "
                f"({self.attempts / max(self.seconds, 1e-9):.0f}/s)\n"
                f"POST decision: p50 {percentile(self.post_ms, .5):.1f} ms, "
                f"p95 {percentile(self.post_ms, .95):.1f} ms, "
                f"max {max(self.post_ms, default=0):.1f} ms\n"
                f"GET item:      p50 {percentile(self.get_ms, .5):.1f} ms, p95 {percentile(self.get_ms, .95):.1f} ms\n"
                f"statuses: {dict(sorted(self.statuses.items(), key=lambda kv: str(kv[0])))}  (409 = stale version, nothing overwritten)\n"
                f"audit log rows {self.audit_rows} = accepted decisions {self.ok_decisions}; sum of version bumps "
                f"{self.version_sum}; items whose values differ from their last audit row: {self.mismatched_items}\n"
                f"invariants: {'hold' if self.invariants_hold else 'BROKEN'}"
                + "".join(f"\n  {e}" for e in self.errors))


def _reviewer_loop(base: str, token: str, ids: list[int], n: int, subjects: tuple[str, ...], seed: int,
                   report: LoadReport, lock: threading.Lock) -> None:
    import httpx

    rng = random.Random(seed)
    statuses, post_ms, get_ms, errors = Counter(), [], [], []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        for _ in range(n):
            pk = rng.choice(ids)
            try:
                t0 = time.perf_counter()
                got = client.get(f"/api/items/{pk}")
                get_ms.append((time.perf_counter() - t0) * 1000)
                if got.status_code != 200:
                    statuses[f"GET {got.status_code}"] += 1
                    continue
                action = rng.choice(ACTIONS)
                body = {"action": action, "version": got.json()["version"], "comment": f"load {seed}"}
                if action == "edit":
                    body["changes"] = {"subject": rng.choice(subjects)}
                t0 = time.perf_counter()
                r = client.post(f"/api/items/{pk}/decision", json=body)
                post_ms.append((time.perf_counter() - t0) * 1000)
                statuses[r.status_code] += 1
            except httpx.HTTPError as exc:  # counted, so a lost request shows instead of a silent short run
                statuses["transport error"] += 1
                errors.append(f"reviewer {seed}: {type(exc).__name__}: {exc}")
    with lock:
        report.errors.extend(errors[:5])
        report.statuses.update(statuses)
        report.post_ms.extend(post_ms)
        report.get_ms.extend(get_ms)


def check_store(store: Store, report: LoadReport) -> None:
    """Fill in the invariants from the database itself."""
    with store.session() as s:
        report.audit_rows = s.scalar(select(func.count(DecisionRow.id)).where(DecisionRow.action.in_(ACTIONS)))
        report.version_sum = s.scalar(select(func.sum(MechanismRow.version - 1)))
        last = {}
        for d in s.scalars(select(DecisionRow).order_by(DecisionRow.id)):
            last[d.mechanism_pk] = d
        for m in s.scalars(select(MechanismRow)):
            d = last.get(m.id)
            if d is not None and (d.after["values"] != m.current or d.after["version"] != m.version
                                  or d.after["status"] != m.status):
                report.mismatched_items += 1


def run_load(reviewers: int = 20, decisions: int = 2000, acts: int = 4, clauses_per_act: int = 35,
             workdir: Path | None = None, separate_process: bool = True) -> LoadReport:
    """Import a synthetic run, start a server, let `reviewers` threads post `decisions` in total."""
    from .app import create_app
    from .sample import write_sample_run

    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="review-load-")))
        write_sample_run(workdir / "out", acts=acts, clauses_per_act=clauses_per_act, hostile=False)
        url = f"sqlite:///{workdir / 'review.db'}"
        store = Store(url)
        store.import_run(workdir / "out")
        tokens = [store.add_reviewer(f"load-{i}") for i in range(reviewers)]
        with store.session() as s:
            ids = list(s.scalars(select(MechanismRow.id)))
        report = LoadReport(reviewers=reviewers, attempts=decisions, items=len(ids))
        per = [decisions // reviewers + (1 if i < decisions % reviewers else 0) for i in range(reviewers)]
        lock = threading.Lock()
        server = server_process(url) if separate_process else running_server(create_app(url))
        with server as base:
            threads = [threading.Thread(target=_reviewer_loop, args=(base, tokens[i], ids, per[i],
                                                                     store.taxonomy.subjects, i, report, lock))
                       for i in range(reviewers)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            report.seconds = time.perf_counter() - t0
        check_store(store, report)
        store.close()
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m review.loadtest", description=__doc__.splitlines()[0])
    p.add_argument("--reviewers", type=int, default=20)
    p.add_argument("--decisions", type=int, default=2000)
    p.add_argument("--acts", type=int, default=4, help="synthetic acts (≈30 mechanisms each)")
    p.add_argument("--in-process", action="store_true", help="serve from a thread of this process")
    args = p.parse_args(argv)
    report = run_load(args.reviewers, args.decisions, acts=args.acts, separate_process=not args.in_process)
    print(report.summary())
    return 0 if report.invariants_hold else 1


if __name__ == "__main__":
    sys.exit(main())
