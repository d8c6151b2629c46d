"""Top-1 dense similarity for real vs gibberish/off-topic queries on the demo corpus.

The dense half of hybrid search always returns neighbours, however unrelated; this measures
where real queries and junk separate, to choose ``PAPERTIDE_SEARCH_DENSE_FLOOR``.

    PYTHONPATH=$PWD python bench/search_floor.py
"""

from __future__ import annotations

import statistics

import numpy as np

from papertide.search.bundled import bundled_paths
from papertide.search.embedders import make_embedder

# Written from 30 randomly drawn demo titles (seed 7), phrased as a reader would search.
REAL = [
    "benchmark for agent web search", "learning GUI automation from demonstrations",
    "skill library for self-evolving agents", "streaming video generation",
    "layered graphic design generation", "exploration in RL for video diffusion",
    "agentic video understanding with tools", "tactile feedback for robot manipulation",
    "ocean multimodal dataset", "process reward model without labels",
    "RL infrastructure for multi-turn LLM agents", "vision-language-action model dynamics",
    "talking face emotion editing", "sim-to-real zero-shot manipulation",
    "GRPO for image generation", "asynchronous agent evolution",
    "long context inference KV cache", "world model evaluation benchmark",
    "LLM negotiation simulation", "automating systematic literature reviews",
    "LLM reranking with active learning", "rubric based reward for multimodal generation",
    "reward modeling for math reasoning", "RLVR limits of what models learn",
    "sparse attention indexing", "credit assignment in RL for LLMs",
    "multi-agent coordination", "multimodal verifier", "remote sensing visual reasoning",
    "memory retrieval for world models",
]
# Keyboard mash, made-up words and topics a corpus of ML papers does not cover.
JUNK = [
    "asdfghjkl", "qwertyuiop zxcv", "xkcd blorptang wimble", "zzzzzz", "lorem ipsum dolor sit amet",
    "fhqwhgads", "kjh kjh kjh", "ppppqqqq rrrr", "glorbnax frizzle", "mnbvcxz lkjhg",
    "banana bread recipe", "how to fix a leaking tap", "best pizza in naples",
    "knitting a wool scarf", "football transfer news", "cheap flights to lisbon",
    "tax return deadline", "wedding dress shopping", "dog grooming tips", "sourdough starter",
    "medieval castle architecture", "jazz saxophone solo", "gardening tomatoes in pots",
    "car insurance quote", "how to tie a tie", "yoga for back pain", "chocolate cake",
    "vintage furniture restoration", "birdwatching in spring", "plumber near me",
]


def top1(matrix: np.ndarray, vectors: np.ndarray) -> list[float]:
    return [float(np.max(matrix @ v)) for v in vectors]


def main() -> None:
    npy, _ = bundled_paths()
    matrix = np.load(npy).astype(np.float32)
    embedder = make_embedder("minilm")
    real = top1(matrix, np.stack([embedder.embed_query(q) for q in REAL]))
    junk = top1(matrix, np.stack([embedder.embed_query(q) for q in JUNK]))
    for name, xs in (("real", real), ("junk", junk)):
        xs = sorted(xs)
        print(f"{name}: n={len(xs)} min={xs[0]:.3f} p10={xs[len(xs) // 10]:.3f} median={statistics.median(xs):.3f} "
              f"p90={xs[9 * len(xs) // 10]:.3f} max={xs[-1]:.3f}")
    for t in (0.25, 0.30, 0.32, 0.34, 0.345, 0.35, 0.36, 0.38, 0.40):
        kept = sum(x >= t for x in real)
        let = sum(x >= t for x in junk)
        print(f"floor {t:.3f}: real queries keeping a dense hit {kept}/30, junk queries passing {let}/30")
    print("lowest real:", sorted(zip(real, REAL, strict=True))[:3])
    print("highest junk:", sorted(zip(junk, JUNK, strict=True))[-3:])


if __name__ == "__main__":
    main()
