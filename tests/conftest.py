from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
ZAKUPKI = FIXTURES / "zakupki"

# tests never touch the user's real store or the real portals
os.environ.setdefault("TENDERSCAN_ZAKUPKI_URL", "http://127.0.0.1:9")
os.environ.setdefault("TENDERSCAN_PROZORRO_URL", "http://127.0.0.1:9")
os.environ.setdefault("TENDERSCAN_TED_URL", "http://127.0.0.1:9")
os.environ.setdefault("TENDERSCAN_CBR_URL", "http://127.0.0.1:9")
os.environ["COLUMNS"] = "200"


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path, monkeypatch):
    """Every test gets its own empty store directory."""
    monkeypatch.setenv("TENDERSCAN_STORE", str(tmp_path / "store"))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(*args: str, input: bytes | str | None = None, env: dict | None = None):
    """Invoke the CLI in-process; returns the click Result (exit_code, stdout, stderr separately)."""
    from tenderscan.cli import app

    return CliRunner().invoke(app, list(args), input=input, env=env, catch_exceptions=False)


@pytest.fixture
def cli():
    return run
