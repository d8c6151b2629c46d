"""Search: stored embeddings, plus each dialect's lexical index.

Revision ID: 0005_search
Revises: 0001_foundation

- ``paper_embeddings`` (both dialects): one float16 vector per paper with the model
  id and the paper's ``content_hash`` it was computed from, so a model change or an
  edited abstract is detected and re-embedded. PostgreSQL stores a pgvector
  ``halfvec`` with an HNSW index; SQLite stores the raw float16 bytes.
- SQLite: an external-content FTS5 table over papers' title/abstract/authors, kept
  in step by triggers inside the same transaction as the paper write.
- PostgreSQL: ``search_documents`` holds a weighted tsvector per paper (title A,
  abstract B, authors C) and its token count, kept in step by a trigger, with a GIN
  index; BM25 is computed over it in SQL (storage/dialects/search_postgres.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_search"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

EMBEDDING_DIM = 384  # all-MiniLM-L6-v2; a model of another size needs a migration


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS vector")
        from pgvector.sqlalchemy import HALFVEC

        vector_type: sa.types.TypeEngine = HALFVEC(EMBEDDING_DIM)
    else:
        vector_type = sa.LargeBinary()
    op.create_table(
        "paper_embeddings",
        sa.Column("paper_id", sa.Integer, nullable=False),
        sa.Column("model_id", sa.String(80), nullable=False),
        sa.Column("source_hash", sa.String(40), nullable=False),
        sa.Column("vector", vector_type, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("paper_id", name="pk_paper_embeddings"),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], ondelete="CASCADE", name="fk_paper_embeddings_paper_id_papers"
        ),
    )
    op.create_index("ix_paper_embeddings_model_id", "paper_embeddings", ["model_id"])
    if dialect == "postgresql":
        _upgrade_postgres()
    else:
        _upgrade_sqlite()


def _upgrade_sqlite() -> None:
    # External content: the text lives once, in papers; FTS5 keeps only the index.
    op.execute(
        "CREATE VIRTUAL TABLE papers_fts USING fts5("
        "title, abstract, authors, content='papers', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER papers_fts_ai AFTER INSERT ON papers BEGIN "
        "INSERT INTO papers_fts(rowid, title, abstract, authors) "
        "VALUES (new.id, new.title, new.abstract, new.authors); END"
    )
    op.execute(
        "CREATE TRIGGER papers_fts_ad AFTER DELETE ON papers BEGIN "
        "INSERT INTO papers_fts(papers_fts, rowid, title, abstract, authors) "
        "VALUES ('delete', old.id, old.title, old.abstract, old.authors); END"
    )
    # Only text changes touch the index; vote-count updates do not.
    op.execute(
        "CREATE TRIGGER papers_fts_au AFTER UPDATE OF title, abstract, authors ON papers BEGIN "
        "INSERT INTO papers_fts(papers_fts, rowid, title, abstract, authors) "
        "VALUES ('delete', old.id, old.title, old.abstract, old.authors); "
        "INSERT INTO papers_fts(rowid, title, abstract, authors) "
        "VALUES (new.id, new.title, new.abstract, new.authors); END"
    )
    op.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")


def _upgrade_postgres() -> None:
    op.execute(
        "CREATE INDEX ix_paper_embeddings_vector_hnsw ON paper_embeddings "
        "USING hnsw (vector halfvec_ip_ops) WITH (m = 16, ef_construction = 64)"
    )
    op.execute(
        "CREATE TABLE search_documents ("
        " paper_id integer PRIMARY KEY REFERENCES papers(id) ON DELETE CASCADE,"
        " document tsvector NOT NULL,"
        " doc_len integer NOT NULL DEFAULT 0,"
        " created_at timestamptz NOT NULL DEFAULT now(),"
        " updated_at timestamptz NOT NULL DEFAULT now())"
    )
    op.execute("CREATE INDEX ix_search_documents_document ON search_documents USING gin (document)")
    op.execute(
        """
        CREATE FUNCTION papertide_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE doc tsvector;
        BEGIN
          doc := setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
                 setweight(to_tsvector('english', coalesce(NEW.abstract, '')), 'B') ||
                 setweight(to_tsvector('simple', coalesce(NEW.authors::text, '')), 'C');
          -- doc_len counts token positions (BM25's |D|), not distinct lexemes.
          INSERT INTO search_documents (paper_id, document, doc_len)
          VALUES (NEW.id, doc, (SELECT coalesce(sum(cardinality(u.positions)), 0) FROM unnest(doc) AS u))
          ON CONFLICT (paper_id) DO UPDATE
            SET document = EXCLUDED.document, doc_len = EXCLUDED.doc_len, updated_at = now();
          RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER papers_search_document AFTER INSERT OR UPDATE OF title, abstract, authors "
        "ON papers FOR EACH ROW EXECUTE FUNCTION papertide_search_document()"
    )
    op.execute("UPDATE papers SET title = title")  # the trigger indexes existing papers


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS papers_search_document ON papers")
        op.execute("DROP FUNCTION IF EXISTS papertide_search_document()")
        op.execute("DROP TABLE IF EXISTS search_documents")
    else:
        for trigger in ("papers_fts_ai", "papers_fts_ad", "papers_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS papers_fts")
    op.drop_index("ix_paper_embeddings_model_id", table_name="paper_embeddings")
    op.drop_table("paper_embeddings")
