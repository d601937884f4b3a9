"""Docs as tests: the README names every setting; every command's --help runs."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from core.settings import ENV_VARS
from web.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_readme_opens_with_the_two_commands():
    head = README[:600]
    assert "make run" in head and "make test" in head


@pytest.mark.parametrize("name", sorted(ENV_VARS))
def test_every_setting_is_in_the_readme(name):
    assert f"`{name}`" in README


@pytest.mark.parametrize(
    "command", [[], ["serve"], ["migrate"], ["demo"], ["create-admin"], ["worker"], ["merge-report"]]
)
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
