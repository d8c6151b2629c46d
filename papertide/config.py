"""The one typed settings object. Every field reads ``PAPERTIDE_<NAME>`` from the environment."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A secret that only development mode accepts; production must set its own.
DEV_SECRET = "dev-insecure-secret-change-me"


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})  # bind-all addresses nobody can browse to


def served_url(host: str, port: int) -> str:
    """The URL a browser on this machine reaches ``host:port`` at (a wildcard bind means loopback)."""
    name = "127.0.0.1" if host in WILDCARD_HOSTS else host
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"  # an IPv6 literal
    return f"http://{name}:{port}"


class Settings(BaseSettings):
    """papertide settings; see README "Settings" for the generated table."""

    model_config = SettingsConfigDict(env_prefix="PAPERTIDE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Directory for the SQLite database and indexes.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; empty means SQLite at DATA_DIR/papertide.db. "
        "PostgreSQL: postgresql+psycopg://user:pass@host/db (a connection attempt gives up after 10 s; "
        "add ?connect_timeout=N to change that)",
    )
    base_url: str = Field(
        "", description="Public URL of the site (for links in feeds and email); empty: http://HOST:PORT as served "
        "(127.0.0.1 when HOST is a wildcard such as 0.0.0.0).",
    )
    site_name: str = Field("papertide", description="Name shown in the header and page titles.")
    dev_mode: bool = Field(True, description="Development mode: allows the built-in dev secret key.")
    secret_key: str = Field(DEV_SECRET, description="Secret for signed cookies and email tokens (required outside dev mode).")
    host: str = Field("127.0.0.1", description="Address `papertide serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `papertide serve` listens on.")
    trending_gravity: float = Field(1.5, ge=0, le=5, description="Exponent on paper age in the trending score.")
    trending_window_days: int = Field(7, ge=1, le=365, description="Days of daily listings that compete on /trending.")
    page_size: int = Field(50, ge=1, le=500, description="Papers per page on list pages.")
    authors_shown: int = Field(3, ge=1, le=50, description="Authors shown on list pages before 'et al.'.")
    db_pool_size: int = Field(5, ge=1, le=100, description="PostgreSQL connection pool size per process.")
    pg_bin_dir: Path | None = Field(
        None,
        description="Directory holding pg_dump and pg_restore for `papertide db backup`/`restore` on PostgreSQL "
        "(empty: look on PATH).",
    )
    log_level: str = Field("INFO", description="Python logging level: DEBUG, INFO, WARNING, ERROR or CRITICAL.")
    # Operations: logs, metrics, shutdown (README "Health, metrics and logs").
    log_format: str = Field(
        "text", pattern="^(text|json)$",
        description="Log lines as text or json (one JSON object per line, with the request or job run id).",
    )
    metrics_allow: str = Field(
        "127.0.0.1,::1",
        description="Comma-separated addresses or networks (CIDR) that may read /metrics without a token "
        "(empty: none; /metrics is off when this and METRICS_TOKEN are both empty).",
    )
    metrics_token: str = Field("", description="Bearer token that lets any address read /metrics (empty: addresses only).")
    shutdown_grace_seconds: float = Field(
        30, ge=1, le=3600,
        description="On SIGTERM, how long serve waits for in-flight requests and its in-process job runner for "
        "running jobs, and `papertide worker` for its running jobs (`--grace` overrides it).",
    )
    # API and feeds.
    api_cache_seconds: float = Field(
        10, ge=0, le=3600,
        description="Seconds a public API response is kept in memory per process; any data change drops it at once (0: off).",
    )
    # The anonymous page cache (papertide/api/cache.py).
    page_cache_seconds: float = Field(
        60, ge=0, le=86400,
        description=(
            "Seconds a page or feed for signed-out visitors is kept in memory per process; "
            "any data change drops it at once (0: off)."
        ),
    )
    page_cache_max_age: int = Field(
        5, ge=0, le=86400,
        description="Cache-Control max-age (seconds) that browsers and proxies may reuse an anonymous page for.",
    )
    page_cache_max_mb: int = Field(64, ge=1, le=65536, description="Memory (MB) each process may use for cached responses.")
    api_cors_origins: str = Field(
        "*", description="Comma-separated origins allowed to read /api/ and /feeds/ from browsers (CORS); * for any."
    )
    # Community: sign-in, sessions, submissions, comments, rate limits.
    login_link_minutes: int = Field(15, ge=1, le=1440, description="Minutes an emailed sign-in link stays valid (single use).")
    session_days: int = Field(30, ge=1, le=365, description="Days a sign-in session lasts.")
    password_min_length: int = Field(12, ge=8, le=128, description="Minimum password length (passwords are optional).")
    signup_domains: str = Field(
        "", description="Comma-separated email domains whose addresses get an account by signing in (e.g. "
        "lab.example.org; names under it count too); any other address signs in only to an account made by "
        "`papertide users add` (empty: anyone may sign up).",
    )
    submission_max_age_days: int = Field(
        7, ge=0, le=3650, description="Members may submit papers published at most this many days ago."
    )
    submissions_per_day: int = Field(5, ge=0, le=1000, description="Daily submissions per member (curators and admins exempt).")
    comment_edit_minutes: int = Field(15, ge=0, le=10080, description="Minutes during which authors may edit a comment.")
    rate_limits_enabled: bool = Field(
        True,
        description="Per-user and per-IP rate limits on sign-in, subscribe, submit, comment, vote and collections (in-process).",
    )
    # Ingestion: every source URL is configurable so mirrors and tests can point elsewhere.
    ingest_oai_url: str = Field("https://oaipmh.arxiv.org/oai", description="arXiv OAI-PMH endpoint.")
    ingest_oai_prefix: str = Field(
        "arXivRaw", description="OAI-PMH metadataPrefix to harvest: arXivRaw (with version history) or arXiv."
    )
    ingest_oai_sets: str = Field(
        "cs", description="Comma-separated OAI-PMH sets to harvest daily (e.g. cs,stat,physics:astro-ph): arXiv's "
        "groups, or physics:<archive>; a category such as cs.CL comes with its group's set (cs).",
    )
    ingest_arxiv_api_url: str = Field("https://export.arxiv.org/api/query", description="arXiv API (Atom) endpoint.")
    ingest_hf_api_url: str = Field("https://huggingface.co/api", description="Hugging Face API base URL (daily papers).")
    ingest_sources: str = Field(
        "hf,oai", description="Comma-separated sources `papertide ingest daily` runs: hf, oai (empty: none)."
    )
    ingest_delay_seconds: float = Field(
        3.0, ge=0, le=60, description="Pause between requests to one source (arXiv asks for 3 s)."
    )
    ingest_max_retries: int = Field(5, ge=0, le=20, description="Retries of a request after a 503/5xx or network error.")
    ingest_max_retry_after_seconds: float = Field(
        600, ge=0, description="Longest Retry-After we wait out; a longer one fails the run."
    )
    ingest_timeout_seconds: float = Field(60, gt=0, description="HTTP timeout per request to a source.")
    ingest_offline: bool = Field(
        False, description="Never fetch from arXiv or Hugging Face (runs fail with a clear message); for air-gapped instances."
    )
    # The GitHub signal: repo stars of papers, refreshed by the github.stars job.
    github_api_url: str = Field("https://api.github.com", description="GitHub REST API base URL (stars of paper repos).")
    github_token: str = Field(
        "", description="GitHub token for the stars refresh (empty: anonymous, 60 requests an hour; a token gets 5,000)."
    )
    github_refresh_hours: float = Field(
        6, ge=0, le=24 * 7, description="How often the worker refreshes repo stars (hours; 0 = never; off when offline)."
    )
    github_refresh_per_run: int = Field(50, ge=1, le=5000, description="Most repos one stars refresh asks GitHub about.")
    github_refresh_min_hours: float = Field(
        12, ge=0, le=24 * 30, description="A repo is asked about again only after this many hours."
    )
    github_recent_days: int = Field(
        14, ge=0, le=365, description="Repos of papers listed in the last N days are refreshed before the others."
    )
    github_max_wait_seconds: float = Field(
        60, ge=0, le=3600, description="Longest GitHub rate-limit wait a refresh sits out; a longer one ends the run."
    )
    github_trending_days: int = Field(
        7, ge=1, le=90, description="Days of star growth that rank /trending?by=github."
    )
    admin_token: str = Field(
        "",
        description="Token for monitors that read /admin/ingest without an account (header X-Admin-Token); "
        "admins just sign in.",
    )

    # Email digests.
    email_backend: str = Field(
        "console", pattern="^(smtp|console|null)$", description="Where email goes: smtp, console (log it) or null (drop it)."
    )
    email_from: str = Field("papertide <digest@localhost>", description="From address of every email.")
    email_unsubscribe_mailto: str = Field(
        "", description="Address for mailto List-Unsubscribe (empty: unsubscribe@ the From domain)."
    )
    smtp_host: str = Field("localhost", description="SMTP server host.")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP server port.")
    smtp_username: str = Field("", description="SMTP login (empty: no AUTH).")
    smtp_password: str = Field("", description="SMTP password.")
    smtp_security: str = Field(
        "none", pattern="^(none|starttls|ssl)$", description="SMTP transport security: none, starttls or ssl."
    )
    smtp_timeout_seconds: float = Field(30, gt=0, description="SMTP connect/command timeout.")
    email_send_concurrency: int = Field(4, ge=1, le=64, description="SMTP connections one sender uses in parallel.")
    email_max_attempts: int = Field(8, ge=1, le=100, description="Tries per message before it is marked failed.")
    email_retry_base_seconds: float = Field(
        60, gt=0, description="First retry delay after a temporary SMTP failure (doubles each try)."
    )
    email_retry_max_seconds: float = Field(3600, gt=0, description="Longest delay between retries of one message.")
    email_claim_seconds: float = Field(
        300, gt=0, description="Lease on a message being sent; a crashed sender's messages are retried after it."
    )
    digest_send_empty: bool = Field(False, description="Send a digest even when it has no new papers.")
    digest_for_you_size: int = Field(
        5, ge=0, le=50,
        description="Most papers in a digest's For-you section (members with signals only; 0 turns the section off).",
    )
    digest_for_you_min_score: float = Field(
        1.5,
        description="Score a paper needs for the digest's For-you section and the private For-you feed (a sum of "
        "z-scores over the period's new papers; 1.5 ≈ the top 7% of a plain text match), so a quiet period sends "
        "fewer or none.",
    )
    subscription_resend_minutes: int = Field(
        15, ge=0, le=10080, description="Minimum minutes between confirmation emails to one address."
    )
    subscription_unconfirmed_days: int = Field(7, ge=1, le=90, description="Days before an unconfirmed subscription is deleted.")
    outbox_retention_days: int = Field(
        30, le=3650,
        description="Days sent, failed and cancelled email stays in the outbox before the retention.prune job "
        "deletes it (at least 9: a weekly digest's row is what stops its week being composed twice).",
    )
    bounce_soft_threshold: int = Field(3, ge=1, le=100, description="Soft bounces in a row that disable an address.")
    bounce_webhook_token: str = Field("", description="Bearer token for POST /email/bounces (empty: endpoint off).")
    # Scheduled jobs (papertide/jobs): run by `papertide worker` or in-process by `serve --with-worker`.
    ingest_every_hours: float = Field(
        0, ge=0, le=24 * 7, description="How often the worker runs `ingest daily` (hours, counted from 1970-01-01 "
        "00:00 UTC: a divisor of 24 runs at the same times each day, from 00:00, and e.g. 5 does not; 0 = never)."
    )
    ingest_cron: str = Field(
        "", description="When the worker runs `ingest daily`, as a crontab line in UTC (e.g. '30 1 * * *', "
        "weekdays as names: '0 6 * * mon-fri'); overrides INGEST_EVERY_HOURS (empty: use it)."
    )
    worker_interval_seconds: float = Field(
        60, gt=0, description="How often the worker composes due digests and drains the outbox (seconds)."
    )
    with_worker: bool = Field(
        False, description="Run the job runner inside the web process (`papertide serve --with-worker` sets it)."
    )
    jobs_digests_enabled: bool = Field(True, description="The worker composes due digests (job digests.compose).")
    jobs_outbox_enabled: bool = Field(True, description="The worker sends queued email and retries (job email.outbox).")
    jobs_search_enabled: bool = Field(
        True, description="The worker keeps the keyword index synced and embeds new papers (jobs search.*)."
    )
    jobs_retention_enabled: bool = Field(
        True, description="The worker deletes old sent email and sent-paper log rows, expired sessions and old "
        "ingest runs daily "
        "(job retention.prune)."
    )
    jobs_submissions_enabled: bool = Field(
        True, description="The worker fetches submitted papers the instance does not hold (job submissions.fetch)."
    )
    jobs_submissions_interval_seconds: float = Field(
        30, gt=0, description="How often the worker looks for submitted papers to fetch from arXiv (seconds)."
    )
    jobs_recs_enabled: bool = Field(
        True, description="The worker runs the For-you jobs (recs.*): fetching imported library papers, counting "
        "phrases, retraining members' models, refitting the community model."
    )
    jobs_recs_interval_seconds: float = Field(
        120, gt=0,
        description="How often the worker fetches imported papers from arXiv and counts new papers' phrases (seconds).",
    )
    jobs_recs_train_interval_seconds: float = Field(
        60, gt=0, description="How often the worker retrains the For-you models of members whose signals changed (seconds)."
    )
    jobs_search_interval_seconds: float = Field(
        60, gt=0, description="How often the worker looks for new or changed papers to index and embed (seconds)."
    )
    jobs_lease_seconds: float = Field(
        60, ge=5, description="Lease on a running job, renewed while it runs; a crashed worker's job runs again after it."
    )

    # Card thumbnails (papertide/thumbnails): page 1 of each listed paper's PDF as a small WebP.
    thumbnails_enabled: bool = Field(
        False, description="Let the worker render thumbnails of listed papers from their arXiv PDFs "
        "(never when INGEST_OFFLINE; cards show a placeholder until then)."
    )
    thumbnails_pdf_url: str = Field(
        "https://arxiv.org/pdf/{id}", description="Where a paper's PDF is fetched from; {id} is the arXiv id."
    )
    thumbnails_batch: int = Field(20, ge=1, le=1000, description="Thumbnails the worker renders per run, newest listings first.")
    jobs_thumbnails_interval_seconds: float = Field(
        600, gt=0, description="How often the worker looks for listed papers without a thumbnail (seconds)."
    )

    # Search: keyword + dense hybrid search, the background embedder.
    search_embedder: str = Field(
        "minilm", pattern="^(minilm|null|onnx:.+)$",
        description="Dense model: 'minilm' (bundled ONNX all-MiniLM-L6-v2 int8), 'onnx:FOLDER' (a folder holding "
                    "model.onnx with the same inputs, e.g. one made by `make train-retriever`) or 'null' (lexical only).",
    )
    search_query_encoder: str = Field(
        "", pattern="^(|onnx:.+)$",
        description="Embed search queries with another model than the papers: 'onnx:FOLDER' (a query encoder "
                    "trained against the document model's vectors, e.g. by `make train-query-encoder`); empty: "
                    "the document model. Stored vectors stay as they are.",
    )
    search_threads: int = Field(1, ge=1, le=64, description="ONNX Runtime threads for embedding in the web process.")
    search_lexical: str = Field(
        "auto",
        pattern="^(auto|tantivy|sql)$",
        description="Keyword engine: 'auto' and 'tantivy' (a tantivy index on local disk, fed from the database's "
        "change log; every filter runs in it, SQL confirms the author filter's hits) or 'sql' (FTS5 / BM25 over "
        "tsvector only).",
    )
    search_index_dir: Path | None = Field(
        None,
        description="Folder of the tantivy keyword index (derived, rebuilt when missing). Default: beside the SQLite "
        "file, or DATA_DIR/search-index-<database name> on PostgreSQL. Each host or process with its own folder "
        "keeps its own copy current from the change log.",
    )
    search_changes_retention_days: int = Field(
        14, ge=1, le=3650,
        description="Days the search change log keeps rows (job search.prune); a keyword index last synced longer "
        "ago than this rebuilds.",
    )
    search_vector_index: str = Field(
        "auto",
        pattern="^(auto|exact|hnsw)$",
        description="Dense index on SQLite: 'auto' (exact below 100,000 vectors, else a saved HNSW graph), "
        "'exact' or 'hnsw'. PostgreSQL always uses pgvector.",
    )
    search_fusion: str = Field(
        "convex", pattern="^(convex|convex-minmax|rrf)$",
        description="How lexical and dense rankings combine: 'convex' (z-scored), 'convex-minmax' or 'rrf'.",
    )
    search_dense_weight: float = Field(
        0.4, ge=0, le=1, description="Weight of the dense ranking in fusion for keyword queries (the lexical one gets "
                                     "1 - this; measured on the development set and SciFact)."
    )
    search_question_dense_weight: float = Field(
        0.5, ge=0, le=1, description="Weight of the dense ranking for queries phrased as questions (they share few "
                                     "words with the abstracts that answer them)."
    )
    search_dense_floor: float = Field(
        0.345, ge=0, le=1,
        description="Cosine similarity a semantic match must reach (0: keep every nearest neighbour); "
        "it picks results after fusion and changes no score; chosen on the demo corpus, see bench/RESULTS.md.",
    )
    search_background_embed: bool = Field(
        True, description="Let the job runner embed new or changed papers and keep the search indexes current."
    )
    search_page_size: int = Field(20, ge=1, le=100, description="Results per search page.")

    @field_validator("secret_key")
    @classmethod
    def _no_placeholder_secret(cls, v: str, info) -> str:  # type: ignore[no-untyped-def]
        if not info.data.get("dev_mode", True) and (v == DEV_SECRET or len(v) < 32):
            raise ValueError("PAPERTIDE_SECRET_KEY must be set to 32+ random characters outside dev mode")
        return v

    @field_validator("base_url")
    @classmethod
    def _http_base_url(cls, v: str) -> str:
        from urllib.parse import urlsplit

        # Every link in email and feeds is built on it: 'papers.example.org' (no scheme) made
        # relative links that no mail client can open, and only `serve` warned about it.
        v = v.strip()
        if v:
            parts = urlsplit(v)
            try:
                parts.port  # noqa: B018 (raises on a port that is no number)
            except ValueError:
                raise ValueError("has an invalid port") from None
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("must be an http(s) URL such as https://papers.example.org (or empty)")
        return v

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, v: str) -> str:
        # logging only knows upper-case names: 'debug' or a typo used to pass here and end
        # `papertide serve` at start-up with a traceback from deep in uvicorn's log config.
        level = v.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"not a logging level; use one of {', '.join(LOG_LEVELS)}")
        return level

    @field_validator("metrics_allow")
    @classmethod
    def _valid_networks(cls, v: str) -> str:
        import ipaddress

        for part in v.split(","):
            if part.strip():
                ipaddress.ip_network(part.strip(), strict=False)  # refuse a typo at start-up, not per scrape
        return v

    @field_validator("outbox_retention_days")
    @classmethod
    def _outbox_outlives_a_period(cls, v: int) -> int:
        from papertide.domain.subscriptions import OUTBOX_KEEP_MIN_DAYS

        # Pruning a digest's row while its period can still come due somewhere (a subscriber who
        # moves zone or weekday) would compose that period again: a second digest the same week.
        if v < OUTBOX_KEEP_MIN_DAYS:
            raise ValueError(
                f"keep outbox rows at least {OUTBOX_KEEP_MIN_DAYS} days: a weekly digest's row is what stops its "
                "week being composed twice, and one week lasts 8 days 2 hours across time zones"
            )
        return v

    @field_validator("signup_domains")
    @classmethod
    def _valid_signup_domains(cls, v: str) -> str:
        from papertide.domain.signup import parse_signup_domains

        # Refused at start-up: a typo would otherwise turn the lab itself away, silently, at sign-in.
        return ",".join(parse_signup_domains(v))

    @property
    def signup_domain_list(self) -> tuple[str, ...]:
        from papertide.domain.signup import parse_signup_domains

        return parse_signup_domains(self.signup_domains)

    @field_validator("ingest_oai_sets")
    @classmethod
    def _sets_not_categories(cls, v: str) -> str:
        from papertide.domain.arxiv_categories import oai_set_mistake

        # "cs.CL,cs.LG" was taken, and every scheduled harvest then failed at arXiv (badArgument).
        for part in v.split(","):
            if (mistake := oai_set_mistake(part)) is not None:
                raise ValueError(mistake)
        return v

    @field_validator("ingest_cron")
    @classmethod
    def _valid_cron(cls, v: str) -> str:
        from papertide.domain.jobs import Cron

        if v.strip():
            Cron(v.strip())  # refuse a bad crontab line at start-up, not at the first tick
        return v.strip()

    @model_validator(mode="after")
    def _default_base_url(self) -> Settings:
        # Links in email and feeds must point where the site is served: a changed PORT alone
        # used to leave them on :8000. `papertide serve --host/--port` exports what it binds.
        if not self.base_url.strip():
            self.base_url = served_url(self.host, self.port)
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'papertide.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")
