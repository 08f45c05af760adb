"""The batch without Prefect: inputs, the plan against the manifest, supervised workers, the run summary.

`pipeline.flow` wraps `execute` in a Prefect flow with one task per document; a run with nothing to
process uses `execute` directly, so it does not even import Prefect.
"""
from __future__ import annotations

import json
import os
import platform
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from . import process, tempapi
from .manifest import Manifest
from .models import ErrorRow, MechanismRow, RunInfo, StageTimes
from .outputs import write_jsonl, write_model
from .workers import Limits, WorkerPool, call

# The CLI registers a callback here to draw its progress bar; flows take only serializable parameters.
_progress: list[Callable[[str, str], None]] = []


def set_progress(callback: Callable[[str, str], None] | None) -> None:
    _progress.clear()
    if callback is not None:
        _progress.append(callback)


def _notify(name: str, status: str) -> None:
    for cb in _progress:
        cb(name, status)


MANIFEST_NAME = "manifest.sqlite"
WARM = "pipeline.process:warm"  # what a worker loads before its first document
_POOL: WorkerPool | None = None
# Documents started before the flow, while Prefect's API was starting: (path, act file, sha) -> future
_EARLY: dict[tuple[str, str, str], Future] = {}
_EARLY_OPEN = threading.Event()  # set while the workers may still take documents ahead of the flow
_EARLY_LOCK = threading.Lock()  # taking a document ahead, and the flow closing that, one at a time


def _stage(target: str, *args, deadline: float | None = None) -> tuple[object, float]:
    """Run a call in a supervised worker when a pool is up, else in this process (e.g. on a Dask worker).

    Returns the result and the seconds of work it took (without queueing or transfer).
    """
    if _POOL is not None:
        return _POOL.run_timed(target, *args, deadline=deadline)
    t = time.perf_counter()
    return call(target, args), time.perf_counter() - t


@dataclass(frozen=True)
class Input:
    """A discovered input file and the folder it was found under (None when named directly)."""

    path: Path
    root: Path | None = None

    def outside_root(self) -> bool:
        """A link found under a folder that points out of it is not read (it could expose any file)."""
        if self.root is None:
            return False
        try:
            self.path.resolve().relative_to(self.root.resolve())
            return False
        except ValueError:
            return True


def discover(inputs: list[str]) -> list[Input]:
    """PDF files named directly or found recursively under the given folders, in a stable order."""
    found: list[Input] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            found.extend(Input(q, p) for q in sorted(p.rglob("*"))
                         if q.suffix.lower() == ".pdf" and (q.is_symlink() or not q.is_dir()))
        else:
            found.append(Input(p))
    seen: set[Path] = set()
    unique = []
    for inp in found:
        key = inp.path.absolute()
        if key not in seen:
            seen.add(key)
            unique.append(inp)
    return unique


def discover_inputs(inputs: list[str]) -> list[Path]:
    """The paths of `discover`."""
    return [i.path for i in discover(inputs)]


@dataclass
class DocResult:
    """What processing one input gave: the output path or an error row, and stage times."""

    file: str
    sha256: str | None = None
    output: str | None = None
    error: ErrorRow | None = None
    pages: int = 0
    clauses: int = 0
    mechanisms: int = 0
    times: dict[str, float] = field(default_factory=dict)


def output_name(path: Path, sha: str, taken: dict[str, str], key: str) -> str:
    """`<stem>.json`, or `<stem>-<hash8>.json` when another input already has that stem."""
    name, n = f"{path.stem}.json", 1
    while taken.get(name, key) != key:
        name = f"{path.stem}-{sha[:8]}.json" if n == 1 else f"{path.stem}-{sha[:8]}-{n}.json"
        n += 1
    taken[name] = key
    return name


Job = tuple[str, str, str, str]  # manifest key, input path, act file, sha256
Submit = Callable[[list[Job], str, str, float], Iterable[DocResult]]


def process_one(path: str, target: str, sha: str, run_id: str, engine: str, seconds: float) -> DocResult:
    """Every stage for one input in one worker; any failure becomes one error row and no output file."""
    res = DocResult(file=path, sha256=sha)
    deadline = time.monotonic() + seconds if seconds else None
    _notify(path, "start")
    try:
        early = _EARLY.pop((path, target, sha), None)
        out, _ = early.result() if early is not None else _stage(
            "pipeline.process:run_document", path, target, sha, run_id, engine, deadline, deadline=deadline)
        res.output, res.pages = target, out["pages"]
        res.clauses, res.mechanisms, res.times = out["clauses"], out["mechanisms"], out["times"]
    except Exception as exc:  # one bad input must not stop the batch
        reason = getattr(exc, "reason", None) or ("missing" if isinstance(exc, FileNotFoundError) else "failed")
        message = str(exc) or exc.__class__.__name__
        res.error = ErrorRow(file=path, sha256=sha, reason=reason, message=message,
                             stage=getattr(exc, "stage", None) or "ingest", run_id=run_id)
    _notify(path, "ok" if res.error is None else "error")
    return res


def rebuild_mechanisms(out: Path) -> int:
    """`mechanisms.jsonl` as the union of the current per-document files, rewritten atomically."""
    rows = []
    for p in sorted((out / "acts").glob("*.json")):
        data = json.loads(p.read_text(encoding="utf-8"))
        act = data.get("act") or {}
        clauses = {c["id"]: c for c in data.get("clauses", [])}
        for m in data.get("mechanisms", []):
            rows.append(MechanismRow(**m, doc_id=data["doc_id"], file=data["source"]["file"],
                                     act_country=act.get("country"), act_type=act.get("type"),
                                     act_number=act.get("number"), act_date=act.get("date"),
                                     page_start=(clauses.get(m["clause_id"]) or {}).get("page_start")))
    return write_jsonl(out / "mechanisms.jsonl", rows)


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for pkg in ("clusterlex", "pdfplumber", "pypdfium2", "natasha", "slovnet", "spacy", "pymorphy3", "prefect",
                "pydantic"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return versions


@dataclass
class Plan:
    """What a run has to do: documents to process, inputs to reject, inputs unchanged since their last run."""

    jobs: list[Job] = field(default_factory=list)
    rejects: list[tuple[Path, str, str, str | None]] = field(default_factory=list)  # path, reason, message, sha
    unchanged: list[Path] = field(default_factory=list)


def _plan(found: list[Input], manifest: Manifest, version: str, out_dir: Path, force: bool) -> Plan:
    """Sort the discovered inputs into a `Plan`; reads the manifest, changes nothing.

    The same manifest gives the same plan, act file names included (the pre-flow look relies on it).
    A document this run started before the flow (`_EARLY`) is a job even when already recorded.
    """
    early = {path for path, _, _ in _EARLY}
    plan = Plan()
    taken = manifest.outputs_taken()
    first_by_sha: dict[str, str] = {}
    for inp in found:
        path = inp.path
        key = str(path.absolute())
        if inp.outside_root():
            plan.rejects.append((path, "outside_input", f"a link to {path.resolve()}, outside the input folder "
                                 f"{inp.root}; copy the file into the folder to process it", None))
            continue
        try:
            sha = process.sha256_file(path)
        except OSError as exc:
            plan.rejects.append((path, "missing" if isinstance(exc, FileNotFoundError) else "unreadable",
                                 f"cannot read the file: {exc.strerror or exc}", None))
            continue
        if sha in first_by_sha:
            plan.rejects.append((path, "duplicate", f"same content as {first_by_sha[sha]}; "
                                 "its results stand for both", sha))
            continue
        first_by_sha[sha] = str(path)
        if not force and str(path) not in early and manifest.is_current(key, sha, version, out_dir):
            plan.unchanged.append(path)
            continue
        prior = manifest.get(key)
        name = prior.output if prior and prior.output else output_name(path, sha, taken, key)
        plan.jobs.append((key, str(path), str(out_dir / "acts" / name), sha))
    # Largest files first: a long act started last would leave the other workers idle at the end.
    plan.jobs.sort(key=lambda job: -_size(job[1]))
    return plan


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def default_workers() -> int:
    return max(1, os.cpu_count() or 1)


def execute(inputs: list[str], out: str = "outputs", engine: str = "auto", workers: int = 0,
            timeout: float = 300.0, memory_mb: int = 1024, force: bool = False, distributed: bool = False,
            run_id: str | None = None, submit: Submit | None = None) -> RunInfo:
    """The batch: plan the inputs, process the jobs through `submit`, write the run summary.

    `submit(jobs, run_id, engine, timeout)` yields one `DocResult` per job as each finishes (the flow
    passes its Prefect tasks); it is not called when there is nothing to process, so a run with
    nothing new needs no Prefect at all. Locally, `workers` supervised processes (0 = one per core)
    run the documents under `timeout` seconds and `memory_mb` of memory each.
    """
    global _POOL
    with _EARLY_LOCK:  # from here on the flow plans and runs every document not already begun
        _EARLY_OPEN.clear()
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    run_id = run_id or uuid.uuid4().hex
    out_dir = Path(out)
    (out_dir / "acts").mkdir(parents=True, exist_ok=True)
    for stale in [*out_dir.glob(".*.tmp"), *(out_dir / "acts").glob(".*.tmp")]:
        stale.unlink(missing_ok=True)  # left by a run that was killed mid-write
    version = process.pipeline_version()
    manifest = Manifest(out_dir / MANIFEST_NAME)
    found = discover(inputs)
    paths = [i.path for i in found]
    results: list[DocResult] = []
    plan = _plan(found, manifest, version, out_dir, force)
    for path, reason, message, sha in plan.rejects:
        results.append(DocResult(file=str(path), sha256=sha, error=ErrorRow(
            file=str(path), sha256=sha, reason=reason, message=message, stage="read", run_id=run_id)))
        _notify(str(path), "error")
    for path in plan.unchanged:
        _notify(str(path), "unchanged")
    jobs, skipped = plan.jobs, len(plan.unchanged)
    n = workers or default_workers()
    local = jobs and not distributed
    own_pool = local and _POOL is None
    if own_pool:
        _POOL = WorkerPool(min(n, len(jobs)), Limits(seconds=timeout, memory_mb=memory_mb), warm=WARM)
    try:
        by_file = {p: (key, t, sha) for key, p, t, sha in jobs}
        for res in (submit(jobs, run_id, engine, timeout) if jobs and submit is not None else ()):
            key, target, sha = by_file[res.file]
            results.append(res)
            manifest.record(key, sha, version, Path(target).name if res.error is None else None,
                            "ok" if res.error is None else "failed", res.error.reason if res.error else None,
                            res.pages, res.mechanisms)
    finally:
        if own_pool and _POOL is not None:
            _POOL.close()
            _POOL = None
    current = {str(p.absolute()) for p in paths}
    missing = [p for p in manifest.known_paths() if p not in current and not Path(p).exists()]
    manifest.close()
    results.sort(key=lambda r: r.file)
    errors = [r.error for r in results if r.error is not None]
    write_jsonl(out_dir / "errors.jsonl", errors)
    mechanisms = rebuild_mechanisms(out_dir)
    times = StageTimes(**{k: round(sum(r.times.get(k, 0.0) for r in results), 3)
                          for k in ("ingest", "structure", "nlp", "write")})
    info = RunInfo(run_id=run_id, pipeline_version=process.pipeline_version(),
                   started_at=started.isoformat(timespec="seconds"),
                   finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                   inputs=len(paths), processed=sum(r.error is None for r in results), skipped=skipped,
                   failed=len(errors), missing=missing,
                   pages=sum(r.pages for r in results), clauses=sum(r.clauses for r in results),
                   mechanisms=mechanisms, seconds=round(time.perf_counter() - t0, 3), stage_seconds=times,
                   versions=library_versions())
    write_model(out_dir / "run.json", info)
    return info


def run_batch(inputs: list[str], out: str = "outputs", *, dask_address: str | None = None,
              **options) -> RunInfo:
    """Run the batch flow locally, or on the Dask cluster at `dask_address` (tcp://host:port).

    With nothing new or changed the batch runs without Prefect (not even imported): it still rebuilds
    the index, writes run.json and reports missing inputs, in well under a second.
    """
    if dask_address:
        from prefect_dask import DaskTaskRunner

        from .flow import batch_flow

        runner = DaskTaskRunner(address=dask_address)
        return batch_flow.with_options(task_runner=runner)(inputs, out, distributed=True, **options)
    global _POOL
    n = options.get("workers") or default_workers()
    jobs = _pending_jobs(inputs, Path(out), bool(options.get("force")))
    if not jobs:
        return execute(inputs, out, **options)
    # Prefect's temporary API (when no server is configured) starts while the workers load their
    # models and then take the first documents; the flow's tasks collect those documents' results.
    # The workers go first: importing Prefect takes this process a second.
    run_id = uuid.uuid4().hex
    _POOL = WorkerPool(min(n, len(jobs)), Limits(seconds=options.get("timeout", 300.0),
                                                memory_mb=options.get("memory_mb", 1024)), warm=WARM)
    api = tempapi.start_if_needed()
    from prefect.task_runners import ThreadPoolTaskRunner

    from .flow import batch_flow
    try:
        if api is not None:
            _start_early(jobs, run_id, options.get("engine", "auto"), options.get("timeout", 300.0), _POOL.size,
                         Path(out))
            api.join()
        run = batch_flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=n))
        if api is None or api.url is None:
            return run(inputs, out, run_id=run_id, **options)
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: api.url}):
            return run(inputs, out, run_id=run_id, **options)
    finally:
        if _POOL is not None:
            _POOL.close()
            _POOL = None
        _EARLY_OPEN.clear()
        _EARLY.clear()
        if api is not None:
            api.stop()


def _start_early(jobs: list[Job], run_id: str, engine: str, seconds: float, lanes: int,
                 out: Path) -> None:
    """Let the workers take documents, in the flow's order, until the flow itself starts (`execute`).

    Each document runs exactly as the flow runs it (`run_document` in a supervised worker, same act
    file, run id and time limit); its task in the flow then waits for this result instead of starting
    the document again. A finished document is recorded in the manifest at once, so a run killed
    before the flow collects it does not redo it.
    """
    queue = iter(jobs)
    lock = threading.Lock()
    version = process.pipeline_version()
    _EARLY_OPEN.set()

    def lane() -> None:
        while True:
            with _EARLY_LOCK:
                job = next(queue, None) if _EARLY_OPEN.is_set() else None
                if job is None:
                    return
                _, path, target, sha = job
                fut: Future = Future()
                _EARLY[(path, target, sha)] = fut
            deadline = time.monotonic() + seconds if seconds else None
            try:
                result = _stage("pipeline.process:run_document", path, target, sha, run_id, engine,
                                deadline, deadline=deadline)
            except BaseException as exc:  # the document's task re-raises it and writes its error row
                fut.set_exception(exc)
                continue
            try:
                with lock:
                    manifest = Manifest(out / MANIFEST_NAME)
                    try:
                        manifest.record(job[0], sha, version, Path(target).name, "ok", None,
                                        result[0]["pages"], result[0]["mechanisms"])
                    finally:
                        manifest.close()
            except Exception:  # the flow records it again when it collects the result
                pass
            fut.set_result(result)

    for i in range(lanes):
        threading.Thread(target=lane, name=f"early-{i}", daemon=True).start()


def _pending_jobs(inputs: list[str], out: Path, force: bool) -> list[Job]:
    """The documents the flow will process, as it will plan them (a look before the flow starts)."""
    path = out / MANIFEST_NAME
    found = discover(inputs)
    if not path.exists():
        manifest = Manifest(":memory:")
    else:
        manifest = Manifest(path)
    try:
        return _plan(found, manifest, process.pipeline_version(), out, force).jobs
    finally:
        manifest.close()


__all__ = ["run_batch", "execute", "discover", "discover_inputs", "set_progress", "process_one", "DocResult"]
