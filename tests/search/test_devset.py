"""The judged development set: its loader's checks, per-kind scoring, and ``papertide eval search``."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papertide.cli import app
from papertide.search.devset import DevQuery, DevSetError, load_devset, score_by_kind
from tests.search.conftest import CORPUS

runner = CliRunner()


def _write_set(folder: Path, queries: list[dict], qrels: list[tuple[str, str, int]], ids: list[str]) -> Path:
    (folder / "qrels").mkdir(parents=True)
    (folder / "queries.jsonl").write_text("".join(json.dumps(q) + "\n" for q in queries))
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t{g}\n" for q, d, g in qrels))
    with gzip.open(folder / "corpus_ids.txt.gz", "wt") as fh:
        fh.write("".join(i + "\n" for i in ids))
    return folder


def test_the_committed_set_loads_and_is_big_enough():
    dev = load_devset(Path(__file__).resolve().parents[2] / "bench" / "devset")
    kinds = {q.kind for q in dev.judged()}
    assert len(dev.judged()) >= 150 and {"known", "topic", "question", "typo", "id", "foreign"} <= kinds
    assert len(dev.corpus_ids) > 40_000


def test_a_set_that_contradicts_itself_is_refused_with_every_reason(tmp_path: Path):
    folder = _write_set(tmp_path / "bad", [{"_id": "q1", "text": "x", "kind": "known"},
                                           {"_id": "q1", "text": "y", "kind": "guess"}],
                        [("q1", "2401.00001", 2), ("q9", "2401.00002", 1), ("q1", "9999.99999", 1)], ["2401.00001"])
    with pytest.raises(DevSetError) as err:
        load_devset(folder)
    msg = str(err.value)
    assert "duplicate id q1" in msg and "'guess'" in msg and "q9 is not in queries.jsonl" in msg
    assert "9999.99999, which is not in the corpus slice" in msg


def test_known_items_score_by_reciprocal_rank_and_topics_by_ndcg():
    qs = [DevQuery("k", "a paper", "known"), DevQuery("t", "a topic", "topic")]
    qrels = {"k": {"p2": 2}, "t": {"p1": 2, "p3": 1, "p9": 0}}
    scores = score_by_kind(qs, {"k": ["p1", "p2"], "t": ["p1", "p2", "p3"]}, qrels)
    assert scores["known"].headline == pytest.approx(0.5)
    ideal = 2 + 1 / 1.5849625  # p1 (2) then p3 (1)
    assert scores["topic"].headline == pytest.approx((2 + 1 / 2) / ideal)
    assert scores["all"].queries == 2 and scores["known items"].queries == 1


def test_eval_search_end_to_end(tmp_path: Path):
    corpus = tmp_path / "corpus.jsonl.gz"
    with gzip.open(corpus, "wt") as fh:
        for p in CORPUS:
            fh.write(json.dumps({"arxiv_id": p.arxiv_id, "title": p.title, "abstract": p.abstract,
                                 "authors": list(p.authors), "categories": list(p.categories),
                                 "published": p.published.isoformat() if p.published else None}) + "\n")
        fh.write('{"arxiv_id": "2401.99999", "title": "outside the slice", "abstract": "x", "authors": []}\n')
    folder = _write_set(tmp_path / "dev", [
        {"_id": "k1", "text": "collapsed stars evaporate", "kind": "known"},
        {"_id": "t1", "text": "images", "kind": "topic"},
        {"_id": "q1", "text": "how do proteins fold?", "kind": "question"},
    ], [("k1", "2401.00008", 2), ("t1", "2401.00002", 2), ("t1", "2401.00009", 2), ("q1", "2401.00005", 2)],
        [p.arxiv_id for p in CORPUS])
    env = {"PAPERTIDE_DATA_DIR": str(tmp_path / "data")}
    args = ["eval", "search", "--devset", str(folder), "--corpus", str(corpus), "--runs-out", str(tmp_path / "runs.jsonl")]
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert "Imported 10 papers of the slice" in result.output and "question (1)" in result.output
    runs = [json.loads(line) for line in (tmp_path / "runs.jsonl").read_text().splitlines()]
    hybrid = {r["qid"]: r["top"] for r in runs if r["run"] == "hybrid (convex)"}
    assert hybrid["q1"][0] == "2401.00005" and "2401.99999" not in sum(hybrid.values(), [])
    again = runner.invoke(app, args, env=env)  # kept: nothing imported or embedded twice
    assert again.exit_code == 0 and "Imported" not in again.output and "Embedded 0 papers" in again.output
