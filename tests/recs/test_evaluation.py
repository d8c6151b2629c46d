"""``papertide eval recs``: users and candidates as the development set defines them, candidates
stripped of what would give the answer away, metrics, and the command end to end on a small
corpus through the live recommender."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papertide.cli import app
from papertide.recs.evaluation import UsersFileError, aggregate, eval_records, norm_id, read_users, user_metrics
from papertide.storage.db import Database

runner = CliRunner()


def test_ids_are_normalised_like_the_scorer():
    for raw in ("arXiv:2603.01234v2", "https://arxiv.org/abs/2603.01234", "http://arxiv.org/pdf/2603.01234v1.pdf",
                " 2603.01234 "):
        assert norm_id(raw) == "2603.01234"
    assert norm_id("hep-th/9901001v3") == "hep-th/9901001"


def test_a_bad_users_line_names_its_line(tmp_path: Path):
    path = tmp_path / "users.jsonl"
    path.write_text('{"id": "a", "kind": "author", "likes": [], "window": ["2026-03-01", "2026-03-02"]}\n{"id": "b"}\n')
    with pytest.raises(UsersFileError, match=r"users.jsonl:2: not a user record"):
        read_users(path)
    path.write_text('{"id": "c", "kind": "robot", "likes": []}\n')
    with pytest.raises(UsersFileError, match="unknown kind"):
        read_users(path)


def test_metrics_by_hand():
    m = user_metrics({"a", "b"}, ["x", "a", "y", "b"])
    assert m["recall@10"] == 1.0 and m["MRR"] == 0.5
    assert m["nDCG@10"] == pytest.approx((1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3)))
    assert user_metrics({"a"}, ["x"])["MRR"] == 0.0
    agg = aggregate([("author", {"nDCG@20": 0.2}), ("author", {"nDCG@20": 0.4}), ("community", {"nDCG@20": 0.1})])
    assert agg["author"]["nDCG@20"] == pytest.approx(0.3)
    assert agg["overall"]["nDCG@20"] == pytest.approx(0.2)  # the mean of the kinds, not of the users


def _paper(aid: str, published: str, topic: str, **extra) -> dict:  # type: ignore[no-untyped-def]
    words = {"nlp": "language model tokens translation parsing grammar", "vision": "image pixels segmentation camera"}
    return {"arxiv_id": aid, "title": f"{topic} paper {aid}", "abstract": f"{words[topic]} study {aid} " * 3,
            "authors": ["Jane Doe", "John Roe"], "categories": ["cs.CL" if topic == "nlp" else "cs.CV"],
            "published": published, "sources": ["arxiver"], **extra}


@pytest.fixture
def dev_set(tmp_path: Path) -> tuple[Path, Path]:
    corpus = [_paper(f"2601.{i:05d}", "2026-01-15", "nlp" if i % 2 else "vision") for i in range(60)]
    corpus += [_paper(f"2603.{i:05d}", "2026-03-10", "nlp" if i % 2 else "vision",
                      **({"hf_date": "2026-03-12", "upvotes": 40} if i < 4 else {})) for i in range(40)]
    path = tmp_path / "corpus.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for r in corpus:
            fh.write(json.dumps(r) + "\n")
    users = [
        {"id": "author-1", "kind": "author", "likes": [f"2601.{i:05d}" for i in range(1, 20, 2)],
         "window": ["2026-03-01", "2026-03-31"], "targets": ["2603.00001", "2603.00003", "2603.00005"]},
        {"id": "community-2026-03-12", "kind": "community", "likes": ["2601.00002", "2601.00004"], "like_weights": [3, 0],
         "day": "2026-03-12", "candidate_ids": ["2603.00010", "2603.00029"], "targets": ["2603.00012"]},
    ]
    upath = tmp_path / "users.jsonl"
    upath.write_text("".join(json.dumps(u) + "\n" for u in users))
    return upath, path


def test_candidates_lose_authors_and_hf_fields_likes_keep_theirs(dev_set):
    users_path, corpus = dev_set
    records = {r["arxiv_id"]: r for r in eval_records(read_users(users_path), [corpus], [])}
    assert records["2601.00001"]["authors"] == ["Jane Doe", "John Roe"]  # a like
    cand = records["2603.00001"]
    assert cand["authors"] == [] and "hf_date" not in cand and "upvotes" not in cand
    assert all(not s.startswith("hf") for s in cand["sources"])
    assert len(records) == 100  # likes, candidates and the history as background


def test_eval_recs_end_to_end(dev_set, tmp_path: Path, monkeypatch):
    users_path, corpus = dev_set
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path / "data"))
    url = f"sqlite:///{tmp_path / 'eval.db'}"
    out = tmp_path / "run.jsonl"
    result = runner.invoke(app, ["eval", "recs", "--users", str(users_path), "--out", str(out), "--corpus", str(corpus),
                                 "--database-url", url], env={"PAPERTIDE_DATA_DIR": str(tmp_path / "data")})
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r["results"] for r in map(json.loads, out.read_text().splitlines())}
    author, community = rows["author-1"], rows["community-2026-03-12"]
    assert set(author) == {f"2603.{i:05d}" for i in range(40)}  # the window, every paper ranked
    assert sum(int(a[-1]) % 2 for a in author[:10]) >= 8  # the liked topic first (odd ids are nlp)
    assert set(community) == {f"2603.{i:05d}" for i in range(10, 30)}  # the id range
    assert "For you — recommendation quality" in result.output and "author" in result.output
    assert "Loading the evaluation papers" in result.output
    db = Database(url)
    with db.read() as conn:
        stored = conn.exec_driver_sql("select authors from papers where arxiv_id = '2603.00001'").scalar()
    db.dispose()
    assert json.loads(stored) == []
    # Kept between runs: a second run loads nothing and ranks the same.
    again = runner.invoke(app, ["eval", "recs", "--users", str(users_path), "--out", str(out), "--database-url", url,
                                "--likes", "5"], env={"PAPERTIDE_DATA_DIR": str(tmp_path / "data")})
    assert again.exit_code == 0, again.output
    assert "Loading the evaluation papers" not in again.output and "5 most recent likes" in again.output
