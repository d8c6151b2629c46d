"""Search: CJK runs become character bigrams in PostgreSQL's keyword documents.

Revision ID: 0018_search_cjk
Revises: 0017_rec_artifacts

PostgreSQL's parser keeps a Chinese, Japanese or Korean run whole (``深度学习模型`` is
one lexeme), so a query for a sub-phrase matched nothing. ``papertide_cjk_bigrams(text)``
rewrites each run as overlapping bigrams (``深度 度学 学习 习模 模型``), exactly as
papertide/domain/cjk.py does for queries and for tantivy; the trigger function of
0005_search now indexes that text. The code-point ranges must stay those of
``CJK_RANGES`` there (tests/search/test_cjk.py compares both). Only papers holding CJK
text are re-indexed. SQLite needs nothing: tantivy gets bigrams from Python, and FTS5
keeps runs whole (storage/dialects/search_sqlite.py says why).
"""

from alembic import op

revision = "0018_search_cjk"
down_revision = "0017_rec_artifacts"
branch_labels = None
depends_on = None

CJK_CLASS = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]"

_BIGRAMS = f"""
CREATE OR REPLACE FUNCTION papertide_cjk_bigrams(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN t IS NULL OR t !~ '{CJK_CLASS}' THEN t ELSE (
    SELECT string_agg(
      CASE WHEN r.m[1] !~ '^{CJK_CLASS}' THEN r.m[1]
           WHEN length(r.m[1]) = 1 THEN ' ' || r.m[1] || ' '
           ELSE ' ' || (SELECT string_agg(substr(r.m[1], i, 2), ' ' ORDER BY i)
                        FROM generate_series(1, length(r.m[1]) - 1) AS i) || ' '
      END, '' ORDER BY r.n)
    FROM regexp_matches(t, '({CJK_CLASS}+|[^{CJK_CLASS[1:-1]}]+)', 'g') WITH ORDINALITY AS r(m, n)
  ) END
$$
"""


def _document_function(wrap: str) -> str:
    def text(column: str) -> str:
        return f"{wrap}(coalesce({column}, ''))" if wrap else f"coalesce({column}, '')"

    return f"""
    CREATE OR REPLACE FUNCTION papertide_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE doc tsvector;
    BEGIN
      doc := setweight(to_tsvector('english', {text('NEW.title')}), 'A') ||
             setweight(to_tsvector('english', {text('NEW.abstract')}), 'B') ||
             setweight(to_tsvector('simple', {text('NEW.authors::text')}), 'C');
      -- doc_len counts token positions (BM25's |D|), not distinct lexemes.
      INSERT INTO search_documents (paper_id, document, doc_len)
      VALUES (NEW.id, doc, (SELECT coalesce(sum(cardinality(u.positions)), 0) FROM unnest(doc) AS u))
      ON CONFLICT (paper_id) DO UPDATE
        SET document = EXCLUDED.document, doc_len = EXCLUDED.doc_len, updated_at = now();
      RETURN NEW;
    END $$
    """


def _reindex_cjk_papers() -> None:
    # Touching the text re-fires the trigger; only papers with CJK text change.
    op.execute(
        f"UPDATE papers SET title = title WHERE title ~ '{CJK_CLASS}' OR abstract ~ '{CJK_CLASS}' "
        f"OR authors::text ~ '{CJK_CLASS}'"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_BIGRAMS)
    op.execute(_document_function("papertide_cjk_bigrams"))
    _reindex_cjk_papers()


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_document_function(""))
    _reindex_cjk_papers()
    op.execute("DROP FUNCTION IF EXISTS papertide_cjk_bigrams(text)")
