"""The build state's records: kept for every site sharing a cache until no build has used them
for a week, and a table of another layout is replaced, not read."""
from digestgen import state


def test_records_of_another_site_sharing_the_cache_are_kept_until_unused_for_a_week(tmp_path, monkeypatch):
    db = tmp_path / "state.sqlite"
    big = [f"a{i}" for i in range(300)]
    records = state.Records(db, "t", 1)
    records.put_many([(k, "x") for k in big], used=set(big))
    records.close()
    records = state.Records(db, "t", 1)  # a small site's build: it uses one record
    records.put_many([("b", "y")], used={"b"})
    records.close()
    assert len(state.Records(db, "t", 1).get_many(big)) == 300  # the big site's, used today: kept
    today = state._today()
    monkeypatch.setattr(state, "_today", lambda: today + state.KEEP_DAYS + 1)
    records = state.Records(db, "t", 1)
    assert records.get_many(["b"]) == {"b": ("y",)}
    records.put_many([], used={"b"})
    records.close()
    assert state.Records(db, "t", 1).get_many(big[:5]) == {}  # a week unused: removed
    assert state.Records(db, "t", 1).get_many(["b"]) == {"b": ("y",)}


def test_a_table_of_another_version_is_replaced(tmp_path):
    db = tmp_path / "state.sqlite"
    records = state.Records(db, "t", 1)
    records.put_many([("k", "old")])
    records.close()
    assert state.Records(db, "t", 2).get_many(["k"]) == {}
    assert state.Records(db, "t", 1).get_many(["k"]) == {}  # dropped when version 2 opened it


def test_a_state_held_by_another_build_stops_this_one_cleanly_and_is_kept(tmp_path, monkeypatch, capsys):
    import shutil
    import sqlite3
    from conftest import ROOT, write
    from digestgen.cli import main
    project = tmp_path / "p"
    shutil.copytree(ROOT / "templates", project / "templates")
    shutil.copy(ROOT / "digest.yaml", project / "digest.yaml")
    write(project / "articles" / "a.md", "---\ntitle: 甲\ndate: 2022-01-02\n---\n某县公安局破获一起盗窃案件。\n")
    monkeypatch.chdir(project)
    assert main(["build", "--quiet"]) == 0
    before = (project / "site" / "index.html").read_bytes()
    write(project / "articles" / "b.md", "---\ntitle: 乙\ndate: 2022-01-03\n---\n某县公安局开展反诈宣传。\n")
    monkeypatch.setattr(state, "WAIT", 0.2)
    holder = sqlite3.connect(project / ".digestgen-cache" / "state.sqlite")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        capsys.readouterr()
        assert main(["build", "--quiet"]) == 2
    finally:
        holder.rollback()
        holder.close()
    err = capsys.readouterr().err
    assert "another build may be holding it" in err and "Traceback" not in err
    assert (project / "site" / "index.html").read_bytes() == before
    assert main(["build", "--quiet"]) == 0  # the state was kept, and works again
    assert "乙" in (project / "site" / "index.html").read_text("utf-8")


def test_a_save_writes_only_what_changed_unless_another_build_saved_in_between(tmp_path):
    db, site = tmp_path / "state.sqlite", tmp_path / "site"
    keys = {f"p{i}.html": f"k{i}" for i in range(50)}
    digests = {p: "d" + k for p, k in keys.items()}
    state.BuildState(db).save(site, keys, digests, site_digest="s1")
    first = state.BuildState(db).load(site)
    assert {p: v[0] for p, v in first.items() if p != state.SITE_ROW} == keys
    # The next build: one page changed, one gone, one new; saved against what it loaded.
    keys2 = {**keys, "p1.html": "new", "q.html": "kq"}
    del keys2["p2.html"]
    digests2 = {p: "d" + k for p, k in keys2.items()}
    state.BuildState(db).save(site, keys2, digests2, site_digest="s2", last=first)
    second = state.BuildState(db).load(site)
    assert {p: v[0] for p, v in second.items() if p != state.SITE_ROW} == keys2
    assert second[state.SITE_ROW][0] == "s2"
    # A build that loaded ``first`` saves after another build did: its rows replace all of them.
    state.BuildState(db).save(site, {"only.html": "k"}, {"only.html": "d"}, site_digest="s3", last=first)
    assert set(state.BuildState(db).load(site)) == {"only.html", state.SITE_ROW}
