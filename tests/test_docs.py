"""The README documents every command and every option, and starts with the two set-up commands."""

from __future__ import annotations

import re

import pytest

from tenderscan.cli import app

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands():
    import typer.main

    group = typer.main.get_command(app)
    return group, sorted(group.commands)


def _section(name: str) -> str:
    m = re.search(rf"^### `tenderscan {re.escape(name)}`\n(.*?)(?=^### |^## |\Z)", README, re.S | re.M)
    return m.group(1) if m else ""


@pytest.mark.parametrize("name", _commands()[1])
def test_every_command_has_help_and_a_readme_section(name):
    group, _ = _commands()
    cmd = group.commands[name]
    assert (cmd.help or "").strip(), f"`{name}` has no help text"
    section = _section(name)
    assert section, f"README has no `### \\`tenderscan {name}\\`` section"
    assert f"tenderscan {name}" in section, f"README section for {name} has no example"
    for param in cmd.params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert opt in section, f"README section for `{name}` does not mention {opt}"
        if param.param_type_name == "option":
            assert (getattr(param, "help", "") or "").strip(), f"{name} {param.opts} has no help"


def test_readme_starts_with_exactly_two_setup_commands():
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    head = README.split("## ")[0]
    first_two = re.findall(r"```sh\n(.*?)```", head, re.S)
    assert len(first_two) == 2, "the README must start with exactly two set-up commands"
    for block in first_two:
        assert len(block.strip().splitlines()) == 1
    assert blocks[:2] == first_two


def test_ci_runs_the_readmes_test_command():
    second = re.findall(r"```sh\n(.*?)```", README, re.S)[1].strip()
    ci = (ROOT / ".ci" / "run").read_text()
    assert second in ci


def test_first_readme_command_uses_bundled_files():
    first = re.findall(r"```sh\n(.*?)```", README, re.S)[0]
    for path in re.findall(r"fixtures/\S+", first):
        assert (ROOT / path).exists(), path
