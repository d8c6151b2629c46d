"""The one typed settings object. Every field reads ``PAPERTIDE_<NAME>`` from the environment."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A secret that only development mode accepts; production must set its own.
DEV_SECRET = "dev-insecure-secret-change-me"


class Settings(BaseSettings):
    """papertide settings; see README "Settings" for the generated table."""

    model_config = SettingsConfigDict(env_prefix="PAPERTIDE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Directory for the SQLite database and indexes.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; empty means SQLite at DATA_DIR/papertide.db. "
        "PostgreSQL: postgresql+psycopg://user:pass@host/db",
    )
    base_url: str = Field("http://127.0.0.1:8000", description="Public URL of the site (for links in feeds and email).")
    site_name: str = Field("papertide", description="Name shown in the header and page titles.")
    dev_mode: bool = Field(True, description="Development mode: allows the built-in dev secret key.")
    secret_key: str = Field(DEV_SECRET, description="Secret for signed cookies and email tokens (required outside dev mode).")
    host: str = Field("127.0.0.1", description="Address `papertide serve` binds to.")
    port: int = Field(8000, description="Port `papertide serve` listens on.")
    trending_gravity: float = Field(1.5, ge=0, le=5, description="Exponent on paper age in the trending score.")
    trending_window_days: int = Field(7, ge=1, le=365, description="Days of daily listings that compete on /trending.")
    page_size: int = Field(50, ge=1, le=500, description="Papers per page on list pages.")
    authors_shown: int = Field(3, ge=1, le=50, description="Authors shown on list pages before 'et al.'.")
    db_pool_size: int = Field(5, ge=1, le=100, description="PostgreSQL connection pool size per process.")
    log_level: str = Field("INFO", description="Python logging level.")

    @field_validator("secret_key")
    @classmethod
    def _no_placeholder_secret(cls, v: str, info) -> str:  # type: ignore[no-untyped-def]
        if not info.data.get("dev_mode", True) and (v == DEV_SECRET or len(v) < 32):
            raise ValueError("PAPERTIDE_SECRET_KEY must be set to 32+ random characters outside dev mode")
        return v

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'papertide.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")
