#!/usr/bin/python3
"""Writes tests/data/gpt2-golden.bin: a tiny random GPT-2 in PyTorch (float64) with the engine's math,
its logits, masked loss and every parameter gradient for one batch, and the losses of 10 steps of
gradient clipping + AdamW. test-gpt2.c checks the engine against it.

The model is written out here (no transformers): learned positions, pre-LayerNorm (eps 1e-5), causal
multi-head attention, GELU (tanh approximation), tied LM head over a vocabulary padded from V to Vp
(padding rows of wte are zero and never targets). Parameters use the engine's layout (ftc-gpt2.h), each
tensor stacked over the layers, linear weights as (out, in).

File format, little-endian:
  magic "FTCGOLD1"
  int32  L NH C V Vp maxT B T steps
  float32 lr beta1 beta2 eps weight_decay max_grad_norm
  int32  num_params
  float32 params[num_params]            (layout order)
  int32  inputs[B*T] targets[B*T]
  float32 weights[B*T]                  (mask / number of unmasked tokens)
  float32 logits[B*T*Vp] loss
  float32 grads[num_params]
  float32 step_losses[steps] step_grad_norms[steps]   (before each update)
"""
import math
import os
import struct
import sys

import torch

L, NH, C, V, Vp, maxT, B, T = 2, 2, 32, 67, 128, 16, 2, 8
STEPS = 10
LR, BETA1, BETA2, EPS, WD, CLIP = 1e-3, 0.9, 0.999, 1e-8, 0.1, 1.0

# name, shape, per layer, decay (matrices and embeddings)
LAYOUT = [
    ("wte", (Vp, C), False, True), ("wpe", (maxT, C), False, True),
    ("ln1w", (C,), True, False), ("ln1b", (C,), True, False),
    ("qkvw", (3 * C, C), True, True), ("qkvb", (3 * C,), True, False),
    ("attprojw", (C, C), True, True), ("attprojb", (C,), True, False),
    ("ln2w", (C,), True, False), ("ln2b", (C,), True, False),
    ("fcw", (4 * C, C), True, True), ("fcb", (4 * C,), True, False),
    ("fcprojw", (C, 4 * C), True, True), ("fcprojb", (C,), True, False),
    ("lnfw", (C,), False, False), ("lnfb", (C,), False, False),
]


def make_params(gen):
    params = {}
    for name, shape, per_layer, _ in LAYOUT:
        full = ((L,) + shape) if per_layer else shape
        if name.startswith("ln") and name.endswith("w"):
            x = 1.0 + 0.1 * torch.randn(full, generator=gen, dtype=torch.float64)
        elif len(shape) == 2:
            x = 0.08 * torch.randn(full, generator=gen, dtype=torch.float64)
        else:   # biases, random so that their paths are checked too
            x = 0.05 * torch.randn(full, generator=gen, dtype=torch.float64)
        if name == "wte":
            x[V:] = 0.0
        params[name] = torch.nn.Parameter(x)
    return params


def gelu(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def layernorm(x, w, b):
    return torch.nn.functional.layer_norm(x, (C,), w, b, eps=1e-5)


def forward(p, inputs):
    HS = C // NH
    x = p["wte"][inputs] + p["wpe"][:T]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    for l in range(L):
        h = layernorm(x, p["ln1w"][l], p["ln1b"][l])
        qkv = h @ p["qkvw"][l].T + p["qkvb"][l]
        q, k, v = qkv.split(C, dim=2)
        q = q.view(B, T, NH, HS).transpose(1, 2)
        k = k.view(B, T, NH, HS).transpose(1, 2)
        v = v.view(B, T, NH, HS).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(HS)
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + y @ p["attprojw"][l].T + p["attprojb"][l]
        h = layernorm(x, p["ln2w"][l], p["ln2b"][l])
        h = gelu(h @ p["fcw"][l].T + p["fcb"][l])
        x = x + h @ p["fcprojw"][l].T + p["fcprojb"][l]
    x = layernorm(x, p["lnfw"], p["lnfb"])
    return x @ p["wte"].T                     # (B,T,Vp); padded columns are 0


def loss_fn(logits, targets, weights):
    logp = torch.log_softmax(logits[..., :V], dim=-1)
    token_loss = -logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return (weights * token_loss).sum()


def flat(tensors):
    return torch.cat([tensors[name].detach().reshape(-1) for name, _, _, _ in LAYOUT])


def f32(values):
    values = [float(v) for v in values]
    return struct.pack("<%df" % len(values), *values)


def i32(values):
    values = [int(v) for v in values]
    return struct.pack("<%di" % len(values), *values)


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data", "gpt2-golden.bin")
    gen = torch.Generator().manual_seed(20221028)
    p = make_params(gen)
    inputs = torch.randint(0, V, (B, T), generator=gen)
    targets = torch.randint(0, V, (B, T), generator=gen)
    # loss mask: the "prompt" part of each row is masked out, as in fine-tuning on completions
    mask = torch.zeros(B, T, dtype=torch.float64)
    mask[0, 3:] = 1.0
    mask[1, 5:] = 1.0
    weights = mask / mask.sum()
    params0 = flat(p)

    logits = forward(p, inputs)
    loss = loss_fn(logits, targets, weights)
    loss.backward()
    grads0 = torch.cat([p[name].grad.reshape(-1) for name, _, _, _ in LAYOUT])

    decay = [p[name] for name, _, _, d in LAYOUT if d]
    no_decay = [p[name] for name, _, _, d in LAYOUT if not d]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WD}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=LR, betas=(BETA1, BETA2), eps=EPS)
    step_losses, step_norms = [], []
    for _ in range(STEPS):
        opt.zero_grad()
        step_loss = loss_fn(forward(p, inputs), targets, weights)
        step_loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(list(p.values()), CLIP)
        opt.step()
        step_losses.append(step_loss.item())
        step_norms.append(norm.item())

    with open(out_path + ".tmp", "wb") as f:
        f.write(b"FTCGOLD1")
        f.write(i32([L, NH, C, V, Vp, maxT, B, T, STEPS]))
        f.write(f32([LR, BETA1, BETA2, EPS, WD, CLIP]))
        f.write(i32([params0.numel()]))
        f.write(f32(params0.tolist()))
        f.write(i32(inputs.reshape(-1).tolist()))
        f.write(i32(targets.reshape(-1).tolist()))
        f.write(f32(weights.reshape(-1).tolist()))
        f.write(f32(logits.detach().reshape(-1).tolist()))
        f.write(f32([loss.item()]))
        f.write(f32(grads0.tolist()))
        f.write(f32(step_losses))
        f.write(f32(step_norms))
    os.replace(out_path + ".tmp", out_path)
    print("wrote %s: %d parameters, loss %.6f, losses after %d steps %.6f" %
          (out_path, params0.numel(), loss.item(), STEPS, step_losses[-1]))


if __name__ == "__main__":
    main()
