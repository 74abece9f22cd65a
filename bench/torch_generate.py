#!/usr/bin/python3
"""The PyTorch CPU peer of bench-generate: GPT-2 (pre-LayerNorm, GELU-tanh, tied head) with random
weights, batched greedy generation with a preallocated KV cache: one prefill pass over the prompts, then
one token per row per step. float32, torch.set_num_threads(threads). Prints one JSON object."""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F

PRESETS = {
    "gpt2": dict(L=12, NH=12, C=768, V=50257, maxT=1024),
    "tiny": dict(L=2, NH=4, C=128, V=128, maxT=256),
}


class Model(torch.nn.Module):
    def __init__(self, L, NH, C, V, maxT):
        super().__init__()
        self.L, self.NH, self.C = L, NH, C
        self.wte = torch.nn.Parameter(torch.randn(V, C) * 0.02)
        self.wpe = torch.nn.Parameter(torch.randn(maxT, C) * 0.02)
        self.ln1 = torch.nn.ModuleList([torch.nn.LayerNorm(C) for _ in range(L)])
        self.ln2 = torch.nn.ModuleList([torch.nn.LayerNorm(C) for _ in range(L)])
        self.qkv = torch.nn.ModuleList([torch.nn.Linear(C, 3 * C) for _ in range(L)])
        self.proj = torch.nn.ModuleList([torch.nn.Linear(C, C) for _ in range(L)])
        self.fc = torch.nn.ModuleList([torch.nn.Linear(C, 4 * C) for _ in range(L)])
        self.fcproj = torch.nn.ModuleList([torch.nn.Linear(4 * C, C) for _ in range(L)])
        self.lnf = torch.nn.LayerNorm(C)

    def forward(self, idx, pos0, kcache, vcache):
        """idx (B,T) at positions pos0..pos0+T-1; extends the caches (L,B,NH,Tc,HS); logits of the last token."""
        B, T = idx.shape
        HS = self.C // self.NH
        x = self.wte[idx] + self.wpe[pos0:pos0 + T]
        mask = torch.ones(T, pos0 + T, dtype=torch.bool).tril(diagonal=pos0)
        for l in range(self.L):
            q, k, v = self.qkv[l](self.ln1[l](x)).split(self.C, dim=2)
            q, k, v = [t.view(B, T, self.NH, HS).transpose(1, 2) for t in (q, k, v)]
            kcache[l, :, :, pos0:pos0 + T] = k
            vcache[l, :, :, pos0:pos0 + T] = v
            K, Vv = kcache[l, :, :, :pos0 + T], vcache[l, :, :, :pos0 + T]
            att = (q @ K.transpose(-1, -2)) / math.sqrt(HS)
            att = att.masked_fill(~mask, float("-inf")).softmax(-1)
            y = (att @ Vv).transpose(1, 2).reshape(B, T, self.C)
            x = x + self.proj[l](y)
            h = self.fc[l](self.ln2[l](x))
            x = x + self.fcproj[l](F.gelu(h, approximate="tanh"))
        return self.lnf(x[:, -1]) @ self.wte.T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="tiny", choices=PRESETS)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--prompt-len", type=int, default=32)
    ap.add_argument("--new", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    cfg = PRESETS[a.preset]
    model = Model(**cfg).eval()
    idx = torch.randint(1, cfg["V"], (a.batch, a.prompt_len))
    HS = cfg["C"] // cfg["NH"]
    Tc = a.prompt_len + a.new
    with torch.no_grad():
        t0 = time.perf_counter()
        kc = torch.empty(cfg["L"], a.batch, cfg["NH"], Tc, HS)
        vc = torch.empty_like(kc)
        logits = model(idx, 0, kc, vc)
        out = []
        for step in range(a.new):
            nxt = logits.argmax(-1)
            out.append(nxt)
            if step + 1 < a.new:
                logits = model(nxt[:, None], a.prompt_len + step, kc, vc)
        t1 = time.perf_counter()
    n = a.batch * a.new
    print(json.dumps({"peer": "pytorch %s cpu (%d threads)" % (torch.__version__, a.threads), "preset": a.preset,
                      "batch": a.batch, "prompt_len": a.prompt_len, "new_tokens": a.new,
                      "seconds": round(t1 - t0, 4), "tokens_per_s": round(n / (t1 - t0), 2)}))


if __name__ == "__main__":
    main()
