"""Issue 14, "Messages" and "What people look at": usage errors, --debug, HTML pages, empty folders, --quiet,
the progress bar on a terminal, --help texts. Through the CLI as a user runs it (CliRunner; a real process in
a pseudo-terminal where the terminal matters)."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT, ZAKUPKI, local_server, run

HOSTILE = FIXTURES / "hostile"
CONTRACT = ZAKUPKI / "44fz_contracts_export_contract_2366200608816001262_30400522.xml"
NOTICE = ZAKUPKI / "44fz_ep_printform_viewXml_epNotificationEZK_0320100007621000014.xml"


def one_error_line(r) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: ") and "╭" not in r.stderr and "Usage:" not in r.stderr
    return lines[0]


# --- item 12: every option is validated before any work, through one mechanism ------------------------------

BAD_OPTIONS = [
    ("show", str(NOTICE), "--format", "xml"),
    ("show", str(NOTICE), "--input-format", "nope"),
    ("show", str(NOTICE), "--encoding", "nope"),
    ("show", str(NOTICE), "--lang", "english!"),
    ("list", "--kind", "bogus"),
    ("list", "--year", "26"),
    ("spending", str(ZAKUPKI), "--kind", "bogus"),
    ("spending", str(ZAKUPKI), "--currency", "XYZ"),
    ("spending", str(ZAKUPKI), "--by", "month"),
    ("spending", str(ZAKUPKI), "--depth", "0"),
    ("spending", str(ZAKUPKI), "--okpd2", "cameras"),
    ("spending", str(ZAKUPKI), "--plot", "chart.pdf"),
    ("spending", str(ZAKUPKI), "--topic", "nope"),
    ("export", str(ZAKUPKI), "-o", "x.csv", "--table", "lots"),
    ("export", str(ZAKUPKI), "-o", "x.csv", "--delimiter", ";;"),
    ("export", str(ZAKUPKI), "-o", "x.pdf"),
    ("export", str(ZAKUPKI), "-o", "x.xlsx", "--partition-by", "year"),
    ("export", str(ZAKUPKI), "-o", "x.csv", "--input-format", "nope"),
    ("diff", str(NOTICE), str(CONTRACT), "--format", "csv"),
    ("stations", str(NOTICE), "--format", "xml"),
    ("stations", str(NOTICE), "--encoding", "nope"),
    ("fetch", "0373200215526000664", "--kind", "plan"),
    ("fetch", "ocds-1", "--url", "ftp://example.org/x"),
    ("fetch", "0373200215526000664", "--concurrency", "0"),
    ("ingest", str(NOTICE), "--jobs", "99"),
    ("formats", "--format", "yaml"),
    ("search", "cameras", "--law", "94"),
    ("search", "cameras", "--from", "2026/01/01"),
]


@pytest.mark.parametrize("args", BAD_OPTIONS, ids=" ".join)
def test_a_bad_option_value_is_one_line_exit_2_before_any_work(args, monkeypatch, tmp_path):
    import tenderscan.documents.batch

    def no_reading(*a, **k):
        raise AssertionError("an input was read before the options were checked")

    monkeypatch.setattr(tenderscan.documents.batch, "read_input", no_reading)
    monkeypatch.setattr(tenderscan.documents.batch, "parse_input", no_reading)
    monkeypatch.chdir(tmp_path)
    r = run(*args)
    assert r.exit_code == 2
    assert r.stdout == ""
    line = one_error_line(r)
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "x.csv").exists() and not Path(os.environ["TENDERSCAN_STORE"]).exists()
    if args[0] != "spending" or "--topic" not in args:
        assert f"tenderscan {args[0]} --help" in line or "--" in line


def test_spending_kind_bogus_names_the_allowed_kinds():
    r = run("spending", str(ZAKUPKI), "--kind", "bogus")  # it used to print [] and exit 0
    line = one_error_line(r)
    assert r.exit_code == 2
    for kind in ("'notice'", "'contract'", "'protocol'", "'all'"):
        assert kind in line
    both = run("spending", str(ZAKUPKI), "--kind", "NOTICE", "--kind", "all", "--format", "json")
    assert both.exit_code == 0 and json.loads(both.stdout)


def test_spending_currency_not_iso_4217_asks_no_rate():
    with local_server() as cbr:  # it used to go to the Bank of Russia for "XYZ"
        os.environ["TENDERSCAN_CBR_URL"] = cbr.url_for("/").rstrip("/")
        try:
            r = run("spending", str(ZAKUPKI), "--currency", "XYZ")
        finally:
            os.environ["TENDERSCAN_CBR_URL"] = "http://127.0.0.1:9"
        assert r.exit_code == 2
        assert "'XYZ' is not an ISO 4217 currency code" in one_error_line(r)
        assert len(cbr.log) == 0


# --- item 13: usage errors are one line; `ingest nosuch` and `show nosuch` behave the same ------------------


def test_usage_error_is_one_line_with_the_allowed_values():
    r = run("show", str(NOTICE), "--format", "xml")
    assert r.exit_code == 2
    assert one_error_line(r) == ("error: --format: 'xml' is not one of 'table', 'json', 'jsonl', 'csv'; "
                                 "see `tenderscan show --help`")


@pytest.mark.parametrize("args, words", [
    (("show",), "missing argument 'SOURCE...'"),
    (("export", str(NOTICE)), "missing option '--output'"),
    (("show", "--bogus", str(NOTICE)), "no such option: --bogus"),
    (("bogus",), "no such command 'bogus'"),
])
def test_other_usage_errors_are_one_line(args, words):
    r = run(*args)
    assert r.exit_code == 2
    assert words in one_error_line(r)


def test_ingest_and_show_of_a_missing_file_behave_the_same(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shown, ingested = run("show", "nosuch.xml"), run("ingest", "nosuch.xml")
    assert shown.exit_code == ingested.exit_code == 4
    assert one_error_line(shown) == "error: nosuch.xml: no such file or folder; check the path"
    assert one_error_line(ingested) == one_error_line(shown)
    quiet = run("-q", "ingest", "nosuch.xml")
    assert quiet.exit_code == 4 and one_error_line(quiet) == one_error_line(shown)


# --- item 14: --debug shows the traceback of bad input -------------------------------------------------------


@pytest.fixture
def truncated(tmp_path) -> Path:
    data = NOTICE.read_bytes()
    path = tmp_path / "truncated.xml"
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("command", ["show", "ingest", "export", "spending", "stations"])
def test_debug_shows_the_traceback_of_bad_input(truncated, command, tmp_path):
    extra = ["-o", str(tmp_path / "x.csv")] if command == "export" else []
    plain = run(command, str(truncated), *extra)
    debug = run("--debug", command, str(truncated), *extra)
    assert plain.exit_code == debug.exit_code == 3
    assert "Traceback" not in plain.stderr
    assert "Traceback (most recent call last)" in debug.stderr
    assert "lxml.etree.XMLSyntaxError" in debug.stderr or "XMLSyntaxError" in debug.stderr
    assert "error: " + str(truncated) + ": the XML is truncated or incomplete" in debug.stderr


def test_debug_of_a_command_error_keeps_its_exit_code(tmp_path):
    r = run("--debug", "diff", str(tmp_path / "a.xml"), str(NOTICE))
    assert r.exit_code == 4
    assert "Traceback (most recent call last)" in r.stderr and "NotFoundError" in r.stderr


# --- item 15: an HTML page gets one message however well-formed it is ----------------------------------------


@pytest.mark.parametrize("name", ["captcha_page.html", "html_wellformed.xml", "xhtml_saved_page.xml"])
def test_an_html_page_is_one_message(name):
    r = run("show", str(HOSTILE / name))
    assert r.exit_code == 3
    line = one_error_line(r)
    assert line.startswith(f"error: {HOSTILE / name}: an HTML page, not a portal document; ")
    assert "entity" not in line and "unknown XML document" not in line


def test_entity_declarations_in_an_html_doctype_are_still_refused():
    r = run("show", str(HOSTILE / "html_doctype_with_entity.xml"))
    assert r.exit_code == 3
    assert "entity declarations or an external DTD refused" in one_error_line(r)


def test_an_html_page_in_a_batch_and_in_ingest(tmp_path):
    r = run("ingest", "--store", str(tmp_path / "s"), str(HOSTILE / "xhtml_saved_page.xml"), str(NOTICE))
    assert r.exit_code == 1
    assert f"error: {HOSTILE / 'xhtml_saved_page.xml'}: an HTML page, not a portal document" in r.stderr


# --- item 16: an empty folder is an error; a failed CSV prints no header -------------------------------------


@pytest.mark.parametrize("command", ["show", "spending", "ingest", "export", "stations", "diff"])
def test_an_empty_folder_is_no_documents_found(command, tmp_path):
    empty = tmp_path / "emptydir"
    empty.mkdir()
    (empty / "notes.md").write_text("not a document", encoding="utf-8")  # nothing tenderscan reads
    extra = {"export": ["-o", str(tmp_path / "x.csv")], "diff": [str(NOTICE)]}.get(command, [])
    r = run(command, str(empty), *extra)
    assert r.exit_code == 4, r.stderr
    assert f"error: no documents found in {empty}; " in r.stderr
    assert not (tmp_path / "x.csv").exists()


def test_a_failed_show_csv_prints_no_header():
    r = run("show", "--format", "csv", str(HOSTILE / "empty.xml"))
    assert r.exit_code == 3 and r.stdout == ""
    ok = run("show", "--format", "csv", str(HOSTILE / "empty.xml"), str(CONTRACT))
    assert ok.exit_code == 1 and ok.stdout.startswith("id,version,kind,")


# --- item 17: -q and the README agree -----------------------------------------------------------------------


def test_quiet_ingest_prints_only_errors_as_the_readme_says(tmp_path):
    r = run("-q", "ingest", "--store", str(tmp_path / "s"), str(NOTICE))
    assert r.exit_code == 0 and r.stdout == "" and r.stderr == ""
    loud = run("ingest", "--store", str(tmp_path / "s2"), str(NOTICE))
    assert "1 input(s), 1 new document(s) stored" in loud.stderr
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ingest = readme[readme.index("### `tenderscan ingest`"):readme.index("### `tenderscan list`")]
    assert "`--quiet` only errors, no progress and no summary" in ingest
    assert "nothing but errors and the one-line summary" not in readme
    help_text = run("--help").stdout
    assert "Only errors on stderr" in help_text


# --- item 18: the progress bar is erased before a table is printed (a real terminal) -------------------------

_SEQ = re.compile(r"\x1b\[([?0-9;]*)([A-Za-z])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|([\r\n\b])|([^\x1b\r\n\b]+)")


def screen(text: str, width: int) -> list[str]:
    """What a terminal shows after ``text``: enough of VT100 for what rich writes (carriage return, line
    feed, cursor up/down/column, erase in line)."""
    lines: list[list[str]] = [[]]
    row = col = 0
    for m in _SEQ.finditer(text):
        params, cmd, ctl, plain = m.groups()
        if plain is not None:
            for ch in plain:
                if col >= width:
                    row, col = row + 1, 0
                while len(lines) <= row:
                    lines.append([])
                line = lines[row]
                line.extend(" " * (col - len(line)))
                if col < len(line):
                    line[col] = ch
                else:
                    line.append(ch)
                col += 1
        elif ctl in ("\r", "\n", "\b"):
            if ctl == "\n":
                row += 1
                while len(lines) <= row:
                    lines.append([])
            col = 0 if ctl != "\b" else max(0, col - 1)
        elif cmd:
            n = int(params) if params.isdigit() else None
            if cmd == "A":
                row = max(0, row - (n or 1))
            elif cmd == "B":
                row += n or 1
                while len(lines) <= row:
                    lines.append([])
            elif cmd == "G":
                col = (n or 1) - 1
            elif cmd == "K":
                line = lines[row]
                if not n:
                    del line[col:]
                elif n == 2:
                    line.clear()
                else:
                    line[: col + 1] = " " * min(col + 1, len(line))
    return ["".join(x).rstrip() for x in lines]


def in_terminal(argv: list[str], width: int = 140) -> tuple[int, str]:
    """Run ``argv`` with stdin, stdout and stderr on one pseudo-terminal of ``width`` columns; return its exit
    code and everything it wrote to the terminal."""
    import fcntl
    import pty
    import select
    import struct
    import subprocess
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 60, width, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(width), "LINES": "60"}
    for key in ("NO_COLOR", "FORCE_COLOR", "TERM_PROGRAM"):
        env.pop(key, None)
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    out = b""
    while True:
        try:
            ready, _, _ = select.select([master], [], [], 60)
            chunk = os.read(master, 65536) if ready else b""
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(timeout=60), out.decode("utf-8", "replace")


TENDERSCAN = [sys.executable, "-m", "tenderscan"]


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_the_progress_bar_is_erased_before_a_table_is_printed():
    code, raw = in_terminal([*TENDERSCAN, "show", str(CONTRACT), str(NOTICE)])
    assert code == 0
    assert "reading" in raw  # the bar was drawn (a terminal) ...
    lines = screen(raw, 140)
    assert not [x for x in lines if "reading" in x]  # ... and nothing of it is left on the screen
    assert lines[0].startswith("╭─ contract 2366200608816001262")  # not "⠋ reading ━━━ 0/? 0:00:00╭─ ..."
    assert sum(x.startswith("╭─ notice 0320100007621000014") for x in lines) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_a_table_redirected_to_a_file_stays_on_stdout(tmp_path):
    """stderr on the terminal (the bar), stdout to a file: the tables go to the file, not through the bar."""
    out = tmp_path / "table.txt"
    command = " ".join([*TENDERSCAN, "show", str(CONTRACT), str(NOTICE), "--format", "table", ">", str(out)])
    code, raw = in_terminal(["bash", "-c", command])
    assert code == 0
    text = out.read_text(encoding="utf-8")
    assert "contract 2366200608816001262" in text and "notice 0320100007621000014" in text
    assert not [x for x in screen(raw, 140) if "2366200608816001262" in x or "reading" in x]


# --- item 23: --help texts: no line broken mid-sentence, no <bool> markers -----------------------------------


def _commands() -> list[str]:
    import typer.main

    from tenderscan.cli import app

    return sorted(typer.main.get_command(app).commands)


def _premature_breaks(lines: list[str], width: int) -> list[str]:
    """Lines of a paragraph (no blank line between them) that end although the next line's first word
    would have fitted: a hard line break in the source text, not the terminal's wrapping."""
    bad = []
    for a, b in zip(lines, lines[1:]):
        if not a.strip() or not b.strip() or b.startswith("     ") or a.startswith("     "):
            continue
        first = b.split()[0]
        if len(a.rstrip()) + 1 + len(first) <= width - 1:
            bad.append(f"{a.strip()!r} / {first!r}")
    return bad


@pytest.mark.parametrize("columns", [80, 110])
@pytest.mark.parametrize("command", ["", *_commands()])
def test_help_texts_flow_and_show_no_bool_markers(command, columns):
    args = [command, "--help"] if command else ["--help"]
    r = run(*args, env={"COLUMNS": str(columns)})
    assert r.exit_code == 0
    text = r.stdout
    assert "<bool>" not in text
    lines = text.splitlines()
    assert max(len(x) for x in lines) <= columns
    # the description: from the usage line to the first panel, paragraphs flowed to the width
    start = next(i for i, x in enumerate(lines) if "Usage:" in x) + 1
    end = next(i for i, x in enumerate(lines) if x.startswith("╭"))
    description = lines[start:end]
    assert not _premature_breaks(description, columns), _premature_breaks(description, columns)
    # examples are never wrapped: each is one line, indented
    examples = [x for x in description if x.startswith("     ") and x.strip()]
    for a, b in zip(description, description[1:]):
        if a in examples and b.strip():
            assert b in examples, f"an example wraps at {columns} columns: {a.strip()!r} / {b.strip()!r}"
    if not command:  # the commands panel: each command's first paragraph, flowed in its column
        panel = [x[2:-2] for x in lines if x.startswith("│ ") and x.endswith(" │")]
        col = next(len(x) - len(x.lstrip()) for x in panel if x.startswith(" "))
        rows = [x[col:].rstrip() if x[:col].strip() == "" else x for x in panel]
        for a, b, raw_b in zip(panel, rows[1:], panel[1:]):
            if raw_b[:col].strip():
                continue  # the next command starts
            head = a[col:].rstrip()
            assert len(head) + 1 + len(b.split()[0]) > columns - 4 - col, f"{head!r} / {b.split()[0]!r}"
