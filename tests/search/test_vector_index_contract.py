"""Every VectorIndex behaves the same: exact numpy and HNSW (SQLite), pgvector (PostgreSQL), Null."""

from __future__ import annotations

import time

import numpy as np
import pytest

from papertide.domain.search import make_filters
from papertide.search.vectors import DeferredVectorIndex, NullVectorIndex, VectorIndex, make_vector_index
from papertide.storage import embeddings as emb_store
from tests.factories import add_papers, make_paper

MODEL = "contract-model"


def _unit(v: list[float]) -> np.ndarray:
    a = np.zeros(384, dtype=np.float32)
    a[: len(v)] = v
    return a / np.linalg.norm(a)


@pytest.fixture(params=["auto", "hnsw"])
def index(request, db) -> VectorIndex:  # type: ignore[no-untyped-def]
    kind = request.param
    if kind == "hnsw" and db.dialect != "sqlite":
        pytest.skip("HNSW files are SQLite mode's; PostgreSQL uses pgvector")
    add_papers(db, make_paper("2501.00001", categories=("cs.LG",)), make_paper("2501.00002", categories=("cs.CV",)),
               make_paper("2501.00003", categories=("cs.CV",)))
    with db.read() as conn:
        from papertide.storage.papers import paper_row_id

        ids = [paper_row_id(conn, f"2501.0000{i}") for i in (1, 2, 3)]
    with db.write() as conn:
        emb_store.upsert_vectors(conn, MODEL, ids, ["h1", "h2", "h3"],
                                 np.stack([_unit([1, 0]), _unit([0.9, 0.1]), _unit([0, 1])]))
    idx = make_vector_index(db, MODEL, kind)
    idx.refresh()
    idx.ids = ids  # type: ignore[attr-defined]
    return idx


def test_index_is_a_vector_index(index):
    assert isinstance(index, VectorIndex) and isinstance(NullVectorIndex(), VectorIndex)
    assert len(index) == 3


def test_an_index_is_true_only_when_its_model_has_vectors(index, db):
    assert index  # search asks this on every query (pgvector: an EXISTS, not a count)
    empty = make_vector_index(db, "a-model-with-no-vectors")
    assert not empty and len(empty) == 0
    assert DeferredVectorIndex(lambda: index) and not DeferredVectorIndex(lambda: empty)  # what the site holds


def test_search_returns_nearest_first_with_cosine_scores(index):
    a, b, c = index.ids
    hits = index.search(_unit([1, 0]), 3)
    assert [h[0] for h in hits] == [a, b, c]
    assert [round(s, 2) for _, s in hits] == [1.0, round(0.9 / np.hypot(0.9, 0.1), 2), 0.0]


def test_search_honours_filters_and_exclusion(index):
    a, b, c = index.ids
    assert [h[0] for h in index.search(_unit([1, 0]), 3, filters=make_filters(categories="cs.CV"))] == [b, c]
    assert [h[0] for h in index.search(_unit([1, 0]), 2, exclude=a)] == [b, c]


def test_vector_of_round_trips_through_float16(index):
    a, _, _ = index.ids
    v = index.vector_of(a)
    assert v is not None and np.allclose(v, _unit([1, 0]), atol=1e-3)
    assert index.vector_of(999_999) is None


def test_similarities_score_exactly_the_papers_asked_for(index):
    a, b, c = index.ids
    sims = index.similarities(_unit([0, 1]), [c, a, 999_999])
    assert set(sims) == {a, c}  # a paper without a vector is left out, not guessed
    assert sims[c] == pytest.approx(1.0, abs=1e-3) and sims[a] == pytest.approx(0.0, abs=1e-3)
    assert index.similarities(_unit([0, 1]), []) == {}


def test_null_index_finds_nothing():
    null = NullVectorIndex()
    assert (null.search(_unit([1]), 5), null.vector_of(1), len(null)) == ([], None, 0)
    assert null.similarities(_unit([1]), [1]) == {}


def _add_with_vector(db, arxiv_id: str, vector: np.ndarray, model: str = MODEL) -> int:  # type: ignore[no-untyped-def]
    from papertide.storage.papers import paper_row_id

    add_papers(db, make_paper(arxiv_id))
    with db.read() as conn:
        pid = paper_row_id(conn, arxiv_id)
    with db.write() as conn:
        emb_store.upsert_vectors(conn, model, [pid], [arxiv_id], vector[None, :])
    return pid


def test_hnsw_graph_is_saved_extended_and_restored(sqlite_db):
    from papertide.search.vectors import HnswVectorIndex, hnsw_path

    first = _add_with_vector(sqlite_db, "2501.00011", _unit([1, 0]))
    idx = make_vector_index(sqlite_db, MODEL, "hnsw")
    assert isinstance(idx, HnswVectorIndex) and len(idx) == 0  # no graph yet: built by refresh(), not here
    idx.refresh()
    assert len(idx) == 1
    second = _add_with_vector(sqlite_db, "2501.00012", _unit([0, 1]))
    idx.refresh()
    assert [h[0] for h in idx.search(_unit([0, 1]), 1)] == [second]
    path = hnsw_path(sqlite_db, MODEL)
    assert path is not None and path.exists()
    # "auto" keeps using a saved graph even below the size that would build one.
    again = make_vector_index(sqlite_db, MODEL)
    assert isinstance(again, HnswVectorIndex) and len(again) == 2
    assert [h[0] for h in again.search(_unit([1, 0]), 2)] == [first, second]


def test_hnsw_a_long_backlog_is_left_to_refresh_while_the_saved_graph_answers(sqlite_db, monkeypatch):
    from papertide.search import vectors

    first = _add_with_vector(sqlite_db, "2501.00031", _unit([1, 0]))
    make_vector_index(sqlite_db, MODEL, "hnsw").refresh()  # saved with one vector
    later = [_add_with_vector(sqlite_db, f"2501.0003{n}", _unit([0, 1, n])) for n in (2, 3)]
    monkeypatch.setattr(vectors, "INLINE_CATCH_UP", 1)
    opened = make_vector_index(sqlite_db, MODEL)  # two written since the save: more than 1
    assert len(opened) == 1 and [h[0] for h in opened.search(_unit([0, 1]), 3)] == [first]
    opened.refresh()
    assert len(opened) == 3 and {h[0] for h in opened.search(_unit([0, 1]), 2)} == set(later)
    monkeypatch.undo()
    _add_with_vector(sqlite_db, "2501.00034", _unit([1, 1]))
    assert len(make_vector_index(sqlite_db, MODEL)) == 4  # within the bound: caught up on opening


def test_hnsw_a_graph_being_searched_takes_new_and_re_embedded_vectors_a_slice_at_a_time(sqlite_db, monkeypatch):
    from papertide.search import vectors

    monkeypatch.setattr(vectors, "LIVE_ADD_CHUNK", 2)
    moved = _add_with_vector(sqlite_db, "2501.00041", _unit([1, 0]))
    idx = make_vector_index(sqlite_db, MODEL, "hnsw")
    idx.refresh()
    added = [_add_with_vector(sqlite_db, f"2501.0004{n}", _unit([1, n])) for n in (2, 3, 4, 5, 6)]
    with sqlite_db.write() as conn:
        emb_store.upsert_vectors(conn, MODEL, [moved], ["new"], _unit([0, 1])[None, :])
    idx.refresh()  # six vectors into the live graph, two per call, one of them replacing its old self
    assert len(idx) == 6
    assert idx.search(_unit([0, 1]), 1)[0][0] == moved
    assert {h[0] for h in idx.search(_unit([1, 3]), 6)} == {moved, *added}


def test_hnsw_replaces_a_re_embedded_vector(sqlite_db):
    pid = _add_with_vector(sqlite_db, "2501.00021", _unit([1, 0]))
    other = _add_with_vector(sqlite_db, "2501.00022", _unit([0.7, 0.3]))
    idx = make_vector_index(sqlite_db, MODEL, "hnsw")
    idx.refresh()
    with sqlite_db.write() as conn:
        emb_store.upsert_vectors(conn, MODEL, [pid], ["new"], _unit([0, 1])[None, :])
    idx.refresh()
    assert len(idx) == 2
    assert [h[0] for h in idx.search(_unit([1, 0]), 2)] == [other, pid]
    v = idx.vector_of(pid)
    assert v is not None and np.allclose(v, _unit([0, 1]), atol=1e-3)


def test_hnsw_graph_of_other_settings_is_rebuilt(sqlite_db):
    import json

    from papertide.search.vectors import hnsw_path

    pid = _add_with_vector(sqlite_db, "2501.00031", _unit([1, 0]))
    make_vector_index(sqlite_db, MODEL, "hnsw").refresh()
    path = hnsw_path(sqlite_db, MODEL)
    assert path is not None
    meta = path.with_suffix(".json")
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "layout": "older"}))
    again = make_vector_index(sqlite_db, MODEL, "hnsw")
    assert len(again) == 0  # the old graph is not used
    again.refresh()
    assert len(again) == 1 and again.search(_unit([1, 0]), 1)[0][0] == pid


def test_unknown_vector_index_is_refused(sqlite_db):
    with pytest.raises(ValueError, match="unknown vector index"):
        make_vector_index(sqlite_db, MODEL, "annoy")


def _crowd_and_one_far_paper(db, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    """``n`` cs.LG papers around the query direction, then one astro-ph paper pointing away from it."""
    from papertide.storage.papers import paper_row_id

    rng = np.random.default_rng(3)
    add_papers(db, *[make_paper(f"2502.{i:05d}", categories=("cs.LG",)) for i in range(n)],
               make_paper("2502.99999", categories=("astro-ph.GA",)))
    with db.read() as conn:
        ids = [paper_row_id(conn, f"2502.{i:05d}") for i in range(n)] + [paper_row_id(conn, "2502.99999")]
    v = rng.standard_normal((n + 1, 384)).astype(np.float32)
    v[:n, 0] += 8
    v[n, 0] -= 8
    with db.write() as conn:
        emb_store.upsert_vectors(conn, MODEL, ids, ["h"] * (n + 1), v / np.linalg.norm(v, axis=1, keepdims=True))
    return ids


@pytest.mark.parametrize("depth_max", [256, 16_384])
def test_hnsw_narrow_filter_finds_the_one_passing_paper_far_from_the_query(sqlite_db, monkeypatch, depth_max):
    """Graph path (deepening) and exact fallback path must agree."""
    import papertide.search.graph_filters as graph_filters

    monkeypatch.setattr(graph_filters, "FILTERED_DEPTH_MAX", depth_max)
    ids = _crowd_and_one_far_paper(sqlite_db, 600)
    idx = make_vector_index(sqlite_db, MODEL, "hnsw")
    idx.refresh()
    hits = idx.search(_unit([1]), 5, filters=make_filters(categories="astro-ph.GA"))
    assert [h[0] for h in hits] == [ids[-1]]
    assert len(idx.search(_unit([1]), 5, filters=make_filters(categories="cs.LG"))) == 5


@pytest.mark.parametrize("max_scan", [1, 20_000])
def test_pgvector_narrow_filter_finds_the_one_passing_paper_far_from_the_query(db, monkeypatch, max_scan):
    """The index walk (which gives up after max_scan_tuples) and the exact fallback must agree."""
    if db.dialect != "postgresql":
        pytest.skip("pgvector is PostgreSQL mode's; SQLite's graph has the test above")
    monkeypatch.setattr(emb_store, "HNSW_MAX_SCAN_TUPLES", max_scan)
    monkeypatch.setattr(emb_store, "HNSW_EF_SEARCH", 1)
    ids = _crowd_and_one_far_paper(db, 300)
    with db.write() as conn:
        conn.exec_driver_sql("ANALYZE paper_embeddings")
    idx = make_vector_index(db, MODEL)
    assert [h[0] for h in idx.search(_unit([1]), 1, filters=make_filters(categories="astro-ph.GA"))] == [ids[-1]]
    hits = idx.search(_unit([1]), 5, filters=make_filters(categories="cs.LG"))
    assert len(hits) == 5 and [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def _cv_share_of_random_papers(db, month: str, n: int, every: int, seed: int):  # type: ignore[no-untyped-def]
    """``n`` papers with random unit vectors, every ``every``-th in cs.CV (the rest cs.LG), in a fresh graph:
    the graph, row ids, vectors and which pass a cs.CV filter."""
    from papertide.storage.papers import paper_row_id

    passing = np.array([i % every == 0 for i in range(n)])
    add_papers(db, *[make_paper(f"{month}.{i:05d}", categories=("cs.CV" if p else "cs.LG",)) for i, p in enumerate(passing)])
    with db.read() as conn:
        ids = [paper_row_id(conn, f"{month}.{i:05d}") for i in range(n)]
    v = np.random.default_rng(seed).standard_normal((n, 384)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    with db.write() as conn:
        emb_store.upsert_vectors(conn, MODEL, ids, ["h"] * n, v)
    idx = make_vector_index(db, MODEL, "hnsw")
    idx.refresh()
    return idx, ids, v, passing


def test_hnsw_filtered_search_deepens_to_the_exact_filtered_answer(sqlite_db, monkeypatch):
    """A filter a fifth of the papers pass: the graph is searched deeper until k pass, same top as exact."""
    import papertide.search.vectors as vectors

    monkeypatch.setattr(vectors, "HNSW_EXPANSION_SEARCH", 16)  # a shallow first search, so it must deepen
    idx, ids, v, passing = _cv_share_of_random_papers(sqlite_db, "2503", 1_000, 5, seed=5)
    q = v[3] + 0.5 * v[10]
    q /= np.linalg.norm(q)
    exact = [ids[i] for i in np.argsort(-(v @ q))[:] if passing[i]][:10]
    hits = idx.search(q, 60, filters=make_filters(categories="cs.CV"))
    assert len(hits) == 60 and all(passing[ids.index(i)] for i, _ in hits)
    # A graph is approximate (and built by several threads, so not the same twice): 9 of the top 10.
    assert len({i for i, _ in hits[:10]} & set(exact)) >= 9


def _counting_walks(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    import papertide.search.graph_filters as graph_filters

    walks: list[int] = []
    real_walk = graph_filters.FilteredGraphSearch.walk
    monkeypatch.setattr(graph_filters.FilteredGraphSearch, "walk",
                        staticmethod(lambda graph, q, count: walks.append(count) or real_walk(graph, q, count)))
    return walks


def test_hnsw_filtered_search_starts_as_deep_as_the_filter_needed_before(sqlite_db, monkeypatch):
    """The second search under a filter walks the graph once (the first had to deepen) and stays exact."""
    import papertide.search.graph_filters as graph_filters

    monkeypatch.setattr(graph_filters, "EXACT_ROWS_MAX", 0)  # no exact answers from kept vectors: walks only
    idx, ids, v, passing = _cv_share_of_random_papers(sqlite_db, "2505", 2_000, 10, seed=9)
    walks = _counting_walks(monkeypatch)
    cv = make_filters(categories="cs.CV")
    for n, row in enumerate((7, 8)):
        q = v[row]
        exact = [ids[i] for i in np.argsort(-(v @ q)) if passing[i]][:80]
        walks.clear()
        hits = idx.search(q, 80, filters=cv)
        # The graph keeps float16 vectors, so near ties may swap: the same papers, not the same order.
        assert len(hits) == 80 and len({i for i, _ in hits} & set(exact)) >= 78
        assert len(walks) == (2 if n == 0 else 1), walks  # 4k deep passes ~32 of 80 at a tenth passing


def _until_answered_without_a_walk(idx, walks: list[int], q, k: int, filters):  # type: ignore[no-untyped-def]
    """Search until a background copy of the filter's vectors lets a search skip the walk."""
    deadline = time.monotonic() + 30
    while True:
        walks.clear()
        hits = idx.search(q, k, filters=filters)
        if not walks:
            return hits
        assert time.monotonic() < deadline, "the filter's vectors were never copied"
        time.sleep(0.05)


def test_hnsw_a_filter_that_needs_a_deep_walk_is_answered_exactly_from_then_on(sqlite_db, monkeypatch):
    """A tenth passing: the first search walks and learns the pass rate, the second walks too while the
    passing papers' vectors are copied in the background; later ones score those exactly, with no walk,
    until a paper or a vector changes."""
    from papertide.storage.papers import paper_row_id

    idx, ids, v, passing = _cv_share_of_random_papers(sqlite_db, "2506", 2_000, 10, seed=13)
    walks = _counting_walks(monkeypatch)
    cv = make_filters(categories="cs.CV")
    idx.search(v[1], 80, filters=cv)
    assert walks
    _until_answered_without_a_walk(idx, walks, v[2], 80, cv)
    for row in (7, 8, 9):
        walks.clear()
        q = v[row]
        order = [i for i in np.argsort(-(v @ q)) if passing[i]]
        hits = idx.search(q, 80, filters=cv, exclude=ids[order[0]])
        assert walks == []
        # float16 vectors: near ties may swap places, so the same papers and nearly the same scores.
        assert {i for i, _ in hits} == {ids[i] for i in order[1:81]}
        assert all(abs(s - float(v[ids.index(i)] @ q)) < 2e-3 for i, s in hits)
    # A cs.CV paper re-embedded right at the query (no paper changed, only a vector): the kept
    # vectors are stale, so the next search walks (and finds it first), and the copy is made again.
    moved = ids[int(np.flatnonzero(passing)[-1])]
    with sqlite_db.write() as conn:
        emb_store.upsert_vectors(conn, MODEL, [moved], ["h2"], v[9][None, :])
    idx.refresh()
    walks.clear()
    assert idx.search(v[9], 80, filters=cv)[0][0] == moved and walks
    assert _until_answered_without_a_walk(idx, walks, v[9], 80, cv)[0][0] == moved
    # A new cs.CV paper: the page generation moves on, and it is found too.
    add_papers(sqlite_db, make_paper("2506.99999", categories=("cs.CV",)))
    with sqlite_db.read() as conn:
        new = paper_row_id(conn, "2506.99999")
    with sqlite_db.write() as conn:
        emb_store.upsert_vectors(conn, MODEL, [new], ["h"], v[8][None, :])
    idx.refresh()
    assert idx.search(v[8], 80, filters=cv)[0][0] == new
    assert _until_answered_without_a_walk(idx, walks, v[8], 80, cv)[0][0] == new


def test_pgvector_searches_look_wider_on_bigger_collections():
    """ef_search: 1.5 k up to ~250k vectors, then growing with the square root of the size, capped."""
    assert emb_store.hnsw_ef_search(200) == emb_store.hnsw_ef_search(200, 241_792) == 300
    assert 580 <= emb_store.hnsw_ef_search(200, 967_168) <= 600
    assert emb_store.hnsw_ef_search(200, 50_000_000) == emb_store.PGVECTOR_EF_MAX
    assert emb_store.hnsw_ef_search(11, 967_168) == emb_store.HNSW_EF_SEARCH  # never below the floor


def test_pgvector_knows_about_how_many_vectors_it_holds(db):
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL's planner estimate")
    _crowd_and_one_far_paper(db, 300)
    with db.read() as conn:
        before = emb_store.estimated_vectors(conn)
    with db.write() as conn:
        conn.exec_driver_sql("ANALYZE paper_embeddings")
    with db.read() as conn:
        assert before in (0, 301) and emb_store.estimated_vectors(conn) == 301


def test_hnsw_exact_answers_see_a_paper_added_since_the_last_one(sqlite_db):
    """The passing papers kept for exact answers are dropped once a paper changes."""
    from papertide.storage.papers import paper_row_id

    ids = _crowd_and_one_far_paper(sqlite_db, 600)
    idx = make_vector_index(sqlite_db, MODEL, "hnsw")
    idx.refresh()
    astro = make_filters(categories="astro-ph.GA")
    assert [h[0] for h in idx.search(_unit([1]), 5, filters=astro)] == [ids[-1]]
    add_papers(sqlite_db, make_paper("2502.99998", categories=("astro-ph.GA",)))
    with sqlite_db.read() as conn:
        new = paper_row_id(conn, "2502.99998")
    with sqlite_db.write() as conn:
        emb_store.upsert_vectors(conn, MODEL, [new], ["h"], _unit([1, 0.1])[None, :])
    idx.refresh()
    assert [h[0] for h in idx.search(_unit([1]), 5, filters=astro)] == [new, ids[-1]]


def test_hnsw_walks_a_repeated_query_once_until_the_graph_changes(sqlite_db, monkeypatch):
    """A paper page asks for the same paper's neighbours on every uncached render: one walk serves
    them until a refresh changes the graph, and then the answer includes the new paper."""
    first = _add_with_vector(sqlite_db, "2501.00021", _unit([1, 0]))
    far = _add_with_vector(sqlite_db, "2501.00022", _unit([0, 1]))
    idx = make_vector_index(sqlite_db, MODEL, "hnsw")
    idx.refresh()
    walks = _counting_walks(monkeypatch)
    q = idx.vector_of(first)
    assert q is not None
    answers = [idx.search(q, 1, exclude=first) for _ in range(3)]
    assert answers[0] == answers[1] == answers[2] and [h[0] for h in answers[0]] == [far]
    assert walks == [2]  # k + the excluded paper itself, walked once
    answers[0].clear()  # a caller changing its list does not change the next answer
    assert [h[0] for h in idx.search(q, 1, exclude=first)] == [far]
    near = _add_with_vector(sqlite_db, "2501.00023", _unit([1, 0.1]))
    idx.refresh()
    assert [h[0] for h in idx.search(q, 1, exclude=first)] == [near]
    assert walks == [2, 2]
