"""The review commands: help with an example each, import, add-reviewer, export, clear one-line errors."""
import json

import pytest
from typer.testing import CliRunner

from review.cli import app

runner = CliRunner()
COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands]


@pytest.mark.parametrize("command", COMMANDS)
def test_cli_every_review_command_has_help_with_example(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output


def test_cli_commands_are_the_documented_ones():
    assert set(COMMANDS) == {"import", "add-reviewer", "serve", "export", "import-label-studio"}


def test_cli_import_add_reviewer_export(sample_run, tmp_path):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    r = runner.invoke(app, ["import", str(sample_run), "--db", db, "--pdf-root", str(sample_run / "pdf")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["add-reviewer", "zoe", "--admin", "--db", db])
    assert r.exit_code == 0 and len(r.stdout.strip().splitlines()[-1]) >= 40
    r = runner.invoke(app, ["export", "--format", "label-studio", "--out", str(tmp_path / "ls.json"), "--db", db])
    assert r.exit_code == 0 and json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    r = runner.invoke(app, ["import-label-studio", str(tmp_path / "ls.json"), "--db", db])
    assert r.exit_code == 0 and '"no_annotation"' in r.output
    r = runner.invoke(app, ["export", "--format", "gold", "--out", str(tmp_path / "gold"), "--db", db])
    assert r.exit_code == 0 and "0 gold files" in r.output


@pytest.mark.parametrize("args,message", [
    (["import", "/nonexistent/out"], "no such folder"),
    (["export", "--format", "csv", "--out", "x"], "gold or label-studio"),
    (["add-reviewer", "bad/name"], "reviewer name"),
    (["import-label-studio", "/nonexistent.json"], "not a Label Studio JSON export"),
])
def test_cli_errors_are_one_clear_line(tmp_path, args, message):
    result = runner.invoke(app, args + ["--db", f"sqlite:///{tmp_path / 'r.db'}"])
    assert result.exit_code == 2 and message in result.output
