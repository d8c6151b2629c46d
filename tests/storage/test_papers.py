"""Storage on both SQLite and PostgreSQL (the ``db`` fixture is parametrised)."""

from datetime import date

import sqlalchemy as sa

from papertide.domain.papers import Listing
from papertide.ingest.bulk import import_records
from papertide.storage import listings, papers
from papertide.storage.schema import paper_categories
from tests.factories import add_papers, make_paper


def test_insert_then_read_back_faithfully(db):
    p = make_paper(
        "2405.00001",
        title="On $\\alpha$-divergences & <script>alert(1)</script> — naïve Ünïcödé 数学",
        abstract="Line one with TeX $\\sum_{i=1}^n x_i$.\nSecond paragraph. " + "long " * 5000,
        authors=("Jean-Fran\\c{c}ois Ev\\'equoz", "Zoë Ångström", "李雷"),
        categories=("math.ST", "stat.ML", "cs.LG"),
        published=date(2024, 5, 2),
        github_repo="https://github.com/example/repo",
        upvotes_baseline=12,
        keywords=("divergence",),
    )
    report = add_papers(db, (p, date(2024, 5, 3)))
    assert (report.inserted, report.updated, report.skipped) == (1, 0, 0)
    with db.read() as conn:
        entry = papers.get_paper(conn, "2405.00001")
    assert entry is not None
    assert entry.paper == p
    assert entry.upvotes == 12
    assert entry.listed_dates == (date(2024, 5, 3),)


def test_reimport_is_idempotent_and_updates_changed_papers(db):
    a, b = make_paper("2405.00001"), make_paper("2405.00002")
    add_papers(db, (a, date(2024, 5, 3)), b)
    again = add_papers(db, (a, date(2024, 5, 3)), b)
    assert (again.inserted, again.updated, again.skipped, again.new_listings) == (0, 0, 2, 0)
    changed = make_paper("2405.00002", title="A better title", categories=("cs.CL",))
    third = add_papers(db, changed)
    assert (third.inserted, third.updated, third.skipped) == (0, 1, 0)
    with db.read() as conn:
        assert papers.get_paper(conn, "2405.00002").paper.title == "A better title"
        cats = conn.execute(sa.select(paper_categories.c.category).order_by(paper_categories.c.category)).scalars()
        assert list(cats) == ["cs.CL", "cs.LG", "stat.ML"]  # b's categories replaced, a's kept
        assert papers.count_papers(conn) == 2


def test_an_older_version_never_overwrites_a_newer_one(db):
    add_papers(db, make_paper("2405.00001", version=3, title="v3 title"))
    report = add_papers(db, make_paper("2405.00001", version=2, title="v2 title"))
    assert report.skipped == 1
    with db.read() as conn:
        assert papers.get_paper(conn, "2405.00001").paper.title == "v3 title"


def test_old_style_ids_are_stored_and_found(db):
    add_papers(db, make_paper("hep-th/9901001", published=date(1999, 1, 5)))
    with db.read() as conn:
        assert papers.get_paper(conn, "hep-th/9901001").paper.published == date(1999, 1, 5)
        assert papers.get_paper(conn, "hep-th/9901002") is None


def test_period_lists_sort_by_upvotes_then_id(db):
    day = date(2026, 6, 1)
    add_papers(
        db,
        (make_paper("2606.00003", upvotes_baseline=5), day),
        (make_paper("2606.00001", upvotes_baseline=5), day),
        (make_paper("2606.00002", upvotes_baseline=40), day),
        (make_paper("2606.00004", upvotes_baseline=99), date(2026, 6, 2)),
    )
    with db.read() as conn:
        got = [e.paper.arxiv_id for e in listings.list_period(conn, day, day, 10)]
        assert got == ["2606.00002", "2606.00001", "2606.00003"]
        assert listings.count_period(conn, day, day) == 3
        week = listings.list_period(conn, date(2026, 6, 1), date(2026, 6, 7), 2)
        assert [e.paper.arxiv_id for e in week] == ["2606.00004", "2606.00002"]
        page2 = listings.list_period(conn, date(2026, 6, 1), date(2026, 6, 7), 2, offset=2)
        assert [e.paper.arxiv_id for e in page2] == ["2606.00001", "2606.00003"]
        assert listings.adjacent_listing_dates(conn, day, day) == (None, date(2026, 6, 2))
        assert listings.latest_listing_date(conn) == date(2026, 6, 2)


def test_a_paper_listed_on_two_days_appears_once_in_a_week(db):
    p = make_paper("2606.00001")
    add_papers(db, (p, date(2026, 6, 1)), (p, date(2026, 6, 3)))
    with db.read() as conn:
        week = listings.list_period(conn, date(2026, 6, 1), date(2026, 6, 7), 10)
        assert [(e.paper.arxiv_id, e.listed_on) for e in week] == [("2606.00001", date(2026, 6, 1))]
        assert listings.count_period(conn, date(2026, 6, 1), date(2026, 6, 7)) == 1
        assert papers.get_paper(conn, "2606.00001").listed_dates == (date(2026, 6, 1), date(2026, 6, 3))


def test_trending_candidates_use_first_listing_in_window(db):
    p = make_paper("2606.00001", upvotes_baseline=7)
    add_papers(db, (p, date(2026, 5, 20)), (p, date(2026, 6, 2)), (make_paper("2606.00002"), date(2026, 6, 3)))
    with db.read() as conn:
        got = sorted(listings.trending_candidates(conn, date(2026, 6, 1), date(2026, 6, 7)), key=lambda c: c.arxiv_id)
    assert [(c.arxiv_id, c.upvotes, c.listed_on) for c in got] == [
        ("2606.00001", 7, date(2026, 6, 2)),
        ("2606.00002", 0, date(2026, 6, 3)),
    ]


def test_period_lists_by_submitter_and_narrowed_to_a_ranked_page(db):
    day = date(2026, 6, 1)
    rows = [("2606.00001", 5, "alice"), ("2606.00002", 50, "bob"), ("2606.00003", 20, "alice")]
    import_records(db, [(make_paper(a, upvotes_baseline=u), Listing(a, day, None, who)) for a, u, who in rows])
    with db.read() as conn:
        alice = listings.list_period(conn, day, day, 10, submitter="alice")
        assert [(e.paper.arxiv_id, e.submitter_name) for e in alice] == [("2606.00003", "alice"), ("2606.00001", "alice")]
        assert (listings.count_period(conn, day, day, "alice"), listings.count_period(conn, day, day, "nobody")) == (2, 0)
        assert [c.arxiv_id for c in listings.trending_candidates(conn, day, day, "bob")] == ["2606.00002"]
        page = listings.list_period(conn, day, day, 2, arxiv_ids=["2606.00001", "2606.00002"])
        assert [(e.paper.arxiv_id, e.listed_on, e.submitter_name) for e in page] == [
            ("2606.00002", day, "bob"), ("2606.00001", day, "alice")]


def test_entries_by_arxiv_id_and_by_row_id_are_the_same_entries(db):
    add_papers(db, make_paper("2606.00001", upvotes_baseline=3), make_paper("2606.00002"))
    with db.read() as conn:
        by_id = papers.entries_by_id(conn, ["2606.00001", "2606.00002", "2606.99999"])
        row_ids = {a: papers.paper_row_id(conn, a) for a in by_id}
        by_row = papers.entries_by_row_id(conn, [*row_ids.values(), 10**9])
    assert sorted(by_id) == ["2606.00001", "2606.00002"]
    assert by_row == {row_ids[a]: e for a, e in by_id.items()}
    assert (by_id["2606.00001"].upvotes, by_id["2606.00001"].listed_on) == (3, None)
