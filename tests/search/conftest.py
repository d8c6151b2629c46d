"""A small real corpus and the real ONNX embedder (loaded once per session)."""

from __future__ import annotations

from datetime import date

import pytest

from papertide.search.embedders import OnnxEmbedder
from papertide.search.service import SearchService
from papertide.search.vectors import make_vector_index
from tests.factories import add_papers, make_paper

CORPUS = [
    make_paper("2401.00001", title="Graph neural networks for molecular property prediction",
               abstract="We apply message passing graph neural networks to predict properties of molecules and drugs.",
               authors=("Marie Curie", "Ada Lovelace"), categories=("cs.LG", "q-bio.BM"), published=date(2024, 1, 3)),
    make_paper("2401.00002", title="Denoising diffusion models for image synthesis",
               abstract="Diffusion probabilistic models generate high quality images by reversing a noising process.",
               authors=("Jonathan Ho",), categories=("cs.CV",), published=date(2024, 1, 10)),
    make_paper("2401.00003", title="Scaling laws for neural language models",
               abstract="Language model loss follows a power law in parameters, data and compute.",
               authors=("Jared Kaplan",), categories=("cs.CL", "cs.LG"), published=date(2024, 2, 1)),
    make_paper("2401.00004", title="Reinforcement learning from human feedback",
               abstract="We fine-tune language models with a reward model trained on human preference comparisons.",
               authors=("Paul Christiano",), categories=("cs.CL",), published=date(2024, 3, 5)),
    make_paper("2401.00005", title="Protein structure prediction with deep learning",
               abstract="An attention based network predicts three dimensional protein structures from amino acid sequences.",
               authors=("John Jumper",), categories=("q-bio.BM",), published=date(2024, 3, 20)),
    make_paper("2401.00006", title="Quantum error correction with surface codes",
               abstract="Surface codes protect logical qubits against noise in superconducting quantum computers.",
               authors=("Austin Fowler",), categories=("quant-ph",), published=date(2024, 4, 2)),
    make_paper("2401.00007", title="On the alpha-divergence between Gaussian distributions",
               abstract=r"We derive closed forms of the $\alpha$-divergence and Renyi divergence for Gaussians.",
               authors=("Frank Nielsen",), categories=("cs.IT", "math.ST"), published=date(2024, 5, 1)),
    make_paper("2401.00008", title="Black hole thermodynamics and Hawking radiation",
               abstract="Black holes emit thermal radiation and have an entropy proportional to horizon area.",
               authors=("Stephen Hawking",), categories=("gr-qc",), published=date(2024, 5, 15)),
    make_paper("2401.00009", title="Convolutional networks for image classification",
               abstract="Deep convolutional neural networks classify photographs into a thousand object categories.",
               authors=("Alex Krizhevsky",), categories=("cs.CV",), published=date(2024, 6, 1)),
    make_paper("2401.00010", title="Sparse retrieval with BM25 and learned term weights",
               abstract="Lexical search engines rank documents with BM25; learned sparse models reweight query terms.",
               authors=("Stephen Robertson",), categories=("cs.IR",), published=date(2024, 6, 20)),
]
# Which paper a query must find in its top 3 (the relevance regression set).
KNOWN = {
    "graph neural networks molecules": "2401.00001",
    "diffusion image generation": "2401.00002",
    "power law language model scaling": "2401.00003",
    "RLHF human preference reward": "2401.00004",
    "how do proteins fold": "2401.00005",
    "qubit noise protection": "2401.00006",
    r"$\alpha$-divergence": "2401.00007",
    "Hawking": "2401.00008",
}


@pytest.fixture(scope="session")
def embedder() -> OnnxEmbedder:
    return OnnxEmbedder(threads=1)


@pytest.fixture
def corpus_db(db):  # type: ignore[no-untyped-def]
    listed = {"2401.00002": date(2024, 1, 11), "2401.00004": date(2024, 3, 6)}
    add_papers(db, *[(p, listed.get(p.arxiv_id)) for p in CORPUS])
    return db


@pytest.fixture
def service(corpus_db, embedder) -> SearchService:  # type: ignore[no-untyped-def]
    svc = SearchService(corpus_db, embedder, make_vector_index(corpus_db, embedder.model_id))
    svc.embed_pending()
    return svc
