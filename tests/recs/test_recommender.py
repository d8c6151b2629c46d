"""For you over real SQLite and PostgreSQL: a member's signals move the ranking, "not interested"
and follows apply at once, models are stored and retrained when signals change, and the
community's suggestions favour what it listed before and what is fresh."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from papertide.recs.artifacts import TextModels
from papertide.recs.personal import MODEL_KIND
from papertide.services import Edges, Services, build_services
from papertide.storage import recs as recs_store
from papertide.storage import users as users_store
from tests.factories import add_papers, make_paper

TODAY = datetime.now(UTC).date()
PROTEIN = "protein folding structure prediction with residue contact maps and {x} backbone geometry"
GALAXY = "galaxy rotation curves dark matter halo {x} stellar kinematics survey"
# Interleaved ids, so freshness (id order) favours neither topic.
PROTEIN_IDS = {f"2606.{2 * i:05d}" for i in range(12)} | {"2606.00100"}


def protein(arxiv_id: str) -> bool:
    return arxiv_id in PROTEIN_IDS


def _corpus(db) -> None:  # type: ignore[no-untyped-def]
    papers = []
    for i in range(12):
        day = TODAY - timedelta(days=i % 6)
        papers.append(make_paper(f"2606.{2 * i:05d}", title=f"Protein study {i}", abstract=PROTEIN.format(x=f"variant{i}"),
                                 categories=("q-bio.BM",), authors=("Rosalind Franklin", f"Coauthor {i}"), published=day))
        papers.append(make_paper(f"2606.{2 * i + 1:05d}", title=f"Galaxy study {i}", abstract=GALAXY.format(x=f"sample{i}"),
                                 categories=("astro-ph.GA",), authors=("Vera Rubin", f"Helper {i}"), published=day))
    add_papers(db, *papers)


@pytest.fixture
def services(settings, db) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    built = build_services(settings, Edges(db=db))
    _corpus(db)
    yield built
    built.close()


def _member(services: Services, email: str = "ada@example.org"):  # type: ignore[no-untyped-def]
    with services.db.write() as conn:
        return users_store.find_or_create_user(conn, email)[0]


def _vote(services: Services, user, arxiv_id: str) -> None:  # type: ignore[no-untyped-def]
    services.community.votes.vote(user, arxiv_id, True)


def _week(services: Services, user_id: int, **kw):  # type: ignore[no-untyped-def]
    return services.for_you.for_user(user_id, TODAY - timedelta(days=7), TODAY, **kw)


def test_a_member_without_signals_gets_nothing_and_is_told_so(services):
    ada = _member(services)
    page = _week(services, ada.id)
    assert page.recommendations == [] and page.has_signals is False


def test_a_new_paper_sharing_a_rare_name_with_a_liked_one_comes_first(services):
    """The name is in one paper when the phrases are counted; the next paper to use it is met later."""
    ada = _member(services)
    month_ago = TODAY - timedelta(days=30)
    add_papers(services.db, make_paper("2605.00100", title="Protein study with ZetaFold", categories=("q-bio.BM",),
                                       abstract=PROTEIN.format(x="zetafold"), published=month_ago))
    _vote(services, ada, "2605.00100")
    services.for_you.recommender.models.refit_phrases()
    add_papers(services.db, make_paper("2606.00100", title="Protein study 12", categories=("q-bio.BM",),
                                       abstract=PROTEIN.format(x="zetafold"), published=TODAY))
    page = _week(services, ada.id, limit=5)
    assert page.recommendations[0].arxiv_id == "2606.00100"
    assert all(protein(r.arxiv_id) for r in page.recommendations[1:])


def test_upvotes_pull_the_same_topic_to_the_top_with_a_reason(services):
    ada = _member(services)
    _vote(services, ada, "2606.00002")
    _vote(services, ada, "2606.00004")
    page = _week(services, ada.id, limit=10)
    top = [r.arxiv_id for r in page.recommendations]
    assert len(top) == 10
    assert all(protein(a) for a in top)  # every protein paper before any galaxy paper
    assert "2606.00002" not in top and "2606.00004" not in top  # what you liked is not recommended back
    first = page.recommendations[0]
    assert any(r.kind in ("similar", "topic") for r in first.reasons)


def test_not_interested_and_follows_apply_at_once(services):
    ada = _member(services)
    _vote(services, ada, "2606.00002")
    before = [r.arxiv_id for r in _week(services, ada.id, limit=30).recommendations]
    services.signals.not_interested(ada, before[0])
    services.signals.follow(ada, "author", "Vera Rubin")
    after = _week(services, ada.id, limit=30).recommendations
    assert before[0] not in [r.arxiv_id for r in after]
    # A followed author lifts her papers above the liked topic, and says so.
    assert not protein(after[0].arxiv_id)
    assert after[0].reasons[0].text == "by Vera Rubin, whom you follow"


def test_follows_alone_are_a_cold_start(services):
    ada = _member(services)
    services.signals.follow(ada, "query", "dark matter halo")
    recs = _week(services, ada.id, limit=5).recommendations
    assert len(recs) == 5 and not any(protein(r.arxiv_id) for r in recs)
    assert recs[0].reasons[0].kind == "keyword"


def test_models_are_stored_and_retrained_only_when_signals_change(services):
    ada, bob = _member(services), _member(services, "bob@example.org")
    _vote(services, ada, "2606.00002")
    seen: list[tuple[int, int | None]] = []
    assert services.for_you.train_stale(progress=lambda done, total: seen.append((done, total))) == 1  # only Ada has signals
    assert seen == [(0, 1), (1, 1)]
    with services.db.read() as conn:
        stored = recs_store.load_model(conn, ada.id)
        assert stored is not None and stored[0] == MODEL_KIND
        assert recs_store.users_needing_training(conn, 10) == []
    assert services.for_you.train_stale() == 0
    _vote(services, bob, "2606.00001")
    services.signals.set_paused(ada, True)
    _vote(services, ada, "2606.00006")  # learning paused: Ada waits
    assert services.for_you.train_stale() == 1
    with services.db.read() as conn:
        assert recs_store.users_needing_training(conn, 10) == []


def test_the_vocabulary_is_shared_through_the_database(services, db):
    version, _ = services.recommender.models.text()
    other = TextModels(db)
    assert other.text()[0] == version
    new = services.recommender.models.refit_text()
    assert other.text()[0] == version  # re-checked at most once a minute
    assert TextModels(db).text()[0] == new


def test_community_suggestions_favour_what_it_listed_and_fresh_papers(services, db):
    # The community listed protein papers in the past year; none of the galaxy ones.
    history = [make_paper(f"2601.{i:05d}", title=f"Older protein work {i}", abstract=PROTEIN.format(x=f"old{i}"),
                          categories=("q-bio.BM",), published=TODAY - timedelta(days=150)) for i in range(25)]
    background = [make_paper(f"2601.{100 + i:05d}", title=f"Older galaxy work {i}", abstract=GALAXY.format(x=f"old{i}"),
                             categories=("astro-ph.GA",), published=TODAY - timedelta(days=150)) for i in range(25)]
    add_papers(db, *[(p, TODAY - timedelta(days=148)) for p in history], *background)
    assert services.for_you.train_community() is True
    ranked = [r.arxiv_id for r in services.for_you.suggested_for_today(days=7, limit=50)]
    assert len(ranked) == 24
    mean_position = {t: sum(i for i, a in enumerate(ranked) if protein(a) == t) / 12 for t in (True, False)}
    assert mean_position[True] < mean_position[False] - 3  # the listed topic, though each is 1 id older
    assert ranked.index("2606.00022") < ranked.index("2606.00000")  # within a topic, fresher first


def test_the_dense_view_ranks_by_stored_embeddings_when_weighted(services, db):
    """Two papers with the same words: only their stored vectors tell them apart."""
    import numpy as np

    from papertide.domain import recs as R
    from papertide.recs.ranking import Profile, Recommender
    from papertide.storage import embeddings as emb_store

    add_papers(db, make_paper("2606.90001", title="Twin A", abstract=PROTEIN.format(x="twin"), published=TODAY),
               make_paper("2606.90002", title="Twin B", abstract=PROTEIN.format(x="twin"), published=TODAY))
    with db.read() as conn:
        ids = {a: conn.exec_driver_sql(f"select id from papers where arxiv_id = '{a}'").scalar()
               for a in ("2606.00002", "2606.90001", "2606.90002")}
    def unit(x: float, y: float) -> list[float]:  # the column is 384-d (pgvector checks)
        v = [0.0] * 384
        v[0], v[1] = x, y
        return v

    vec = {"2606.00002": unit(1, 0), "2606.90001": unit(0, 1), "2606.90002": unit(0.9, 0.1)}
    with db.write() as conn:
        emb_store.upsert_vectors(conn, "test-vectors", [ids[a] for a in vec], ["h"] * 3,
                                 np.asarray(list(vec.values()), dtype=np.float32))
    rec = Recommender(db, services.recommender.models, ("test-vectors", 384))
    model = rec.train(Profile(liked=(R.Liked(ids["2606.00002"], "upvote", 0.0),)))
    assert model.dense.tolist() == unit(1, 0)
    assert R.UserModel.from_bytes(model.to_bytes()).dense.tolist() == unit(1, 0)
    pool = rec.pool([ids["2606.90001"], ids["2606.90002"]])
    text_only = rec.rank(model, pool, R.Blend(text=1.0, category=0.0), explain=False)
    assert text_only[0].score == text_only[1].score  # the same words: a tie
    with_dense = rec.rank(model, pool, R.Blend(text=1.0, dense=1.0, category=0.0), explain=False)
    assert [r.arxiv_id for r in with_dense] == ["2606.90002", "2606.90001"]
