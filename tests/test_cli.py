"""Every command has help with an example; bad arguments give one clear line."""
import pytest
from typer.testing import CliRunner

from pipeline.cli import app

runner = CliRunner()
COMMANDS = [c.name or c.callback.__name__ for c in app.registered_commands]


@pytest.mark.parametrize("command", COMMANDS)
def test_cli_every_command_has_help_with_example(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_cli_run_missing_input_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "nope.pdf"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "no such file or folder" in result.output


def test_cli_evaluate_without_gold_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["evaluate", "--gold", str(tmp_path), "--pred", str(tmp_path)])
    assert result.exit_code == 2
    assert "no *.gold.json" in result.output
