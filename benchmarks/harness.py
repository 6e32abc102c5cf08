"""Measurement helpers for the benchmarks: run the CLI as a user would, time, read peak RSS, report lines."""

from __future__ import annotations

import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


class Skip(Exception):
    """A target that cannot run yet (the feature is not built); the message says why."""


@dataclass
class Sizes:
    """How big each target's input is in one mode."""

    reps: int
    ingest_docs: int
    per_archive: int
    rss_docs: int  # the 1x corpus; the 10x one is ten times this
    parse_docs: int
    spending_items: int
    fetch_docs: int
    ocds_releases: int
    flattentool: bool  # install and run flatten-tool (the full run; quick only when already installed)
    timeout: float = 1800.0  # one CLI run


MODES = {
    "tiny": Sizes(reps=1, ingest_docs=60, per_archive=30, rss_docs=30, parse_docs=60, spending_items=3000,
                  fetch_docs=40, ocds_releases=300, flattentool=False, timeout=120),
    "quick": Sizes(reps=3, ingest_docs=1000, per_archive=250, rss_docs=200, parse_docs=400,
                   spending_items=50_000, fetch_docs=200, ocds_releases=2000, flattentool=False, timeout=300),
    # 105,000 releases of the real fixtures make a ~460 MB package (the fixtures' releases are ~4.4 KB each)
    "full": Sizes(reps=3, ingest_docs=5000, per_archive=500, rss_docs=2000, parse_docs=2000,
                  spending_items=1_000_000, fetch_docs=200, ocds_releases=105_000, flattentool=True),
}


@dataclass
class Fig:
    label: str
    value: float
    unit: str

    def text(self) -> str:
        v = self.value
        num = f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}" if abs(v) >= 1 else f"{v:.3f}"
        return f"{self.label} {num} {self.unit}".rstrip()


@dataclass
class Result:
    name: str
    status: str  # PASS, FAIL, SKIP, ERROR
    ours: Fig | None = None
    base: Fig | None = None
    ratio: float | None = None
    target: str = ""  # e.g. ">= 0.5x"
    note: str = ""
    extra: dict = field(default_factory=dict)

    def line(self) -> str:
        ours = self.ours.text() if self.ours else "-"
        base = self.base.text() if self.base else "-"
        ratio = f"{self.ratio:.2f}x" if self.ratio is not None else "-"
        tgt = f" (target {self.target})" if self.target else ""
        note = f"  [{self.note}]" if self.note else ""
        return f"{self.name:<13} {ours} | {base} | {ratio}{tgt}  {self.status}{note}"

    def as_dict(self) -> dict:
        d = {"name": self.name, "status": self.status, "ratio": self.ratio, "target": self.target,
             "note": self.note, **self.extra}
        for k in ("ours", "base"):
            f = getattr(self, k)
            d[k] = None if f is None else {"label": f.label, "value": f.value, "unit": f.unit}
        return d


def judge(ratio: float, *, at_least: float | None = None, at_most: float | None = None) -> str:
    ok = (at_least is None or ratio >= at_least) and (at_most is None or ratio <= at_most)
    return "PASS" if ok else "FAIL"


def median_time(fn: Callable[[], object], reps: int, clock: Callable[[], float] = time.perf_counter
                ) -> tuple[float, object]:
    """Median time of ``fn`` over ``reps`` runs (wall clock unless ``clock`` says otherwise, e.g.
    ``time.process_time`` for CPU seconds), and the last run's return value."""
    times, last = [], None
    for _ in range(max(reps, 1)):
        t0 = clock()
        last = fn()
        times.append(clock() - t0)
    return statistics.median(times), last


# --- the CLI in a subprocess ------------------------------------------------------------------------------


@dataclass
class Run:
    rc: int
    wall: float
    maxrss_mb: float
    stderr: str
    stdout_path: Path | None = None
    cpu: float = 0.0  # user + system seconds of the process and the children it waited for

    def tail(self) -> str:
        lines = [x for x in self.stderr.strip().splitlines() if x.strip()]
        return lines[-1][:200] if lines else ""


def base_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    # the benchmark never talks to the real portals
    for var in ("TENDERSCAN_ZAKUPKI_URL", "TENDERSCAN_PROZORRO_URL", "TENDERSCAN_TED_URL", "TENDERSCAN_CBR_URL"):
        env[var] = "http://127.0.0.1:9"
    env["COLUMNS"] = "200"
    env.update(extra)
    return env


def tenderscan_cmd() -> list[str]:
    return [sys.executable, "-m", "tenderscan"]


# A small launcher between the harness and the measured command. Linux carries a process's peak RSS across
# exec(), so a command started straight from the harness (which may hold hundreds of MB of frames) would
# report the harness's size as its own peak; started from this launcher it reports at most the launcher's
# ~10 MB. The launcher writes the command's peak RSS (KB) and CPU seconds to the report file.
_LAUNCHER = """
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as fh:
    fh.write("%d %f" % (ru.ru_maxrss, ru.ru_utime + ru.ru_stime))
sys.exit(rc if rc >= 0 else 128 - rc)
"""


def run_cmd(cmd: Sequence[str], *, env: dict[str, str] | None = None, timeout: float = 1800,
            stdout: Path | None = None, cwd: Path | None = None) -> Run:
    """Run a command and return its exit code, wall time, peak RSS and CPU seconds (its own and those of
    the children it waited for)."""
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    tag = f"{os.getpid()}-{threading.get_ident()}"
    err_path, report = tmp / f"bench-stderr-{tag}", tmp / f"bench-rusage-{tag}"
    report.unlink(missing_ok=True)
    out_fh = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115 - closed below
    with open(err_path, "wb") as err_fh:
        t0 = time.perf_counter()
        p = subprocess.Popen([sys.executable, "-S", "-c", _LAUNCHER, str(report), *cmd], stdout=out_fh,
                             stderr=err_fh, stdin=subprocess.DEVNULL, env=env or base_env(), cwd=cwd,
                             start_new_session=True)
        timer = threading.Timer(timeout, lambda: _kill_group(p.pid))
        timer.start()
        try:
            rc = p.wait()
        finally:
            timer.cancel()
        wall = time.perf_counter() - t0
    if stdout:
        out_fh.close()  # type: ignore[union-attr]
    stderr = err_path.read_text(errors="replace")
    err_path.unlink(missing_ok=True)
    try:
        kb, cpu = report.read_text().split()
        report.unlink()
    except (OSError, ValueError):
        kb, cpu = "0", "0"
    if wall >= timeout:
        rc = -9
    return Run(rc, wall, int(kb) / 1024, stderr, stdout, float(cpu))


def _kill_group(pid: int) -> None:
    import signal

    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def run_cli(args: Sequence[str], *, store: Path | None = None, env_extra: dict | None = None,
            timeout: float = 1800, stdout: Path | None = None) -> Run:
    extra = dict(env_extra or {})
    if store is not None:
        extra["TENDERSCAN_STORE"] = str(store)
    return run_cmd([*tenderscan_cmd(), *args], env=base_env(**extra), timeout=timeout, stdout=stdout)


_help_cache: dict[str, str | None] = {}


def cli_help(command: str) -> str | None:
    """The ``--help`` text of a command, or None when the command does not exist (yet)."""
    if command not in _help_cache:
        p = subprocess.run([*tenderscan_cmd(), command, "--help"], capture_output=True, text=True,
                           env=base_env(), timeout=120, check=False)
        _help_cache[command] = p.stdout if p.returncode == 0 else None
    return _help_cache[command]


def require_command(command: str, *options: str) -> str:
    text = cli_help(command)
    if text is None:
        raise Skip(f"`tenderscan {command}` is not there yet")
    for opt in options:
        if opt not in text:
            raise Skip(f"`tenderscan {command}` has no {opt} yet")
    return text


def startup_seconds(reps: int = 3) -> float:
    """Wall time of the smallest CLI run (`tenderscan --version`): the floor under every CLI figure."""
    return statistics.median(run_cli(["--version"], timeout=60).wall for _ in range(reps))


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


# --- reading a store without knowing its schema ------------------------------------------------------------


def store_counts(store: Path) -> dict[str, int]:
    """Row counts of the tables in the store's SQLite file(s), e.g. {"documents": 1000, "items": 52000}."""
    counts: dict[str, int] = {}
    for db in sorted(store.rglob("*")):
        if db.suffix not in (".db", ".sqlite", ".sqlite3") or not db.is_file():
            continue
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
                for n in names:
                    if n.startswith("sqlite_"):
                        continue
                    counts[n] = counts.get(n, 0) + con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]
            finally:
                con.close()
        except sqlite3.Error:
            continue
    return counts


# --- the machine -----------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        pass
    from lxml import etree

    try:
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "-"
    info = {
        "load": load,
        "cpu": cpu, "cores": str(os.cpu_count()), "memory": mem, "os": platform.platform(),
        "python": platform.python_version(),
        "lxml": ".".join(map(str, etree.LXML_VERSION[:3])),
        "libxml2": ".".join(map(str, etree.LIBXML_VERSION)),
    }
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("pandas", "pydantic", "xmltodict"):
        try:
            info[dist] = version(dist)
        except PackageNotFoundError:
            info[dist] = "-"
    try:
        info["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                        cwd=ROOT, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        info["commit"] = "-"
    return info
