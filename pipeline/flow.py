"""The clusterlex Prefect flow: one thin task per input PDF (its stages run in a worker), one run summary.

One task per document, not per stage: the stages pass page records and clauses from one to the next,
which stay in the worker, and each task run costs Prefect's API tens of milliseconds of CPU.
"""
from __future__ import annotations

from prefect import flow, task
from prefect.cache_policies import NONE as NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from . import batch
from .batch import DocResult, Job, discover, discover_inputs, run_batch, set_progress
from .models import RunInfo


@task(name="process-document", cache_policy=NO_CACHE)
def process_document(path: str, target: str, sha: str, run_id: str, engine: str, seconds: float) -> DocResult:
    """Every stage for one input in one worker; any failure becomes one error row and no output file."""
    return batch.process_one(path, target, sha, run_id, engine, seconds)


def _submit(jobs: list[Job], run_id: str, engine: str, seconds: float):
    """The documents as Prefect tasks, their results as each finishes."""
    futures = [process_document.submit(p, t, sha, run_id, engine, seconds) for _, p, t, sha in jobs]
    for fut in as_completed(futures):
        yield fut.result()


@flow(name="clusterlex", log_prints=False, task_runner=ThreadPoolTaskRunner(max_workers=16))
def batch_flow(inputs: list[str], out: str = "outputs", engine: str = "auto", workers: int = 0,
               timeout: float = 300.0, memory_mb: int = 1024, force: bool = False, distributed: bool = False,
               run_id: str | None = None) -> RunInfo:
    """Process every PDF under `inputs` into `out`: acts/*.json, mechanisms.jsonl, errors.jsonl, run.json.

    Locally, `workers` supervised processes (0 = one per core) each run one document at a time under
    `timeout` seconds and `memory_mb` of memory per document. With `distributed`, the task runner
    (Dask) places the document tasks and each runs its stages in its worker's own process.
    """
    return batch.execute(inputs, out, engine=engine, workers=workers, timeout=timeout, memory_mb=memory_mb,
                         force=force, distributed=distributed, run_id=run_id, submit=_submit)


run_flow = run_batch  # the entry point by its older name

__all__ = ["run_flow", "run_batch", "batch_flow", "discover", "discover_inputs", "set_progress"]
