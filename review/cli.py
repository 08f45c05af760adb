"""The `review` commands (mounted as `clusterlex review …`): a thin layer over the store and the web app."""
from __future__ import annotations

import ipaddress
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from . import DEFAULT_DB
from .errors import ReviewError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Review extracted mechanisms in the browser; decisions flow back as gold.")
console = Console(stderr=True)


def _db_option():
    return typer.Option(DEFAULT_DB, "--db", envvar="CLUSTERLEX_REVIEW_DB",
                        help="SQLAlchemy URL of the review store (SQLite file or PostgreSQL).")


def _store(db: str):
    from .store import Store

    try:
        return Store(db)
    except Exception as exc:  # a bad URL or an unreachable server: one line, not a traceback
        console.print(f"[red]error:[/red] cannot open the review store {db}: {exc}", markup=False)
        raise typer.Exit(2)


def _fail(exc: Exception) -> None:
    console.print(f"error: {exc}", markup=False, style="red")
    raise typer.Exit(2)


@app.command("import")
def import_(
    out_dir: Path = typer.Argument(..., help="A run's output folder (with acts/<name>.json)."),
    db: str = _db_option(),
    pdf_root: Optional[Path] = typer.Option(None, "--pdf-root", help="Folder holding the source PDFs."),
) -> None:
    """Import a run's output; re-importing is safe, changed predictions of reviewed items need re-review.

    Example: clusterlex review import outputs/ --pdf-root corpora/
    """
    if not out_dir.is_dir():
        _fail(ReviewError(f"no such folder: {out_dir}"))
    if pdf_root is not None and not pdf_root.is_dir():
        _fail(ReviewError(f"no such folder: {pdf_root}"))
    try:
        r = _store(db).import_run(out_dir, pdf_root)
    except ReviewError as exc:
        _fail(exc)
    console.print(f"{r.acts} acts: {r.new} new, {r.changed} changed, {r.unchanged} unchanged mechanisms; "
                  f"{len(r.flagged)} flagged for re-review")
    if r.gone:
        console.print(f"{len(r.gone)} mechanisms are no longer predicted (kept in the store)")
    if r.pdf_missing:
        console.print(f"no matching PDF under {pdf_root} for: {', '.join(r.pdf_missing)}", markup=False)


@app.command("add-reviewer")
def add_reviewer(
    name: str = typer.Argument(..., help="The reviewer's name."),
    admin: bool = typer.Option(False, "--admin", help="May add and deactivate reviewers."),
    db: str = _db_option(),
) -> None:
    """Add a reviewer and print their token (shown once; only its hash is stored).

    Example: clusterlex review add-reviewer anna --admin
    """
    try:
        token = _store(db).add_reviewer(name, admin)
    except ReviewError as exc:
        _fail(exc)
    console.print(f"reviewer {name!r} added{' (admin)' if admin else ''}; their token, shown once:", markup=False)
    sys.stdout.write(token + "\n")


@app.command()
def serve(
    db: str = _db_option(),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on (loopback by default)."),
    port: int = typer.Option(8765, help="TCP port."),
    secure_cookies: bool = typer.Option(False, "--secure-cookies", help="Send the session cookie over HTTPS only."),
) -> None:
    """Serve the review web app and its JSON API.

    Example: clusterlex review serve --port 8765
    """
    import uvicorn

    from .app import create_app

    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback and not secure_cookies:
        console.print("warning: listening beyond loopback without --secure-cookies; put it behind HTTPS")
    _store(db).close()  # fail early, with one line, on a bad URL
    console.print(f"review app on http://{host}:{port}/")
    uvicorn.run(create_app(db, secure_cookies=secure_cookies), host=host, port=port, log_level="warning")


@app.command()
def export(
    format: str = typer.Option(..., "--format", help="gold or label-studio."),
    out: Path = typer.Option(..., "--out", help="Folder for gold files, or the Label Studio tasks file."),
    db: str = _db_option(),
) -> None:
    """Export fully reviewed acts as <name>.gold.json (SPEC §7), or all items as Label Studio tasks.

    Example: clusterlex review export --format gold --out corpora/reviewed/
    """
    store = _store(db)
    if format == "gold":
        written = store.export_gold(out)
        console.print(f"{len(written)} gold files → {out}")
    elif format == "label-studio":
        n = store.export_label_studio(out)
        console.print(f"{n} tasks → {out} (labeling config beside it)")
    else:
        _fail(ReviewError(f"--format: gold or label-studio, not {format!r}"))


@app.command("import-label-studio")
def import_label_studio(
    file: Path = typer.Argument(..., help="A Label Studio JSON export of tasks made by `export`."),
    db: str = _db_option(),
    reviewer: str = typer.Option("label-studio", help="Reviewer name the decisions are recorded under."),
) -> None:
    """Read Label Studio annotations back as decisions on items still open.

    Example: clusterlex review import-label-studio project-1-export.json
    """
    try:
        counts = _store(db).import_label_studio(file, reviewer)
    except ReviewError as exc:
        _fail(exc)
    console.print(json.dumps(counts))


if __name__ == "__main__":  # pragma: no cover
    app()
