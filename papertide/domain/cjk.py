"""Chinese, Japanese and Korean text as our keyword engines can match it: overlapping bigrams.

CJK scripts do not put spaces between words, so every lexical engine we use (tantivy's
simple tokenizer, FTS5's unicode61, PostgreSQL's default parser) turns a whole run such
as ``深度学习模型`` into ONE token, and a query for the sub-phrase ``学习模型`` matches
nothing. Splitting runs into overlapping character bigrams on both the query and the
document side (``深度 度学 学习 习模 模型``) is the standard fix without a dictionary
(Lucene's CJKBigramFilter; Kwok, "Comparing representations in Chinese information
retrieval", SIGIR 1997): any sub-phrase of two or more characters shares all its bigrams
with the text. A lone CJK character stays a unigram.

The code-point ranges below are repeated in migration 0018_search_cjk (PostgreSQL's
document side); tests/search/test_cjk.py checks that both split text identically.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Scripts written without spaces between words, as (first, last) code points.
CJK_RANGES = (
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x2FA1F),  # Extensions B-F and the compatibility supplement
)
_CLASS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CJK_RANGES)
_RUN = re.compile(f"[{_CLASS}]+")
_ANY = re.compile(f"[{_CLASS}]")


def has_cjk(text: str) -> bool:
    """True when ``text`` holds a CJK character.

    >>> has_cjk("BERT 模型"), has_cjk("Schrödinger")
    (True, False)
    """
    return _ANY.search(text) is not None


def bigrams(run: str) -> list[str]:
    """Overlapping character bigrams of a CJK run; a single character stays itself.

    >>> bigrams("学习模型"), bigrams("学")
    (['学习', '习模', '模型'], ['学'])
    """
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


def cjk_bigrams(text: str) -> str:
    """``text`` with every CJK run replaced by its space-separated bigrams.

    Spaces also separate a run from letters or digits glued to it, so ``GPT模型``
    gives the tokens ``GPT`` and ``模型`` in every engine. Text without CJK comes back
    unchanged (one regex scan), so English documents pay nothing.

    >>> cjk_bigrams("GPT模型的训练")
    'GPT 模型 型的 的训 训练 '
    """
    if not has_cjk(text):
        return text
    return _RUN.sub(lambda m: " " + " ".join(bigrams(m.group())) + " ", text).lstrip(" ")


def is_cjk_term(term: str) -> bool:
    """True for a query term that came from a CJK run (every character CJK)."""
    return bool(term) and _RUN.fullmatch(term) is not None


def cjk_runs(terms: Sequence[str]) -> list[str]:
    """Join consecutive overlapping bigram terms back into the runs they came from.

    For engines whose documents keep CJK runs whole (SQLite FTS5): there the run, used
    as a prefix, is the closest match a bigram query can ask for.

    >>> cjk_runs(["学习", "习模", "模型", "大", "深度"])
    ['学习模型', '大', '深度']
    """
    runs: list[str] = []
    for term in terms:
        if runs and len(term) == 2 and len(runs[-1]) >= 2 and runs[-1][-1] == term[0]:
            runs[-1] += term[1]
        else:
            runs.append(term)
    return runs
