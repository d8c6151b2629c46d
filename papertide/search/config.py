"""Search settings (``PAPERTIDE_SEARCH_*``), kept beside the search package.

They belong in the one ``Settings`` object (STYLE 16); they live here until the
foundation's config.py takes them over, with the same defaults and help text.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SearchSettings(BaseSettings):
    """Search knobs; every field reads ``PAPERTIDE_SEARCH_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="PAPERTIDE_SEARCH_", env_file=".env", extra="ignore")

    embedder: str = Field(
        "minilm", description="Dense model: 'minilm' (bundled ONNX all-MiniLM-L6-v2 int8) or 'null' (lexical only)."
    )
    threads: int = Field(1, ge=1, le=64, description="ONNX Runtime threads for embedding in the web process.")
    lexical: str = Field(
        "auto",
        pattern="^(auto|tantivy|sql)$",
        description="Keyword engine: 'auto' (tantivy beside a SQLite file, SQL on PostgreSQL), 'tantivy' or 'sql' "
        "(FTS5 / tsvector only).",
    )
    vector_index: str = Field(
        "auto",
        pattern="^(auto|exact|hnsw)$",
        description="Dense index on SQLite: 'auto' (exact below 100,000 vectors, else a saved HNSW graph), "
        "'exact' or 'hnsw'. PostgreSQL always uses pgvector.",
    )
    fusion: str = Field(
        "convex",
        description="How lexical and dense rankings combine: 'convex' (z-scored), 'convex-minmax' or 'rrf'.",
    )
    dense_weight: float = Field(
        0.5, ge=0, le=1, description="Weight of the dense ranking in fusion (0.5 = equal; best of 0.3-0.6 on SciFact)."
    )
    background_embed: bool = Field(True, description="Embed new or changed papers in a background thread of the web process.")
    page_size: int = Field(20, ge=1, le=100, description="Results per search page.")
