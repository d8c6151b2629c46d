"""Step 2 of the query-encoder run: fine-tune a copy of all-MiniLM-L6-v2 as the *query* encoder
against frozen document vectors of the served model; export int8 ONNX.

Why only the query side: the documents keep the vectors the site already stores (no re-embedding
of the corpus, the same HNSW graph), and with the documents frozen every training query is scored
against *all* mined documents at each step (a full softmax over thousands of papers), the hard
negatives that two CPU cores cannot get from in-batch training, and the backward pass only runs
over short queries. Run 1 of ``train.py`` (in-batch negatives, batches of 32) forgot more than it
learnt; bench/RESULTS.md has both runs.

Loss: cross-entropy of ``scale · q·D`` over every document, plus ``--anchor`` × (1 − cos(q, q₀)),
where q₀ is the base model's vector for the same query: a pull towards what the base model already
does well, so the encoder adapts instead of drifting. A tenth of the papers is held out; their
titles and sentences are retrieved among all documents before and after each epoch.

Runs in ``.venv-train`` (torch 2.13.0 CPU); reads ``mine_frozen.py``'s output.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from transformers import AutoModel, AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train import base_model_dir, embed, export  # noqa: E402  (same folder, run as a script)


def encode(model: torch.nn.Module, tok: AutoTokenizer, texts: list[str], max_len: int, batch: int = 128) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([embed(model, tok, texts[i:i + batch], max_len) for i in range(0, len(texts), batch)])


def mrr10(q: torch.Tensor, docs: torch.Tensor, gold: torch.Tensor) -> float:
    scores = q @ docs.T
    gold_score = scores[torch.arange(len(gold)), gold].unsqueeze(1)
    rank = (scores > gold_score).sum(1) + 1
    return float(torch.where(rank <= 10, 1.0 / rank.float(), torch.zeros_like(rank, dtype=torch.float)).mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mined", type=Path, default=Path("build/retriever-query"))
    ap.add_argument("--out", type=Path, default=Path("build/retriever-query"))
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--scale", type=float, default=20.0)
    ap.add_argument("--anchor", type=float, default=1.0)
    ap.add_argument("--query-len", type=int, default=64)
    ap.add_argument("--held-out", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rows = [json.loads(line) for line in (args.mined / "pairs.jsonl").open(encoding="utf-8")]
    docs = torch.from_numpy(np.load(args.mined / "documents.npy"))
    n_val = int(len(rows) * args.held_out)
    train_q = [(r["title"], i) for i, r in enumerate(rows[n_val:], n_val)] + \
              [(r["sentence"], i) for i, r in enumerate(rows[n_val:], n_val)]
    val = {"title": [r["title"] for r in rows[:n_val]], "sentence": [r["sentence"] for r in rows[:n_val]]}
    val_gold = torch.arange(n_val)

    base = base_model_dir()
    tok = AutoTokenizer.from_pretrained(base)
    model = AutoModel.from_pretrained(base)
    model.eval()
    t0 = time.time()
    anchors = encode(model, tok, [q for q, _ in train_q], args.query_len)
    history = [{"epoch": 0, **{k: mrr10(encode(model, tok, v, args.query_len), docs, val_gold) for k, v in val.items()}}]
    print(f"{len(train_q)} training queries, {n_val} held-out papers, {len(docs)} documents; "
          f"base encodings {time.time() - t0:.0f}s; held-out MRR@10 {history[0]}", flush=True)

    steps_per_epoch = math.ceil(len(train_q) / args.batch)
    steps = steps_per_epoch * args.epochs
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    warmup = max(1, int(0.1 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warmup if s < warmup else max(0.0, (steps - s) / max(1, steps - warmup)))
    rng = random.Random(args.seed)
    t0, losses, step = time.time(), [], 0
    for epoch in range(1, args.epochs + 1):
        order = list(range(len(train_q)))
        rng.shuffle(order)
        model.train()
        for start in range(0, len(order), args.batch):
            idx = order[start:start + args.batch]
            q = embed(model, tok, [train_q[i][0] for i in idx], args.query_len)
            gold = torch.tensor([train_q[i][1] for i in idx])
            loss = F.cross_entropy(args.scale * q @ docs.T, gold)
            if args.anchor:
                loss = loss + args.anchor * (1 - (q * anchors[idx]).sum(1)).mean()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            losses.append(loss.item())
            step += 1
            if step % 25 == 0 or step == steps:
                print(f"step {step}/{steps} loss {sum(losses[-25:]) / len(losses[-25:]):.4f} "
                      f"{step * args.batch / (time.time() - t0):.1f} queries/s", flush=True)
        model.eval()
        history.append({"epoch": epoch, **{k: mrr10(encode(model, tok, v, args.query_len), docs, val_gold)
                                           for k, v in val.items()}})
        print(f"epoch {epoch}: held-out MRR@10 {history[-1]}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.out / "checkpoint")
    tok.save_pretrained(args.out / "checkpoint")
    export(args.out)
    record = {"training_queries": len(train_q), "documents": len(docs), "held_out_papers": n_val,
              "epochs": args.epochs, "steps": steps, "batch": args.batch, "lr": args.lr, "scale": args.scale,
              "anchor": args.anchor, "query_len": args.query_len, "seed": args.seed, "threads": args.threads,
              "train_seconds": round(time.time() - t0), "loss_first_25": sum(losses[:25]) / max(1, len(losses[:25])),
              "loss_last_25": sum(losses[-25:]) / max(1, len(losses[-25:])), "held_out_mrr10": history}
    (args.out / "training.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
