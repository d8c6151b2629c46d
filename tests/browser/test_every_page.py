"""Every page kind in a real Chromium at desktop and phone sizes, light and dark: a screenshot of
each (test-output/pages/), zero serious or critical axe-core violations, and no sideways scroll
at 390 px. The instance is populated the way the site fills it: listings, an admin with a
collection, comments, a subscription, API tokens, ingest runs and GitHub stars."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from papertide.config import Settings
from papertide.domain.ingest import RunCounts, RunStatus
from papertide.storage import github as github_store
from papertide.storage import ingest_runs
from papertide.storage.db import Database
from tests.factories import add_papers, app_for, make_paper
from tests.live import free_port, serve_app
from tests.populated import LAST_DAY, NOW, populate

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SCHEMES = ("light", "dark")
BLOCKING = ("serious", "critical")
ADMIN = "admin@example.org"
WEEK = "{}-W{:02d}".format(*LAST_DAY.isocalendar()[:2])


@dataclass(frozen=True)
class Kind:
    name: str
    path: str  # may name {collection} / {user}, filled in from the populated instance
    signed_in: bool = True
    status: int = 200


KINDS = [
    Kind("home", "/"),
    Kind("home-signed-out", "/", signed_in=False),
    Kind("day", f"/papers/date/{LAST_DAY.isoformat()}"),
    Kind("week", f"/papers/week/{WEEK}"),
    Kind("month", f"/papers/month/{LAST_DAY:%Y-%m}"),
    Kind("trending", "/trending"),
    Kind("trending-github", "/trending?by=github"),
    Kind("paper", "/papers/2606.00001"),
    Kind("paper-long", "/papers/2606.90001"),  # TeX title, a repo and 40 authors to fold
    Kind("similar", "/papers/2606.00001/similar"),
    Kind("search", "/search?q=graph+networks"),
    Kind("search-no-match", "/search?q=qwxzvbnmkjh&cat=cs.CL"),
    Kind("author", f"/authors/{quote('Ada Lovelace')}"),
    Kind("category", "/categories/cs.LG"),
    Kind("stats", "/stats"),
    Kind("about", "/about"),
    Kind("submit", "/submit"),
    Kind("profile", "/profile"),
    Kind("public-profile", "/users/{user}"),
    Kind("categories", "/categories", signed_in=False),
    Kind("collections", "/collections"),
    Kind("collection", "/collections/{collection}"),
    Kind("interests", "/me/interests"),
    Kind("for-you", f"/for-you?window=custom&from={LAST_DAY - timedelta(days=6)}&to={LAST_DAY}"),
    Kind("for-you-empty", "/for-you"),  # after the demo data: points at its newest week
    # A refused form as _field_error.html draws it (an invalid, described, focused field): by GET.
    Kind("for-you-refused", f"/for-you?window=custom&from={LAST_DAY}&to={LAST_DAY - timedelta(days=6)}", status=400),
    Kind("curate-suggested", "/curate/suggested"),
    Kind("admin", "/admin"),
    Kind("admin-ingest", "/admin/ingest"),
    Kind("admin-jobs", "/admin/jobs"),
    Kind("api-docs", "/api/docs"),
    Kind("subscribe", "/subscribe"),
    Kind("digests", "/digests"),
    Kind("digest", f"/digests/{LAST_DAY.isoformat()}"),
    Kind("sign-in", "/auth/sign-in", signed_in=False),
    Kind("not-found", "/no/such/page", status=404),
]


@dataclass
class Site:
    url: str
    signed_in_state: dict[str, Any]
    names: dict[str, str]


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("every-page")
    path = tmp / "papertide.db"
    shutil.copy(sqlite_template, path)
    port = free_port()
    settings = Settings(  # type: ignore[call-arg]
        data_dir=tmp, database_url=f"sqlite:///{path}", base_url=f"http://127.0.0.1:{port}", _env_file=None
    )
    db = Database(settings.resolved_database_url)
    app = app_for(settings, db)
    services = app.state.services
    populate(services)
    add_papers(db, (make_paper(
        "2606.90001", title=r"M$^3$Eval: scaling $\alpha$-divergences to 10$^{6}$ agents", upvotes_baseline=40,
        authors=tuple(f"Researcher Number{k}" for k in range(40)), categories=("cs.LG", "cs.CL", "stat.ML"),
        github_repo="https://github.com/lab/m3eval", published=LAST_DAY,
    ), LAST_DAY))
    now = datetime.now(UTC)
    community = services.community
    admin, _ = community.accounts.create_admin(ADMIN)
    shelf = community.reading_lists.create(admin, "Morning reading", True)
    for arxiv_id in ("2606.90001", "2606.00001", "2606.00002"):
        community.reading_lists.add(admin, shelf, arxiv_id)
    community.discussion.add(admin, "2606.90001", "The $\\alpha$ sweep in §4 is the part to read.")
    # A hidden comment, as a moderator sees it (marked, and as readable as the rest).
    spam = community.discussion.add(admin, "2606.90001", "Buy cheap followers at example.com")
    community.discussion.set_hidden(admin, spam.uuid, True)
    community.votes.vote(admin, "2606.90001", True)
    services.tokens.create_for_user(admin.id, "write", name="laptop")
    signals = services.signals  # every list on /me/interests holds something, one id waits for arXiv
    signals.follow(admin, "author", "Ada Lovelace")
    signals.follow(admin, "category", "cs.LG")
    signals.follow(admin, "query", "graph networks")
    signals.mark_mine(admin, "2606.90001")
    signals.not_interested(admin, "2606.00002")
    signals.import_library(admin, "", "2606.00001 2607.00009")
    services.subscriptions.subscribe(ADMIN, {"categories": "cs.LG"}, now=NOW)
    with db.write() as conn:
        github_store.record_fetched(conn, "lab/m3eval", 900, 'W/"a"', None, now - timedelta(days=6))
        github_store.record_fetched(conn, "lab/m3eval", 1450, 'W/"b"', None, now - timedelta(hours=3))
        run = ingest_runs.start_run(conn, "oai", "cs (arXivRaw) 2026-06-01..2026-06-02", now=NOW)
        ingest_runs.finish_run(conn, run, RunStatus.FAILED, RunCounts(fetched=8, inserted=8, pages=3),
                               "oai at 2026-06-02 page 3: " + "connection reset by peer; " * 6, now=NOW)
    # A long address makes the admin's users table wider than a phone: it must scroll in its own box.
    _, token = community.accounts.request_login_link("a.rather.long.address.for.the.users.table@example.org")
    community.accounts.complete_login_link(token, user_agent="tests")
    reader = community.accounts.list_all("reader0")[0]
    names = {"collection": shelf, "user": reader.uuid}
    with serve_app(app, port) as url:
        _, token = community.accounts.request_login_link(ADMIN)
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}/auth/link/{token}")
        page.click("#confirm-form button")
        page.wait_for_url(lambda u: "/auth/link/" not in u)
        state = context.storage_state()
        context.close()
        yield Site(url, state, names)  # type: ignore[arg-type]
    db.dispose()


@pytest.fixture(scope="module")
def tabs(browser, site: Site) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """One page per (viewport, scheme, signed in): reused by every page kind, so the run stays short."""
    open_: dict[tuple[str, str, bool], Any] = {}

    def tab(viewport: str, scheme: str, signed_in: bool) -> Any:
        key = (viewport, scheme, signed_in)
        if key not in open_:
            context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme,
                                          storage_state=site.signed_in_state if signed_in else None)
            open_[key] = context.new_page()
        return open_[key]

    yield tab
    for pg in open_.values():
        pg.context.close()


@pytest.fixture(scope="module")
def axe():  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def blocking_violations(axe, page) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [v for v in axe.run(page).response["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(map(str, node["target"])) for node in v["nodes"]][:6]
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}\n    " + "\n    ".join(targets))
    return "\n".join(lines)


def _screenshot(page: Any, path: Path) -> None:
    """A picture for people reading the run, not a check: under load Chromium now and then refuses a
    full-page capture ("Unable to capture screenshot"), so it gets a second try and then a warning.
    JPEG: encoding 136 full-length pages as PNG cost ~0.27 s each, a third of this module's time."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.screenshot(path=str(path), full_page=True, type="jpeg", quality=80)
    except PlaywrightError:
        try:
            page.screenshot(path=str(path), full_page=True, type="jpeg", quality=80)
        except PlaywrightError as exc:
            warnings.warn(f"no screenshot {path.name}: {exc}", stacklevel=2)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_page_is_accessible_and_fits(site, tabs, axe, output_dir, kind: Kind, viewport: str, scheme: str):  # type: ignore[no-untyped-def]
    page = tabs(viewport, scheme, kind.signed_in)
    response = page.goto(site.url + kind.path.format(**site.names))
    assert response is not None and response.status == kind.status, f"{kind.path}: {response and response.status}"
    # Folded content (all authors, Cite, reply forms, filters) is checked unfolded, as a reader opens it.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    folder = output_dir / "pages"
    folder.mkdir(exist_ok=True)
    _screenshot(page, folder / f"{kind.name}-{viewport}-{scheme}.jpg")

    blocking = blocking_violations(axe, page)
    assert not blocking, f"{kind.path} at {viewport}/{scheme}:\n{describe(blocking)}"
    if viewport == "phone":
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= inner, f"{kind.path} scrolls sideways: {width}px in a {inner}px window"


def test_the_check_sees_what_it_must_refuse(site, tabs, axe):  # type: ignore[no-untyped-def]
    """Axe runs under the site's CSP and reports what it should: a page spoilt on purpose fails."""
    page = tabs("desktop", "dark", False)
    page.goto(site.url + "/about")
    assert not blocking_violations(axe, page)
    page.evaluate("""() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<p id="faint">faint text</p><input id="nameless"><img src="/favicon.ico">');
        document.getElementById('faint').style.color = '#1a1f26';  // on the dark background
    }""")
    assert {v["id"] for v in blocking_violations(axe, page)} >= {"color-contrast", "label", "image-alt"}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_collection_picker_and_its_save_button_share_a_row(site, tabs, viewport: str):  # type: ignore[no-untyped-def]
    # Selects are full-width in forms; beside the paper's tools that pushed Save onto a line of its own.
    page = tabs(viewport, "light", True)
    page.goto(site.url + "/papers/2606.00001")
    picker, save = page.locator("#save-to").bounding_box(), page.locator("#save-form button").bounding_box()
    assert picker and save and abs(picker["y"] - save["y"]) < picker["height"] and save["x"] > picker["x"] + picker["width"]


def test_the_stats_chart_stays_legible_on_a_phone(site, tabs):  # type: ignore[no-untyped-def]
    # Scaled down to a phone's column its category names read at 6 px; it now scrolls in its own box.
    page = tabs("phone", "light", False)
    page.goto(site.url + "/stats")
    shown, drawn = page.evaluate("""() => { const svg = document.querySelector('.category-weeks');
                                            return [svg.getBoundingClientRect().width, svg.viewBox.baseVal.width]; }""")
    assert shown / drawn >= 0.85, (shown, drawn)  # 12 px labels at 10 px or more
    box, chart = page.evaluate("""() => [document.querySelector('.chart-scroll').clientWidth,
                                         document.querySelector('.chart-scroll').scrollWidth]""")
    assert chart >= box  # scrolls inside its region, not the page (the page check above sees that)
