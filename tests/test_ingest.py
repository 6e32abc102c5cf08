"""`ingest`: folders and the portal's dump archives into the store; re-ingest adds nothing; bad members skipped."""

from __future__ import annotations

import zipfile

import pytest

from tenderscan.store import Store
from tenderscan.services.ingest import ingest

from .conftest import ZAKUPKI, run

NOTICE = "0362100022326000101"
GOOD = [
    "44fz_ep2020_printform_epNotificationEZK2020_0362100022326000101.xml",
    "44fz_ep2020_printform_epNotificationEF2020_0173100008726000065_ABRIDGED.xml",
    "44fz_ep_printform_viewXml_epNotificationEZK_0320100007621000014.xml",
    "44fz_contracts_export_contract_2366200608816001262_30400522.xml",
    "44fz_fcs_printform_fcsNotificationEF_0301300140921000011.xml",
]
IDS = {"0362100022326000101", "0173100008726000065", "0320100007621000014", "2366200608816001262",
       "0301300140921000011"}


def dump_zip(path, members: dict[str, bytes]) -> None:
    """An archive in the portal's dump layout: `<type>_<regNumber>_<id>.xml` members, each with a .sig."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
            zf.writestr(name[:-4] + ".sig", b"MIIG signature bytes")


def real_members() -> dict[str, bytes]:
    return {f"{name.split('_')[2]}_{n:06d}.xml": (ZAKUPKI / name).read_bytes() for n, name in enumerate(GOOD)}


def stored_ids(path=None) -> list[str]:
    with Store.open(path) as st:
        return sorted(r[0] for r in st.conn.execute("SELECT id FROM documents"))


def test_ingest_a_dump_archive_then_again_adds_nothing(tmp_path):
    archive = tmp_path / "notification_Moskva_2019020200_2019020300_001.xml.zip"
    dump_zip(archive, real_members())
    r = run("ingest", str(archive))
    assert r.exit_code == 0, r.stderr
    assert set(stored_ids()) == IDS and len(stored_ids()) == 5
    assert "5 input(s), 5 new document(s) stored, 0 input(s) already stored (same bytes), 0 failed" in r.stderr
    r = run("ingest", str(archive))
    assert r.exit_code == 0
    assert "5 input(s), 0 new document(s) stored, 5 input(s) already stored (same bytes), 0 failed" in r.stderr
    assert len(stored_ids()) == 5
    with Store.open() as st:
        t = st.get(NOTICE)
        assert t.source.path == str(archive) and t.source.member.endswith(".xml")
        [prov] = st.provenance(t.source.sha256)
        assert prov["path"] == str(archive) and prov["member"] == t.source.member
        assert st.raw(t.source.sha256) == (ZAKUPKI / GOOD[0]).read_bytes()
        codec = st.conn.execute("SELECT codec FROM blobs WHERE sha256 = ?", (t.source.sha256,)).fetchone()[0]
        assert codec == "deflate", "a dump member is kept as the archive compressed it"


def test_bad_members_are_reported_and_skipped(tmp_path):
    members = real_members()
    good = members[next(iter(members))]
    members["epNotificationEZK2020_0000000000000000001_9.xml"] = good[: len(good) // 2]  # cut
    members["epNotificationEZK2020_0000000000000000002_9.xml"] = b"<html>not a document</html>"
    archive = tmp_path / "notification_Moskva_2019020200_2019020300_002.xml.zip"
    dump_zip(archive, members)
    r = run("ingest", str(archive))
    assert r.exit_code == 1
    assert len(stored_ids()) == 5
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert any("0000000000000000001_9.xml" in e for e in errors)
    assert "2 failed" in r.stderr


def test_zip_bombs_are_refused(tmp_path):
    archive = tmp_path / "bomb.xml.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("fcsNotificationEF_1_1.xml", (ZAKUPKI / GOOD[0]).read_bytes())
        zf.writestr("fcsNotificationEF_2_2.xml", b"<a>" + b" " * (40 * 1024 * 1024) + b"</a>")
        zf.writestr("inner.zip", b"PK\x03\x04 nested")
    r = run("ingest", str(archive))
    assert r.exit_code == 1
    assert "zip bomb" in r.stderr and "nested archive" in r.stderr
    assert stored_ids() == [NOTICE]
    store_dir = tmp_path / "store"
    assert sorted(p.name for p in store_dir.iterdir() if not p.name.startswith("tenderscan.sqlite")) == [], \
        "nothing is extracted to disk"


def test_folder_with_jobs_2_matches_jobs_1(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in GOOD:
        (folder / name).write_bytes((ZAKUPKI / name).read_bytes())
    (folder / "sub").mkdir()
    dump_zip(folder / "sub" / "contract_Moskva_2019_001.xml.zip", real_members())
    with Store.open(tmp_path / "one") as st:
        one = ingest([str(folder)], store=st, jobs=1)
    with Store.open(tmp_path / "two") as st:
        two = ingest([str(folder)], store=st, jobs=2, batch=2)
    assert (one.seen, one.added, one.failed) == (10, 5, 0)
    assert (two.seen, two.added, two.failed) == (10, 5, 0)
    assert one.skipped == two.skipped == 0
    assert stored_ids(tmp_path / "one") == stored_ids(tmp_path / "two")
    with Store.open(tmp_path / "one") as a, Store.open(tmp_path / "two") as b:
        assert a.conn.execute("SELECT count(*) FROM items").fetchone() == \
            b.conn.execute("SELECT count(*) FROM items").fetchone()
        assert a.conn.execute("SELECT count(*) FROM provenance").fetchone()[0] == 10


def test_ingest_is_quiet_when_not_on_a_terminal(tmp_path):
    r = run("--quiet", "ingest", str(ZAKUPKI / GOOD[0]))
    assert r.exit_code == 0 and r.stdout == "" and r.stderr == ""
    assert stored_ids() == [NOTICE]


def test_ingest_with_store_option(tmp_path):
    r = run("ingest", "--store", str(tmp_path / "elsewhere"), str(ZAKUPKI / GOOD[0]))
    assert r.exit_code == 0
    assert stored_ids(tmp_path / "elsewhere") == [NOTICE]
    assert stored_ids() == []


def test_missing_path_is_not_found_as_in_show(tmp_path):
    # issue 14 item 13: `ingest nosuch` and `show nosuch` behave the same: one line, exit 4 (it was a usage box, 2)
    r = run("ingest", str(tmp_path / "nope"))
    shown = run("show", str(tmp_path / "nope"))
    assert r.exit_code == shown.exit_code == 4
    expected = f"error: {tmp_path / 'nope'}: no such file or folder; check the path"
    assert r.stderr.splitlines()[0] == shown.stderr.splitlines()[0] == expected


@pytest.mark.parametrize("jobs", [1, 2])
def test_ingest_streams_members_one_at_a_time(tmp_path, jobs, monkeypatch):
    """Memory does not grow with the number of documents: at most a few chunks are in flight."""
    import tenderscan.services.ingest as mod

    members = {}
    data = (ZAKUPKI / GOOD[0]).read_bytes()
    for i in range(300):
        number = f"{i:019d}"
        members[f"epNotificationEZK2020_{number}_{i}.xml"] = data.replace(NOTICE.encode(), number.encode())
    archive = tmp_path / "many.xml.zip"
    dump_zip(archive, members)
    live = {"now": 0, "peak": 0}
    real_units = mod._units

    def counting(*args, **kw):
        for u in real_units(*args, **kw):
            live["now"] += 1
            live["peak"] = max(live["peak"], live["now"])
            yield u

    real_take_batch = Store.write

    def add_batch(self, batch):
        batch = list(batch)
        live["now"] -= len(batch)
        return real_take_batch(self, batch)

    monkeypatch.setattr(mod, "_units", counting)
    monkeypatch.setattr(Store, "write", add_batch)
    with Store.open(tmp_path / "s") as st:
        stats = ingest([str(archive)], store=st, jobs=jobs, batch=20)
        assert stats.added == 300 and st.count() == 300
    from tenderscan.services.ingest_pool import CHUNK

    bound = 20 + (CHUNK * (jobs * 3 + 2) if jobs > 1 else 1)
    assert live["peak"] <= bound, live
