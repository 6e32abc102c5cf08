"""The Parquet dataset through the CLI (issue 17): `export --dataset` (local, and on Dask), `spending --dataset`
and `list --dataset` giving what `--store` gives from a store ingested from the same inputs, the usage errors
of the options that do not go together, Ctrl-C leaving the dataset as it was and a rerun going on.

The inputs are test_dataset.py's real dump zips (a daily and a monthly archive of the real documents in
fixtures/zakupki, the other shapes with a member cut short) and folders of OCDS and ProZorro files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tenderscan.services.dataset import export as export_mod
from tenderscan.services.dataset.export import export_dataset
from tenderscan.services.spending.query import BY_KEYS

from .conftest import FIXTURES, ROOT, run
from .test_dataset import dumps, same_dataset, same_rows
from .test_first_hour_messages import one_error_line


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The dumps, their dataset written by `export --dataset` and a store written by `ingest` of the same."""
    tmp = tmp_path_factory.mktemp("dataset-cli")
    sources = dumps(tmp)
    exported = run("export", *sources, "--dataset", str(tmp / "ds"))
    ingested = run("--quiet", "ingest", *sources, "--store", str(tmp / "store"))
    assert ingested.exit_code == 1, ingested.stderr  # the member cut short, and the JSON schemas in ocds/
    return sources, tmp / "ds", tmp / "store", exported


def test_export_dataset_writes_every_table_and_lists_the_failures(built, tmp_path):
    sources, ds, _, r = built
    assert r.exit_code == 1  # some inputs failed (the member cut short): written, and said so
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    summary = next(line for line in lines if line.startswith(f"dataset {ds}: "))
    # 5 SOURCEs, one task each; the daily archive's six members are in the monthly one too (read once)
    assert " in 5 tasks (tables: documents " in summary and "items " in summary and "parties " in summary
    assert "6 inputs already read from the same bytes, written once" in summary
    assert any(line.startswith("error: ") and "!cut_short.xml" in line for line in lines)
    assert lines[-1].endswith("failed: rows of the dataset's failures table (input, message, exit code)")
    # the CLI writes the dataset the library writes
    export_dataset(sources, tmp_path / "lib")
    same_dataset(ds, tmp_path / "lib")


def test_a_second_export_adds_nothing(built, tmp_path):
    sources, ds, _, _ = built
    out = tmp_path / "again"
    assert run("-q", "export", *sources, "--dataset", str(out)).exit_code == 1
    again = run("export", *sources, "--dataset", str(out))
    assert again.exit_code == 0, again.stderr
    assert again.stderr.strip() == f"dataset {out}: nothing new: 5 tasks of these inputs already in it"
    same_dataset(ds, out)


@pytest.mark.parametrize("by", [[b] for b in BY_KEYS] + [["year", "customer"], ["region", "kind"],
                                                           ["year", "source", "kind"]])
def test_spending_from_the_dataset_is_spending_from_the_store(built, by):
    _, ds, store, _ = built
    args = [a for b in by for a in ("--by", b)]
    for kinds in ([], ["--kind", "all"]):
        want = run("spending", *args, *kinds, "--format", "json", "--store", str(store))
        got = run("spending", *args, *kinds, "--format", "json", "--dataset", str(ds))
        assert want.exit_code == got.exit_code == 0, got.stderr
        assert got.stdout == want.stdout and got.stderr == want.stderr
        assert json.loads(got.stdout) or kinds == []


@pytest.mark.parametrize("filters", [
    ["--topic", "surveillance"], ["--search", "поставка"], ["--okpd2", "21", "--by", "okpd2"],
    ["--customer", "администрац", "--by", "customer"], ["--from", "2019-01-01", "--to", "31.12.2021"],
    ["--by", "okpd2", "--depth", "2"], ["--kind", "contract"], ["--kind", "plan", "--kind", "protocol"],
])
def test_spending_filters_from_the_dataset_are_the_stores(built, filters):
    _, ds, store, _ = built
    want = run("spending", *filters, "--kind", "all", "-f", "json", "--store", str(store))
    got = run("spending", *filters, "--kind", "all", "-f", "json", "--dataset", str(ds))
    assert want.exit_code == got.exit_code == 0, got.stderr
    assert got.stdout == want.stdout


@pytest.mark.parametrize("fmt", ["table", "jsonl", "csv"])
def test_spending_every_format_from_the_dataset(built, fmt):
    _, ds, store, _ = built
    want = run("spending", "--by", "year", "--kind", "all", "-f", fmt, "--store", str(store))
    got = run("spending", "--by", "year", "--kind", "all", "-f", fmt, "--dataset", str(ds))
    assert got.exit_code == 0 and got.stdout == want.stdout and got.stdout


def test_spending_currency_and_plot_from_a_dataset(tmp_path):
    """TED notices in EUR, converted at the ECB's rates that ship with tenderscan (no network)."""
    pytest.importorskip("matplotlib")
    ted = str(FIXTURES / "ted")
    assert run("-q", "export", ted, "--dataset", str(tmp_path / "ds")).exit_code in (0, 1)
    assert run("-q", "ingest", ted, "--store", str(tmp_path / "store")).exit_code in (0, 1)
    want = run("spending", "--by", "year", "--currency", "USD", "-f", "json", "--store", str(tmp_path / "store"))
    got = run("spending", "--by", "year", "--currency", "USD", "-f", "json", "--dataset", str(tmp_path / "ds"),
              "--plot", str(tmp_path / "ted.png"))
    assert got.exit_code == 0, got.stderr
    assert got.stdout == want.stdout and {r["currency"] for r in json.loads(got.stdout)} == {"USD"}
    assert (tmp_path / "ted.png").read_bytes()[:4] == b"\x89PNG"
    assert f"plot written to {tmp_path / 'ted.png'}" in got.stderr


@pytest.mark.parametrize("filters", [[], ["--all-versions"], ["--kind", "contract"], ["--year", "2021"],
                                     ["--customer", "администрац"], ["--customer", "7702166610"],
                                     ["--search", "поставка"], ["--limit", "3"]])
def test_list_from_the_dataset_is_list_from_the_store(built, filters):
    # 7702166610: the Accounts Chamber, customer of 44fz_ep2020_printform_epNotificationEF2020_
    # 0173100008726000065_ABRIDGED.xml (.../customer/mainInfo/INN)
    _, ds, store, _ = built
    want = run("list", *filters, "-f", "json", "--store", str(store))
    got = run("list", *filters, "-f", "json", "--dataset", str(ds))
    assert want.exit_code == got.exit_code == 0, got.stderr
    assert json.loads(got.stdout) == json.loads(want.stdout)
    assert json.loads(got.stdout) or "--year" in filters


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "table"])
def test_list_every_format_from_the_dataset(built, fmt):
    _, ds, store, _ = built
    want = run("list", "-f", fmt, "--store", str(store))
    got = run("list", "-f", fmt, "--dataset", str(ds))
    assert got.exit_code == 0
    if fmt == "table":  # its title (centred) names where the documents are
        def plain(text: str, where) -> list[str]:
            return [line.strip() for line in text.replace(str(where), "X").splitlines()]

        assert plain(got.stdout, ds) == plain(want.stdout, store)
    else:
        assert got.stdout == want.stdout


# --- what does not go together ---------------------------------------------------------------------------


@pytest.mark.parametrize("args, words", [
    (["export", str(FIXTURES / "zakupki"), "--dataset", "D", "-o", "x.csv"], "--dataset does not go with --output"),
    (["export", str(FIXTURES / "zakupki"), "--dataset", "D", "--table", "items"], "does not go with --table"),
    (["export", str(FIXTURES / "zakupki"), "--workers", "2", "-o", "x.csv"], "--workers goes with --dataset"),
    (["export", str(FIXTURES / "zakupki"), "--dataset", "D", "--workers", "2"], "go with --engine dask"),
    (["export", str(FIXTURES / "zakupki"), "--dataset", "D", "--engine", "dask", "--workers", "2",
      "--scheduler", "tcp://127.0.0.1:9"], "--scheduler and --workers do not go together"),
    (["export", "--dataset", "D"], "a dataset is written from files, folders or zip archives"),
    (["export", str(FIXTURES / "zakupki")], "missing option '--output'"),
    (["spending", str(FIXTURES / "zakupki"), "--dataset", "D"], "--dataset does not go with SOURCE arguments"),
    (["spending", "--dataset", "D", "--store", "S"], "--dataset does not go with --store"),
    (["list", "--dataset", "D", "--store", "S"], "--dataset does not go with --store"),
])
def test_options_that_do_not_go_together_are_one_usage_line(tmp_path, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    r = run(*args)
    assert r.exit_code == 2, r.stderr
    assert words in one_error_line(r)
    assert not (tmp_path / "D").exists() and not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("command", ["spending", "list"])
def test_no_dataset_is_one_line(tmp_path, command):
    r = run(command, "--dataset", str(tmp_path / "nope"))
    assert r.exit_code == 4
    assert one_error_line(r).startswith(f"error: no dataset at {tmp_path / 'nope'}")
    assert not (tmp_path / "nope").exists()


def test_engine_dask_without_dask_says_how_to_install(tmp_path):
    """Dask made impossible to import in a fresh interpreter (as where the extra is not installed)."""
    code = ("import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None\n"
            "from tenderscan.cli import app\n"
            f"app(['export', {str(FIXTURES / 'zakupki')!r}, '--dataset', {str(tmp_path / 'ds')!r}, "
            "'--engine', 'dask'])\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**os.environ, "TENDERSCAN_STORE": str(tmp_path / "store")})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == ("error: --engine dask needs Dask, which is not installed; "
                                   "pip install 'tenderscan[dask]'")
    assert not (tmp_path / "ds").exists()


# --- Ctrl-C --------------------------------------------------------------------------------------------------


def test_ctrl_c_leaves_the_dataset_as_it_was_and_a_rerun_goes_on(built, tmp_path, monkeypatch):
    sources, ds, _, _ = built
    out = tmp_path / "ds"
    real = export_mod.run_tasks
    ran = []

    def ctrl_c_after_two(engine, tasks, root, options, **kw):
        for r in real(engine, tasks, root, options, **kw):
            ran.append(r.key)
            yield r
            if len(ran) == 2:
                raise KeyboardInterrupt

    monkeypatch.setattr(export_mod, "run_tasks", ctrl_c_after_two)
    r = run("export", *sources, "--dataset", str(out))
    assert r.exit_code == 130
    assert r.stderr.strip() == (f"interrupted: the dataset {out} is as it was before this run; run the same "
                                "command again to go on where it stopped (the tasks already written are not "
                                "read again)")
    assert not (out / "_manifest.json").exists()
    monkeypatch.setattr(export_mod, "run_tasks", real)
    again = run("export", *sources, "--dataset", str(out))
    assert again.exit_code == 1  # the member cut short
    assert " in 5 tasks (2 already written) " in again.stderr
    assert len(ran) == 2
    same_rows(ds, out)


def test_progress_is_told_the_tasks_and_each_one_done(built, tmp_path):
    """What the bar on a terminal shows: the tasks of the run, then each as it is written (a rerun: none)."""
    sources, _, _, _ = built
    totals, done = [], []
    export_dataset(sources, tmp_path / "ds", on_total=totals.append, on_task=done.append)
    assert totals == [5] and len(done) == 5
    export_dataset(sources, tmp_path / "ds", on_total=totals.append, on_task=done.append)
    assert totals == [5, 0] and len(done) == 5


# --- on Dask -------------------------------------------------------------------------------------------------


def test_export_dataset_on_dask_workers_started_for_the_run(built, tmp_path):
    pytest.importorskip("distributed")
    sources, ds, _, _ = built
    r = run("export", *sources, "--dataset", str(tmp_path / "dask"), "--engine", "dask", "--workers", "2")
    assert r.exit_code == 1, r.stderr
    assert f"dataset {tmp_path / 'dask'}: " in r.stderr and "cut_short.xml" in r.stderr
    same_dataset(ds, tmp_path / "dask")


def test_export_dataset_on_a_running_scheduler(built, tmp_path):
    pytest.importorskip("distributed")
    from .test_dataset_dask import Cluster

    sources, ds, _, _ = built
    cluster = Cluster(tmp_path, workers=2)
    try:
        r = run("export", *sources, "--dataset", str(tmp_path / "dask"), "--engine", "dask",
                "--scheduler", cluster.address)
    finally:
        cluster.close()
    assert r.exit_code == 1, r.stderr + cluster.logs()
    same_dataset(ds, tmp_path / "dask")


def test_a_scheduler_that_does_not_answer_is_one_line(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    from tenderscan.services.dataset import engines

    from .test_dataset_dask import free_port

    monkeypatch.setattr(engines, "CONNECT_TIMEOUT", "1s")
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    r = run("export", str(FIXTURES / "zakupki"), "--dataset", str(tmp_path / "ds"), "--engine", "dask",
            "--scheduler", address)
    assert r.exit_code == 5
    line = one_error_line(r)
    assert line.startswith(f"error: cannot reach the Dask scheduler at {address}: ")
    assert line.endswith("; check the address (tcp://HOST:8786) and that `dask scheduler` runs there")
    assert not (tmp_path / "ds").exists()  # the folder it made for the dataset is gone with it
    (tmp_path / "mine").mkdir()  # a folder the user made stays, empty as it was
    r = run("export", str(FIXTURES / "zakupki"), "--dataset", str(tmp_path / "mine"), "--engine", "dask",
            "--scheduler", address)
    assert r.exit_code == 5 and (tmp_path / "mine").is_dir() and not any((tmp_path / "mine").iterdir())
