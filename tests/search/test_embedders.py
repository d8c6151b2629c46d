"""Choosing the dense model by setting: the bundled one, a folder holding another, or none."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from papertide.config import Settings
from papertide.search.embedders import MINILM_INT8_NAME, NullEmbedder, folder_model_files, make_embedder, minilm_int8_files


def test_a_model_folder_is_served_under_an_id_naming_its_file(tmp_path: Path):
    folder = tmp_path / "my-encoder"
    folder.mkdir()
    (folder / "model.onnx").symlink_to(minilm_int8_files().onnx_path)
    files = folder_model_files(folder)
    assert files.model_id.startswith("my-encoder-") and len(files.model_id) == len("my-encoder-") + 12
    own = make_embedder(f"onnx:{folder}", threads=1)
    bundled = make_embedder("minilm", threads=1)
    assert own.model_id == files.model_id != bundled.model_id == MINILM_INT8_NAME
    text = "graph neural networks for molecules"
    # Same file, same tokenizer (MiniLM's, as the folder has none): the same vector.
    assert np.allclose(own.embed_query(text), bundled.embed_query(text), atol=1e-5)


def test_a_folder_without_a_model_and_unknown_names_are_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="no model.onnx"):
        folder_model_files(tmp_path)
    with pytest.raises(ValueError, match="onnx:FOLDER"):
        make_embedder("bert-large")
    assert isinstance(make_embedder("null"), NullEmbedder)


def test_the_setting_accepts_a_folder_and_rejects_anything_else(monkeypatch):
    monkeypatch.setenv("PAPERTIDE_SEARCH_EMBEDDER", "onnx:/models/encoder")
    assert Settings().search_embedder == "onnx:/models/encoder"
    monkeypatch.setenv("PAPERTIDE_SEARCH_EMBEDDER", "word2vec")
    with pytest.raises(ValueError):
        Settings()


def test_a_query_encoder_embeds_queries_only_and_keeps_the_stored_vectors_model(tmp_path: Path):
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "model.onnx").symlink_to(minilm_int8_files().onnx_path)
    tuned = make_embedder("minilm", threads=1, query_encoder=f"onnx:{folder}")
    bundled = make_embedder("minilm", threads=1)
    # The vectors in the database are the document model's: nothing is re-embedded.
    assert tuned.model_id == bundled.model_id == MINILM_INT8_NAME
    doc = ["Graph neural networks. We predict molecular properties from message passing."]
    assert np.array_equal(tuned.embed_documents(doc), bundled.embed_documents(doc))
    assert np.allclose(tuned.embed_query("molecules"), bundled.embed_query("molecules"), atol=1e-5)


def test_queries_go_to_the_query_encoder(tmp_path: Path):
    from papertide.search.embedders import OnnxEmbedder, QueryTunedEmbedder

    short = OnnxEmbedder(minilm_int8_files(), threads=1, max_tokens=4)  # sees only "[CLS] graph neural [SEP]"
    tuned = QueryTunedEmbedder(make_embedder("minilm", threads=1), short)
    text = "graph neural networks for molecules"
    assert np.allclose(tuned.embed_query(text), short.embed_query(text))
    assert not np.allclose(tuned.embed_query(text), make_embedder("minilm", threads=1).embed_query(text), atol=1e-3)
    with pytest.raises(ValueError, match="dimensions"):
        QueryTunedEmbedder(make_embedder("minilm", threads=1), NullEmbedder())
    with pytest.raises(ValueError, match="query encoder"):
        make_embedder("minilm", query_encoder="word2vec")
    assert isinstance(make_embedder("null", query_encoder=f"onnx:{tmp_path}"), NullEmbedder)



def test_usearch_loaded_first_does_not_crash_the_embedder():
    # A bare interpreter (in this one ONNX Runtime is loaded already, and papertide's own
    # modules load the system C++ runtime through rapidfuzz, which hides the crash): the graph
    # library first, then the query embedder — `import usearch.index; import onnxruntime`
    # alone dies with SIGSEGV here.
    code = (
        "from papertide.search.usearch_lib import usearch_index\n"
        "graph = usearch_index().Index(ndim=384, metric='ip')\n"
        "from papertide.search.embedders import make_embedder\n"
        "v = make_embedder('minilm', threads=1).embed_query('graph neural networks')\n"
        "graph.add(1, v)\n"
        "print(len(graph), v.shape)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1", "(384,)"]
