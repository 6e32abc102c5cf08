"""Text from documents and file names cannot drive the terminal: control characters (ESC sequences that
retitle, recolour or clear it) and bidi overrides are shown as U+FFFD in tables and error lines, while the
data formats (JSON) keep the text exactly as published."""

from __future__ import annotations

import json
import zipfile

from tests.conftest import FIXTURES, run

ESC_TITLE = "\x1b]0;owned\x07"  # set the terminal's title
ESC_CLEAR = "\x1b[2J\x1b[H"  # clear the screen
RLO = "\u202e"  # right-to-left override: "fdp.exe" shows as "exe.pdf"
HOSTILE_NAME = f"Tender {ESC_TITLE}{ESC_CLEAR}screens {RLO}fdp.exe\x9b31m"


def prozorro_doc(tmp_path):
    doc = json.loads((FIXTURES / "prozorro" / "tender_to_render.json").read_text(encoding="utf-8"))
    doc["title"] = HOSTILE_NAME
    doc["procuringEntity"]["name"] = HOSTILE_NAME
    doc["items"][0]["description"] = HOSTILE_NAME
    f = tmp_path / "tender.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return f


def assert_inert(text: str) -> None:
    for bad in ("\x1b", "\x07", "\x9b", RLO):
        assert bad not in text, repr(bad)


def test_table_output_shows_no_control_characters(tmp_path):
    r = run("show", "--format", "table", str(prozorro_doc(tmp_path)))
    assert r.exit_code == 0, r.stderr
    assert_inert(r.stdout)
    assert "screens" in r.stdout and "\ufffd" in r.stdout  # shown, with the controls made visible


def test_json_keeps_the_text_exactly(tmp_path):
    r = run("show", "--format", "json", str(prozorro_doc(tmp_path)))
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["title"] == HOSTILE_NAME
    assert "\x1b" not in r.stdout, "JSON escapes control characters"


def test_error_lines_show_no_control_characters_from_names(tmp_path):
    archive = tmp_path / "names.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"{ESC_TITLE}{ESC_CLEAR}{RLO}lmx.xml", b"junk")
        zf.writestr("two\nerror: a forged line.xml", b"junk")
    r = run("show", "--format", "json", str(archive))
    assert r.exit_code == 1
    assert_inert(r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("error: ") and lines[1].startswith("error: ")
    assert "forged line" in lines[1], "a newline in a name does not start a line of its own"
