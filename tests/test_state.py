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
