"""The bounded, newest-last store both kept-filter caches use (pure)."""

from papertide.search.kept_filters import keep_newest


def test_keep_newest_drops_the_oldest_beyond_the_entry_cap_and_refreshes_a_key_it_has():
    store: dict[str, int] = {}
    for key in "abc":
        keep_newest(store, key, 1, entries=2)
    assert list(store) == ["b", "c"]
    keep_newest(store, "b", 2, entries=2)  # asked for again: now the newest
    keep_newest(store, "d", 1, entries=2)
    assert store == {"b": 2, "d": 1}


def test_keep_newest_drops_the_oldest_while_their_sizes_add_up_past_the_total_but_keeps_the_newest():
    store: dict[str, int] = {}
    keep_newest(store, "a", 40, entries=10, total=100, size=lambda v: v)
    keep_newest(store, "b", 0, entries=10, total=100, size=lambda v: v)  # sizeless entries still count as entries
    keep_newest(store, "c", 50, entries=10, total=100, size=lambda v: v)
    assert list(store) == ["a", "b", "c"]
    keep_newest(store, "d", 30, entries=10, total=100, size=lambda v: v)
    assert list(store) == ["b", "c", "d"]
    keep_newest(store, "e", 500, entries=10, total=100, size=lambda v: v)
    assert list(store) == ["e"]
    for n in range(12):
        keep_newest(store, f"empty{n}", 0, entries=10, total=100, size=lambda v: v)
    assert len(store) == 10 and "e" not in store
