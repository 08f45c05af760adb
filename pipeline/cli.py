"""The `clusterlex` command: a thin layer over the flow and the scorer."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Find cluster-policy mechanisms in Russian and Belarusian legal acts (PDF).")
console = Console(stderr=True)

from review.cli import app as review_app  # noqa: E402  (imports its web stack lazily)

app.add_typer(review_app, name="review", help="Review extracted mechanisms in a web app; export decisions as gold.")

EXIT_OK, EXIT_REJECTED = 0, 3


def _quiet_prefect() -> None:
    """Keep Prefect's own logging out of the user's terminal unless they ask for it."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
    # the temporary server that runs the flow when no PREFECT_API_URL is set starts slowly on a busy machine
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")


@app.command()
def run(
    inputs: list[Path] = typer.Argument(..., help="PDF files or folders (searched recursively)."),
    out: Path = typer.Option(Path("outputs"), "--out", "-o", help="Output folder."),
    engine: str = typer.Option("auto", help="PDF engine: auto, pdfplumber or pdfium."),
    workers: int = typer.Option(0, help="Worker processes (0 = one per core)."),
    timeout: float = typer.Option(300.0, help="Time limit per document, seconds."),
    memory_mb: int = typer.Option(1024, "--memory-mb", help="Memory limit per document, MB."),
    force: bool = typer.Option(False, help="Reprocess inputs even when the manifest says they are current."),
    dask_address: Optional[str] = typer.Option(None, "--dask-address",
                                               help="Run the document tasks on this Dask cluster (tcp://host:port)."),
    progress: bool = typer.Option(True, help="Show a progress bar."),
) -> None:
    """Process PDFs into DIR/acts/<name>.json, mechanisms.jsonl, errors.jsonl and run.json.

    Example: clusterlex run corpora/ --out outputs/

    Exit code 0 when every input was processed, 3 when some were rejected (listed in errors.jsonl).
    """
    _quiet_prefect()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .batch import discover_inputs, run_batch as run_flow, set_progress

    missing = [str(p) for p in inputs if not p.exists() and not p.is_symlink()]
    if missing:
        console.print(f"[red]error:[/red] no such file or folder: {', '.join(missing)}")
        raise typer.Exit(2)
    total = len(discover_inputs([str(p) for p in inputs]))
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, disable=not progress, transient=False)
    with bar:
        tid = bar.add_task("acts", total=total)

        def on_doc(name: str, status: str) -> None:
            if status == "start":
                bar.update(tid, description=Path(name).name[:40])
            else:
                bar.advance(tid)

        set_progress(on_doc)
        try:
            info = run_flow([str(p) for p in inputs], out=str(out), engine=engine, workers=workers,
                            timeout=timeout, memory_mb=memory_mb, force=force,
                            dask_address=dask_address)
        finally:
            set_progress(None)
    console.print(f"{info.processed} processed, {info.skipped} unchanged, {info.failed} failed, "
                  f"{info.mechanisms} mechanisms, "
                  f"{info.pages} pages in {info.seconds:.1f} s → {out}")
    if info.failed:
        for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            console.print(f"[yellow]rejected[/yellow] {row['file']}: {row['reason']}: {row['message']}")
        raise typer.Exit(EXIT_REJECTED)


def _fmt(x) -> str:
    return "—" if x is None else f"{x:.3f}"


@app.command()
def evaluate(
    gold: Path = typer.Option(..., "--gold", help="Folder with <name>.gold.json files (recursive)."),
    pred: Path = typer.Option(..., "--pred", help="Output folder of a run (or its acts/ folder)."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
    errors: bool = typer.Option(False, "--errors", help="List every false positive, false negative and mismatch."),
) -> None:
    """Score predictions against gold exactly as SPEC §7 says, plus clause recall.

    Example: clusterlex evaluate --gold corpora/devset --pred outputs/
    """
    from .evaluate import evaluate as run_eval

    try:
        report = run_eval(gold, pred)
    except FileNotFoundError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2)
    data = report.as_dict()
    if errors:
        data["errors"] = {d.name: d.errors for d in report.docs if d.errors}
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    out = Console()
    m = data["mechanisms"]
    out.print(f"documents: {data['documents']}"
              + (f"  (no prediction for: {', '.join(data['missing_predictions'])})" if data["missing_predictions"] else ""))
    out.print(f"mechanisms: P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  "
              f"(tp {m['tp']}, fp {m['fp']}, fn {m['fn']})")
    out.print(f"clause recall: {_fmt(data['clause_recall']['accuracy'])}   subject accuracy: "
              f"{_fmt(data['subject']['accuracy'])}   category F1: {data['categories']['f1']:.3f}")
    out.print(f"amount accuracy: {_fmt(data['amounts']['accuracy'])}   threshold accuracy: "
              f"{_fmt(data['thresholds']['accuracy'])}")
    out.print("act metadata: " + "  ".join(f"{k} {_fmt(v['accuracy'])}" for k, v in data["act"].items()))
    for title, key in (("type", "per_type"), ("category", "per_category")):
        t = Table(title=f"per {title}")
        for col in (title, "P", "R", "F1", "tp", "fp", "fn"):
            t.add_column(col)
        for k, v in data[key].items():
            t.add_row(k, f"{v['precision']:.3f}", f"{v['recall']:.3f}", f"{v['f1']:.3f}", str(v["tp"]),
                      str(v["fp"]), str(v["fn"]))
        out.print(t)
    t = Table(title="per document")
    for col in ("document", "F1", "tp", "fp", "fn", "subject", "clause recall", "act"):
        t.add_column(col)
    for name, d in data["per_document"].items():
        mm = d["mechanisms"]
        t.add_row(name, f"{mm['f1']:.3f}", str(mm["tp"]), str(mm["fp"]), str(mm["fn"]),
                  _fmt(d["subject"]["accuracy"]), _fmt(d["clause_recall"]["accuracy"]),
                  " ".join(k for k, ok in d["act"].items() if not ok) or "ok")
    out.print(t)
    if errors:
        for name, errs in data["errors"].items():
            out.print(f"\n[bold]{name}[/bold]")
            for e in errs:
                if e["kind"] == "mismatch":
                    out.print(f"  MISMATCH {e['type']}: subject {e['gold_subject']}→{e['pred_subject']} "
                              f"categories {e['gold_categories']}→{e['pred_categories']}: {e['text'][:160]}",
                              markup=False)
                else:
                    out.print(f"  {e['kind']} {e['type']}/{e.get('subject')}: {e['text'][:200]}", markup=False)


@app.command()
def serve(
    inbox: Path = typer.Option(..., "--inbox", help="Folder watched for newly published acts (PDF)."),
    out: Path = typer.Option(Path("outputs"), "--out", help="Output folder."),
    cron: str = typer.Option("0 3 * * *", "--cron", help="Schedule, cron syntax."),
    workers: int = typer.Option(0, help="Worker processes per run (0 = one per core)."),
    start_server: bool = typer.Option(True, help="Start a local Prefect server when PREFECT_API_URL is not set."),
) -> None:
    """Serve the batch flow as a Prefect deployment that runs on a schedule (blocks; Ctrl-C stops it).

    Example: clusterlex serve --inbox /data/inbox --out /data/clusterlex --cron "0 3 * * *"

    Scheduling needs a real Prefect server: the one at PREFECT_API_URL, or a local one started here
    on a loopback port (its database under OUT/.prefect).
    """
    _quiet_prefect()
    from .serve import local_server, serve as serve_flow

    if not inbox.is_dir():
        console.print(f"[red]error:[/red] the inbox {inbox} is not a folder")
        raise typer.Exit(2)
    if os.environ.get("PREFECT_API_URL"):
        serve_flow(inbox, out, cron, workers)
        return
    if not start_server:
        console.print("[red]error:[/red] scheduling needs a Prefect server: set PREFECT_API_URL, "
                      "or drop --no-start-server to start a local one")
        raise typer.Exit(2)
    with local_server(out.resolve() / ".prefect") as url:
        os.environ["PREFECT_API_URL"] = url
        console.print(f"Prefect server at {url}; serving on schedule {cron!r}")
        serve_flow(inbox, out, cron, workers)


@app.command()
def train(
    corpora: list[Path] = typer.Argument(None, help="Folders with *.gold.json (default: corpora/devset corpora/own)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Model folder (default: the one bundled in the package)."),
    folds: int = typer.Option(5, help="Outer cross-validation folds, grouped by document."),
) -> None:
    """Train the category model on annotated acts, compare it with the rules by cross-validation, save it.

    Example: clusterlex train corpora/devset corpora/own

    The saved metadata (training.json) records the corpus files and hashes, the held-out scores of the
    rules, the model and their combinations, and which one the pipeline uses.
    """
    from importlib import resources

    from extractors.catmodel import MODEL_DIR, train_main

    folders = corpora or [Path("corpora/devset"), Path("corpora/own")]
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        console.print(f"[red]error:[/red] not a folder: {', '.join(missing)}")
        raise typer.Exit(2)
    target = out or Path(str(resources.files("extractors").joinpath(MODEL_DIR)))
    try:
        meta = train_main(folders, target, outer=folds)
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2)
    console.print_json(data={k: meta[k] for k in ("combine", "cv") if k in meta})
    console.print(f"model saved to {target}")


@app.command()
def schema(out: Path = typer.Option(Path("outputs/schema"), "--out", help="Folder for the JSON Schemas.")) -> None:
    """Write the JSON Schemas of every output file.

    Example: clusterlex schema --out outputs/schema
    """
    from .outputs import write_schemas

    for p in write_schemas(out):
        console.print(str(p))


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
