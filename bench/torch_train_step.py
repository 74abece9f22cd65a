#!/usr/bin/python3
"""The PyTorch CPU peer of `ftcot bench train`: the same GPT-2 shapes, batch and sequence length, one
full training step (zero_grad, forward, masked cross-entropy, backward, clip to 1.0, AdamW with weight
decay on matrices and embeddings), float32, torch.set_num_threads(threads). Prints one JSON object with
ms_per_step (median), cpu_ms_per_step (user + system time of all threads), tokens_per_s and peak_rss_mb, like `ftcot bench train --json`."""
import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    "small": dict(L=4, NH=4, C=256, V=512, maxT=128),
    "gpt2-124m": dict(L=12, NH=12, C=768, V=50257, maxT=1024),
}


class Block(nn.Module):
    def __init__(self, C, NH):
        super().__init__()
        self.NH = NH
        self.ln1 = nn.LayerNorm(C)
        self.qkv = nn.Linear(C, 3 * C)
        self.attproj = nn.Linear(C, C)
        self.ln2 = nn.LayerNorm(C)
        self.fc = nn.Linear(C, 4 * C)
        self.fcproj = nn.Linear(4 * C, C)

    def forward(self, x, mask):
        B, T, C = x.shape
        HS = C // self.NH
        q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
        q = q.view(B, T, self.NH, HS).transpose(1, 2)
        k = k.view(B, T, self.NH, HS).transpose(1, 2)
        v = v.view(B, T, self.NH, HS).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(HS))
        att = att.masked_fill(mask[:T, :T] == 0, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        x = x + self.attproj(y)
        return x + self.fcproj(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, L, NH, C, V, maxT):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(maxT, C)
        self.blocks = nn.ModuleList([Block(C, NH) for _ in range(L)])
        self.lnf = nn.LayerNorm(C)
        self.register_buffer("mask", torch.tril(torch.ones(maxT, maxT)))
        for name, p in self.named_parameters():
            if p.dim() == 2:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, idx):
        T = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(T))
        for block in self.blocks:
            x = block(x, self.mask)
        return self.lnf(x) @ self.wte.weight.T   # tied LM head


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="small", choices=sorted(PRESETS))
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    cfg = PRESETS[args.preset]
    model = GPT(**cfg)
    decay = [p for n, p in model.named_parameters() if p.dim() == 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.999), eps=1e-8)
    B, T, V = args.batch, args.seq, cfg["V"]
    idx = torch.randint(0, V, (B, T))
    targets = torch.randint(0, V, (B, T))
    weights = torch.full((B, T), 1.0 / (B * T))

    times, cpu_times = [], []
    for step in range(args.steps + 1):
        start, cpu_start = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=True)
        logits = model(idx)
        token_loss = F.cross_entropy(logits.view(-1, V), targets.view(-1), reduction="none")
        loss = (token_loss * weights.view(-1)).sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step > 0:   # step 0 allocates and warms up, as in ftcot bench train
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
    seconds = statistics.median(times)   # as ftcot bench train: robust to one disturbed step
    print(json.dumps({
        "peer": "pytorch %s cpu, %d threads" % (torch.__version__, args.threads),
        "preset": args.preset, "batch": B, "seq": T, "steps": args.steps, "loss": loss.item(),
        "ms_per_step": seconds * 1e3, "cpu_ms_per_step": statistics.median(cpu_times) * 1e3, "tokens_per_s": B * T / seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }))


if __name__ == "__main__":
    main()
