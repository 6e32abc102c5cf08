"""Every offline example in the README runs as written, from a copy of the repository root, and exits as the
README says (issue 14 item 25).

A README shell block (```sh) is a list of commands run in order, top to bottom of the README, in one temporary
folder where ``fixtures/`` and ``src/`` are the repository's (read only) and ``~`` and the default store are
temporary: what one example writes (a store, a file) the next ones may read, as when a user follows the README.
An example exits 0 unless its comment says ``exits N``. Blocks marked ```sh online need the portals and are
not run; neither are the two set-up commands at the top (CI runs them) nor a command whose program is not
installed (``duckdb``).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


from .conftest import ROOT

README = ROOT / "README.md"
BIN = Path(sys.executable).parent  # tenderscan is installed beside this Python
SHELL = re.compile(r"[|<>;&$`*?(){}]")  # what needs a shell (pipes, redirects, globs, substitutions)


@dataclass
class Example:
    line: int  # in the README
    command: str
    exits: int
    online: bool


def examples(text: str) -> list[Example]:
    """The commands of the README's shell blocks, after the set-up commands at the top."""
    out: list[Example] = []
    first_section = text.index("\n## ")
    for m in re.finditer(r"^```sh([^\n]*)\n(.*?)^```", text, re.S | re.M):
        if m.start() < first_section:
            continue
        online = "online" in m.group(1).split()
        start = text.count("\n", 0, m.start(2)) + 1
        for n, raw in enumerate(m.group(2).splitlines()):
            command, comment = _split_comment(raw)
            if not command:
                continue
            code = re.search(r"\bexits (\d+)\b", comment)
            out.append(Example(start + n, command, int(code.group(1)) if code else 0,
                               online or bool(re.search(r"\bonline\b", comment))))
    return out


def _split_comment(raw: str) -> tuple[str, str]:
    """A line as (command, comment): the comment starts at a `#` outside quotes, after a space."""
    quote = None
    for i, ch in enumerate(raw):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or raw[i - 1].isspace()):
            return raw[:i].strip(), raw[i + 1:]
    return raw.strip(), ""


def test_the_readme_has_offline_and_online_examples():
    found = examples(README.read_text(encoding="utf-8"))
    assert len([e for e in found if not e.online]) >= 60
    assert any(e.online for e in found)
    # the example the issue found broken (only version 3 is stored) is shown as the error it is
    assert all(e.exits == 4 for e in found if "0320100007621000014@2" in e.command and not e.online)


def test_every_offline_readme_example_runs_as_written(tmp_path, monkeypatch):
    work = tmp_path / "repo"
    work.mkdir()
    for name in ("fixtures", "src", "benchmarks", "README.md", "pyproject.toml"):
        (work / name).symlink_to(ROOT / name)
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENDERSCAN_") or k.endswith("_URL")}
    env.update(HOME=str(home), TENDERSCAN_STORE=str(tmp_path / "store"), PATH=f"{BIN}{os.pathsep}{env['PATH']}",
               COLUMNS="120", XDG_CONFIG_HOME=str(home / ".config"), NO_COLOR="1")
    for key in [k for k in os.environ if k.startswith("TENDERSCAN_") and not k.endswith("_URL")]:
        monkeypatch.delenv(key)
    for key in ("HOME", "TENDERSCAN_STORE", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(key, env[key])
    monkeypatch.chdir(work)
    failures, ran = [], 0
    for ex in examples(README.read_text(encoding="utf-8")):
        if ex.online:
            continue
        argv = shlex.split(ex.command)
        if shutil.which(argv[0], path=env["PATH"]) is None:
            continue  # e.g. duckdb: not installed here
        if SHELL.search(ex.command) or argv[0] != "tenderscan":
            proc = subprocess.run(["bash", "-o", "pipefail", "-c", ex.command], cwd=work, env=env,
                                  capture_output=True, text=True, timeout=300)
            code, stderr = proc.returncode, proc.stderr
        else:  # a plain command: run in this process (the same CLI, without a Python start per example)
            args = [str(home) + a[1:] if a.startswith("~/") else a for a in argv[1:]]
            result = run_cli(args)
            code, stderr = result.exit_code, result.stderr
        ran += 1
        if code != ex.exits:
            tail = (stderr.strip().splitlines() or [""])[-1][:300]
            failures.append(f"README line {ex.line}: exit {code}, not {ex.exits}: {ex.command}\n    {tail}")
    assert ran >= 60
    assert not failures, "\n".join(failures)


def run_cli(args: list[str]):
    from typer.testing import CliRunner

    from tenderscan.cli import app

    return CliRunner().invoke(app, args)
