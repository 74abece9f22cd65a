#!/usr/bin/python3
"""Writes tests/data/hf-gpt2-tiny/: a random GPT-2 (L=2, C=64, NH=4, 64 positions) in the Hugging Face hub's
layout (config.json, model.safetensors with `h.0.attn.c_attn.weight` names, Conv1D (in, out) weights and
the attn.bias / masked_bias buffers, vocab.json + merges.txt: GPT-2's first 700 merges, V = 657), plus
  model-save-pretrained.safetensors  the same weights in save_pretrained naming (`transformer.` prefix,
                                     tied lm_head.weight present)
  reference.safetensors              PyTorch's logits (T, V) for each prompt: logits.0, logits.1, ...
  reference.json                     prompts, their ids and PyTorch's greedy continuations
The model is written here from scratch (no transformers); usage:
  tests/make-hf-gpt2.py SHARED_GPT2_TOKENIZER_DIR"""
import json
import math
import os
import re
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data", "hf-gpt2-tiny")
N_MERGES = 400
L, C, NH, MAXT = 2, 64, 4, 64
PROMPTS = [
    "Q: Roger has 5 tennis balls. He buys 2 more cans of tennis balls. ###",
    "The coin is heads up. Is the coin still heads up?",
    "Let's think step by step.",
    "a",
    "Take the last letters of each word and concatenate them. -->",
]
N_GREEDY = 24


# ---- tokenizer subset: GPT-2's byte alphabet and its first N_MERGES merges ----
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def write_tokenizer(src):
    vocab = json.load(open(os.path.join(src, "vocab.json"), encoding="utf-8"))
    merges = [l for l in open(os.path.join(src, "merges.txt"), encoding="utf-8").read().split("\n")[1:] if l]
    merges = merges[:N_MERGES]
    sub = {t: i for t, i in vocab.items() if i < 256 + N_MERGES}
    assert len(sub) == 256 + N_MERGES
    sub["<|endoftext|>"] = len(sub)
    with open(os.path.join(OUT, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(sub, f, ensure_ascii=False)
    with open(os.path.join(OUT, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(merges) + "\n")
    return sub, {tuple(m.split(" ")): r for r, m in enumerate(merges)}


def encode_ascii(text, vocab, ranks):
    """GPT-2 BPE for ASCII text (where \\p{L} and \\p{N} are [A-Za-z] and [0-9])."""
    pat = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+")
    b2u = bytes_to_unicode()
    ids = []
    for piece in pat.findall(text):
        word = [b2u[b] for b in piece.encode()]
        while len(word) > 1:
            pairs = [(ranks.get((word[i], word[i + 1]), 1 << 30), i) for i in range(len(word) - 1)]
            best = min(pairs)[0]
            if best == 1 << 30:
                break
            a, b = [p for p, r in ranks.items() if r == best][0]
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and word[i] == a and word[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            word = out
        ids += [vocab[t] for t in word]
    return ids


# ---- the model, with the hub's parameter names ----
class Conv1D(torch.nn.Module):
    def __init__(self, nx, nf):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.empty(nx, nf))   # (in, out)
        self.bias = torch.nn.Parameter(torch.empty(nf))

    def forward(self, x):
        return x @ self.weight + self.bias


class Attention(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = Conv1D(C, 3 * C)
        self.c_proj = Conv1D(C, C)
        self.register_buffer("bias", torch.tril(torch.ones(MAXT, MAXT, dtype=torch.uint8)).view(1, 1, MAXT, MAXT))
        self.register_buffer("masked_bias", torch.tensor(-1e4))

    def forward(self, x):
        B, T, _ = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = [t.view(B, T, NH, C // NH).transpose(1, 2) for t in (q, k, v)]
        att = (q @ k.transpose(-1, -2)) / math.sqrt(C // NH)
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf")).softmax(-1)
        return self.c_proj((att @ v).transpose(1, 2).reshape(B, T, C))


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = Conv1D(C, 4 * C)
        self.c_proj = Conv1D(4 * C, C)

    def forward(self, x):
        return self.c_proj(gelu_new(self.c_fc(x)))


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = torch.nn.LayerNorm(C, eps=1e-5)
        self.attn = Attention()
        self.ln_2 = torch.nn.LayerNorm(C, eps=1e-5)
        self.mlp = MLP()

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT2(torch.nn.Module):
    def __init__(self, V):
        super().__init__()
        self.wte = torch.nn.Embedding(V, C)
        self.wpe = torch.nn.Embedding(MAXT, C)
        self.h = torch.nn.ModuleList([Block() for _ in range(L)])
        self.ln_f = torch.nn.LayerNorm(C, eps=1e-5)

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.h:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.T


# ---- safetensors, by hand: 8-byte little-endian header length, JSON header, raw data ----
def save_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        if t.dtype == torch.uint8:
            dtype, data = "U8", t.contiguous().numpy().tobytes()
        else:
            dtype, data = "F32", t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    os.makedirs(OUT, exist_ok=True)
    vocab, ranks = write_tokenizer(sys.argv[1])
    V = len(vocab)
    torch.manual_seed(20221210)
    model = GPT2(V)
    with torch.no_grad():
        for name, p in model.named_parameters():
            # random everywhere (LayerNorm weights around 1, biases non-zero) so a swapped tensor shows
            p.copy_(torch.randn_like(p) * (0.1 if "ln" in name else 0.08) + (1.0 if "ln" in name and name.endswith("weight") else 0.0))
    model.eval()

    config = {"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1,
              "bos_token_id": V - 1, "embd_pdrop": 0.1, "eos_token_id": V - 1, "initializer_range": 0.02,
              "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": MAXT, "n_embd": C, "n_head": NH,
              "n_layer": L, "n_positions": MAXT, "resid_pdrop": 0.1, "vocab_size": V}
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    # the hub's naming: buffers included, no prefix, no lm_head
    hub = {k: v for k, v in model.state_dict().items()}
    # the mask buffers stay (the loader must skip them), one as F32 and one as U8 as in older checkpoints
    hub["h.0.attn.bias"] = hub["h.0.attn.bias"].to(torch.float32)
    save_safetensors(os.path.join(OUT, "model.safetensors"), hub, {"format": "pt"})
    buffer = re.compile(r"h\.\d+\.attn\.(bias|masked_bias)$")
    saved = {"transformer." + k: v for k, v in model.state_dict().items() if not buffer.match(k)}
    saved["lm_head.weight"] = model.wte.weight
    save_safetensors(os.path.join(OUT, "model-save-pretrained.safetensors"), saved, {"format": "pt"})

    refs, logits_out = [], {}
    with torch.no_grad():
        for i, text in enumerate(PROMPTS):
            ids = encode_ascii(text, vocab, ranks)
            logits = model(torch.tensor([ids]))[0]
            logits_out["logits.%d" % i] = logits
            seq = list(ids)
            for _ in range(N_GREEDY):
                seq.append(int(model(torch.tensor([seq]))[0, -1].argmax()))
            refs.append({"text": text, "ids": ids, "greedy": seq[len(ids):]})
    save_safetensors(os.path.join(OUT, "reference.safetensors"), logits_out, {"format": "pt"})
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump({"n_greedy": N_GREEDY, "prompts": refs}, f, indent=1)


if __name__ == "__main__":
    main()
