"""The composition root: every service is built here, once, from one ``Settings``.

The web app (``create_app``), every CLI command and the tests call :func:`build_services`
and use what it returns, so a service is configured the same way wherever it runs and
there is exactly one place to look for how it is put together (Datasette's one
``Datasette(...)`` object, Warehouse's service registry).

Building does no I/O beyond opening the database engine: nothing is queried, so the same
object serves ``papertide db upgrade`` on an empty database. What is expensive to load
(the ONNX model, the vector matrix or graph) loads on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from papertide.api.service import ApiService
from papertide.api.tokens import TokenService
from papertide.browse import BrowsePages
from papertide.catalog import Catalog
from papertide.community.jobs import community_jobs
from papertide.community.services import Community, build_community
from papertide.config import Settings
from papertide.email.archive import DigestArchive
from papertide.email.composing import DigestComposer
from papertide.email.delivery import OutboxSender
from papertide.email.jobs import email_jobs
from papertide.email.login import SignInMail
from papertide.email.notices import Notices
from papertide.email.senders import EmailSender, make_sender
from papertide.email.subscribing import SubscriptionService
from papertide.ingest.github_stars import StarsRefresh, github_jobs, make_github_client
from papertide.ingest.jobs import ingest_jobs
from papertide.ingest.service import IngestService
from papertide.jobs import Job, JobRunner
from papertide.jobs.retention import retention_jobs
from papertide.monitoring import Monitoring
from papertide.pages import PaperPages
from papertide.recs.artifacts import TextModels
from papertide.recs.jobs import recs_jobs
from papertide.recs.pages import RecPages
from papertide.recs.personal import PersonalRecommendations
from papertide.recs.ranking import Recommender
from papertide.recs.signals import Signals
from papertide.search.embedders import make_embedder
from papertide.search.jobs import search_jobs
from papertide.search.lexical import keyword_index_dir, make_lexical_index
from papertide.search.service import SearchService
from papertide.search.vectors import DeferredVectorIndex, make_vector_index
from papertide.storage.db import Database
from papertide.storage.page_generation import PageGeneration
from papertide.thumbnails import ThumbnailService
from papertide.thumbnails.jobs import thumbnail_jobs


@dataclass(frozen=True)
class Services:
    """Everything the web app and the CLI use; built by :func:`build_services`."""

    settings: Settings
    db: Database
    catalog: Catalog
    ingest: IngestService
    search: SearchService
    community: Community
    email_sender: EmailSender
    notices: Notices
    subscriptions: SubscriptionService
    digests: DigestComposer
    digest_archive: DigestArchive
    outbox_sender: OutboxSender
    sign_in_mail: SignInMail
    api: ApiService
    tokens: TokenService
    pages: PaperPages
    jobs: JobRunner  # every periodic job; started by `papertide worker` or `serve --with-worker`
    page_generation: PageGeneration  # what the page cache checks: moves on every change pages show
    monitoring: Monitoring  # /readyz checks and the gauges /metrics reads from the database
    thumbnails: ThumbnailService  # card thumbnails: the render job and where cards find them
    browse: BrowsePages  # author and category pages
    github_stars: StarsRefresh  # the github.stars job's work: repo stars from the GitHub API
    signals: Signals  # what members tell the recommender: marks, follows, imported libraries; their data
    recommender: Recommender  # ranks candidate papers for a profile (one code path for every surface)
    for_you: PersonalRecommendations  # a member's For you and the curators' Suggested for today
    rec_pages: RecPages  # what /for-you, the private feed and /curate/suggested show, as cards
    owns_db: bool = field(default=True, repr=False)

    def close(self) -> None:
        """Release connections and HTTP clients (the database only if we opened it)."""
        self.ingest.close()
        self.thumbnails.close()
        self.page_generation.close()
        self.github_stars.client.close()
        if self.owns_db:
            self.db.dispose()


@dataclass(frozen=True)
class Edges:
    """What a caller may hand in instead of what settings say: an engine to share (tests open the
    database themselves), and where the embedding model runs (``papertide embed --device``)."""

    db: Database | None = None
    search_device: str = "cpu"
    search_threads: int | None = None


def build_search(settings: Settings, db: Database, device: str = "cpu", threads: int | None = None) -> SearchService:
    embedder = make_embedder(settings.search_embedder, threads=threads or settings.search_threads, device=device,
                             query_encoder=settings.search_query_encoder)
    index = DeferredVectorIndex(lambda: make_vector_index(db, embedder.model_id, settings.search_vector_index))
    lexical = make_lexical_index(db, settings.search_lexical,
                                 keyword_index_dir(db, settings.search_index_dir, settings.data_dir))
    return SearchService(db, embedder, index, settings.search_fusion, settings.search_dense_weight, lexical,
                         settings.search_dense_floor, settings.search_question_dense_weight)


def build_services(settings: Settings, edges: Edges | None = None) -> Services:
    """Build every service from ``settings``; ``edges`` swaps the outside world (tests)."""
    edges = edges or Edges()
    owns_db = edges.db is None
    db = edges.db or Database(settings.resolved_database_url, settings.db_pool_size)
    catalog = Catalog(db, settings.trending_gravity, settings.trending_window_days, settings.page_size,
                      github_days=settings.github_trending_days)
    stars = StarsRefresh(db, make_github_client(settings), settings)
    ingest = IngestService(db, settings)
    search = build_search(settings, db, edges.search_device, edges.search_threads)
    community = build_community(settings, db, lookup=ingest)
    sender = make_sender(settings)
    notices = Notices(settings)
    outbox = OutboxSender(db, sender, settings)
    thumbnails = ThumbnailService(db, settings)
    signals = Signals(db, fetcher=ingest, offline=settings.ingest_offline)
    recommender = Recommender(db, TextModels(db), (search.embedder.model_id, search.embedder.dim))
    for_you = PersonalRecommendations(db, recommender)
    digests = DigestComposer(db, settings, notices, catalog, for_you)
    jobs: list[Job] = [
        *email_jobs(digests, outbox, settings),
        *ingest_jobs(ingest, settings),
        *community_jobs(community.submissions, settings),
        *search_jobs(search, settings, background_embed=settings.search_background_embed),
        *thumbnail_jobs(thumbnails, settings),
        *github_jobs(stars, settings),
        *recs_jobs(signals, for_you, settings),
        *retention_jobs(db, settings),
    ]
    return Services(
        settings=settings,
        db=db,
        catalog=catalog,
        ingest=ingest,
        search=search,
        community=community,
        email_sender=sender,
        notices=notices,
        subscriptions=SubscriptionService(db, settings, notices),
        digests=digests,
        digest_archive=DigestArchive(db),
        outbox_sender=outbox,
        sign_in_mail=SignInMail(db, notices),
        api=ApiService(db, catalog, search),
        tokens=TokenService(db),
        pages=PaperPages(catalog, community, search),
        jobs=JobRunner(db, jobs, lease_seconds=settings.jobs_lease_seconds),
        page_generation=PageGeneration(db),
        monitoring=Monitoring(db, search),
        thumbnails=thumbnails,
        browse=BrowsePages(db, catalog),
        github_stars=stars,
        signals=signals,
        recommender=recommender,
        for_you=for_you,
        rec_pages=RecPages(db, for_you, feed_min_score=settings.digest_for_you_min_score),
        owns_db=owns_db,
    )
