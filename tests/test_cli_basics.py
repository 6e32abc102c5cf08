"""CLI behaviour shared by every command: help, one-line errors, batch exit codes, every --format."""

from __future__ import annotations

import pytest

from tenderscan.render.writers import RENDERERS, OutputFormat

from .conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"


def test_help(cli):
    r = cli("--help")
    assert r.exit_code == 0
    assert "show" in r.stdout


def test_every_output_format_has_a_renderer():
    assert set(RENDERERS) == set(OutputFormat)


@pytest.mark.parametrize("fmt", [f.value for f in OutputFormat])
def test_formats_command_in_every_format(cli, fmt):
    r = cli("formats", "--format", fmt)
    assert r.exit_code == 0, r.stderr


@pytest.mark.parametrize(
    "name, code, words",
    [
        ("billion_laughs.xml", 3, "refused"),
        ("external_entity_file.xml", 3, "refused"),
        ("empty.xml", 3, "empty"),
        ("not_xml.xml", 3, "neither XML"),
        ("captcha_page.html", 3, "HTML page"),
    ],
)
def test_bad_single_input_is_one_line_with_its_exit_code(cli, name, code, words):
    r = cli("show", "--format", "json", str(HOSTILE / name))
    assert r.exit_code == code
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert words in lines[0]
    assert "Traceback" not in r.stderr


def test_missing_path(cli):
    r = cli("show", "no/such/file.xml")
    assert r.exit_code in (3, 4)
    assert "Traceback" not in r.stderr


def test_batch_goes_on_and_exits_1(cli):
    r = cli("show", "--format", "jsonl", str(HOSTILE))
    assert r.exit_code == 1
    assert "inputs failed" in r.stderr
    assert "Traceback" not in r.stderr


def test_debug_shows_traceback():
    from typer.testing import CliRunner

    from tenderscan.cli import app

    r = CliRunner().invoke(app, ["--debug", "show", str(HOSTILE / "empty.xml")])
    assert r.exit_code != 0
    assert r.exception is not None
