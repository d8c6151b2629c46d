"""What a paper card derives from a paper alone: its thumbnail's file name and its placeholder colour.

Pure. Thumbnails live as ``<data_dir>/thumbs/<stem>.webp`` and are served at
``/thumbs/<stem>.webp``; old-style ids hold a slash (``hep-th/9901001``), which a file
name and a single URL segment cannot, so the stem spells it ``hep-th_9901001``.
"""

from __future__ import annotations

import re
import zlib

PLACEHOLDER_HUES = 12  # colour classes .hue-0 … .hue-11 in style.css ("Cards")
_STEM = re.compile(r"[A-Za-z0-9.\-_]{1,64}")


def thumb_stem(arxiv_id: str) -> str:
    """The file stem of a paper's thumbnail.

    >>> thumb_stem("hep-th/9901001"), thumb_stem("2405.12345")
    ('hep-th_9901001', '2405.12345')
    """
    return arxiv_id.replace("/", "_")


def is_thumb_stem(stem: str) -> bool:
    """Whether ``stem`` may name a thumbnail file (no path separators, no ``..``).

    >>> is_thumb_stem("2405.12345"), is_thumb_stem("..")
    (True, False)
    """
    return bool(_STEM.fullmatch(stem)) and ".." not in stem


def placeholder_hue(category: str | None) -> int:
    """A stable colour class for a category, so a placeholder tile reads as "that field" at a glance.

    Categories of one archive (cs.CL, cs.LG) hash apart: the whole name is hashed.

    >>> placeholder_hue("cs.CL") == placeholder_hue("cs.CL")
    True
    """
    return zlib.crc32((category or "").encode()) % PLACEHOLDER_HUES
