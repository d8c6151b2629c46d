"""usearch, imported the one way that keeps the process alive.

usearch's compiled module carries its own static copy of the C++ runtime. When it is the
first C++ code a process loads, ONNX Runtime's module (linked against the system libstdc++)
crashes the process with SIGSEGV while it initialises, in libstdc++'s locale facets (usearch
2.26.6 with onnxruntime 1.32.0 on Debian 13; the other way round both load fine). papertide
survived that only because its own modules import rapidfuzz (which loads the system
libstdc++) before anything opens a graph: an accident of import order, not a guarantee.
Every usearch import goes through here, so ONNX Runtime, a dependency anyway, is
initialised first on purpose.
"""

from __future__ import annotations

from types import ModuleType


def usearch_index() -> ModuleType:
    """``usearch.index``, with ONNX Runtime initialised before it."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:  # nothing to protect then
        pass
    import usearch.index

    return usearch.index
