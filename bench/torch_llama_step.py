#!/usr/bin/python3
"""The PyTorch CPU peer of `ftcot bench train --preset SHAPE` for the LLaMA-family shapes: the same model
(RMSNorm, rotate-half RoPE, grouped-query attention, SwiGLU, q/k/v biases for qwen2.5, q/k norm for qwen3,
tied head), batch and sequence length, one full training step (zero_grad, forward, masked cross-entropy,
backward, clip to 1.0, AdamW with weight decay on matrices and embeddings), float32,
torch.set_num_threads(threads). Prints one JSON object like `ftcot bench train --json`: ms_per_step
(median), cpu_ms_per_step, tokens_per_s, peak_rss_mb."""
import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SHAPES = {
    "smollm2-135m": dict(V=49152, C=576, L=30, NH=9, NKV=3, D=64, F=1536, theta=100000.0, eps=1e-5, bias=False, qk_norm=False),
    "qwen2.5-0.5b": dict(V=151936, C=896, L=24, NH=14, NKV=2, D=64, F=4864, theta=1e6, eps=1e-6, bias=True, qk_norm=False),
    "qwen3-0.6b": dict(V=151936, C=1024, L=28, NH=16, NKV=8, D=128, F=3072, theta=1e6, eps=1e-6, bias=False, qk_norm=True),
    "llama3.2-1b": dict(V=128256, C=2048, L=16, NH=32, NKV=8, D=64, F=8192, theta=500000.0, eps=1e-5, bias=False, qk_norm=False),
}


class RMSNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Block(nn.Module):
    def __init__(self, s):
        super().__init__()
        C, NH, NKV, D = s["C"], s["NH"], s["NKV"], s["D"]
        self.s = s
        self.ln1, self.ln2 = RMSNorm(C, s["eps"]), RMSNorm(C, s["eps"])
        self.q = nn.Linear(C, NH * D, bias=s["bias"])
        self.k = nn.Linear(C, NKV * D, bias=s["bias"])
        self.v = nn.Linear(C, NKV * D, bias=s["bias"])
        self.o = nn.Linear(NH * D, C, bias=False)
        if s["qk_norm"]:
            self.qn, self.kn = RMSNorm(D, s["eps"]), RMSNorm(D, s["eps"])
        self.gate = nn.Linear(C, s["F"], bias=False)
        self.up = nn.Linear(C, s["F"], bias=False)
        self.down = nn.Linear(s["F"], C, bias=False)

    def forward(self, h, cos, sin):
        B, T, _ = h.shape
        NH, NKV, D = self.s["NH"], self.s["NKV"], self.s["D"]
        x = self.ln1(h)
        q, k, v = self.q(x).view(B, T, NH, D), self.k(x).view(B, T, NKV, D), self.v(x).view(B, T, NKV, D)
        if self.s["qk_norm"]:
            q, k = self.qn(q), self.kn(k)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k, v = k.repeat_interleave(NH // NKV, dim=1), v.repeat_interleave(NH // NKV, dim=1)
        mask = torch.full((T, T), float("-inf")).triu(1)
        y = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(D) + mask, dim=-1) @ v
        h = h + self.o(y.transpose(1, 2).reshape(B, T, NH * D))
        x = self.ln2(h)
        return h + self.down(F.silu(self.gate(x)) * self.up(x))


class Model(nn.Module):
    def __init__(self, s):
        super().__init__()
        self.s = s
        self.wte = nn.Embedding(s["V"], s["C"])
        self.blocks = nn.ModuleList([Block(s) for _ in range(s["L"])])
        self.lnf = RMSNorm(s["C"], s["eps"])
        for n, p in self.named_parameters():
            if p.dim() == 2:
                nn.init.normal_(p, 0.0, 0.02)

    def forward(self, idx):
        T, D = idx.shape[1], self.s["D"]
        inv = 1.0 / (self.s["theta"] ** (torch.arange(0, D, 2).float() / D))
        freqs = torch.arange(T).float()[:, None] * inv[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        h = self.wte(idx)
        for b in self.blocks:
            h = b(h, cos, sin)
        return self.lnf(h) @ self.wte.weight.T   # tied head


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="qwen2.5-0.5b", choices=sorted(SHAPES))
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    s = SHAPES[args.preset]
    model = Model(s)
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.999), eps=1e-8)
    B, T, V = args.batch, args.seq, s["V"]
    idx = torch.randint(0, V, (B, T))
    targets = torch.randint(0, V, (B, T))
    weights = torch.full((B, T), 1.0 / (B * T))
    times, cpu_times = [], []
    for step in range(args.steps + 1):
        start, cpu_start = time.perf_counter(), time.process_time()
        opt.zero_grad(set_to_none=True)
        logits = model(idx)
        loss = (F.cross_entropy(logits.view(-1, V), targets.view(-1), reduction="none") * weights.view(-1)).sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step > 0:
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
    seconds = statistics.median(times)
    print(json.dumps({
        "peer": "pytorch %s cpu, %d threads" % (torch.__version__, args.threads),
        "preset": args.preset, "batch": B, "seq": T, "steps": args.steps, "loss": loss.item(),
        "params": sum(p.numel() for p in model.parameters()),
        "ms_per_step": seconds * 1e3, "cpu_ms_per_step": statistics.median(cpu_times) * 1e3,
        "tokens_per_s": B * T / seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }))


if __name__ == "__main__":
    main()
