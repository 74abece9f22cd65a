#!/usr/bin/python3
"""Writes tests/data/llama-golden/VARIANT/: a random LLaMA-family model in the Hugging Face layout
(config.json, generation_config.json, BF16 model.safetensors, or two shards with
model.safetensors.index.json) and reference.safetensors (F32): PyTorch's logits, the masked
cross-entropy loss and the gradient of every parameter (names "grad.<hf name>") for fixed inputs.

  llama    Llama 3.2 shape: untied head, GQA (4 heads over 2), llama3 rope_scaling, rope_theta 500000
  smollm2  SmolLM2 shape: tied head, plain multi-head attention (NKV = NH), rope_theta 10000
  qwen2    Qwen2.5 shape: tied head, q/k/v biases, GQA (4 over 1), rms_norm_eps 1e-6
  qwen3    Qwen3 shape: tied head, per-head q/k RMSNorm, head_dim 16 != hidden 32 / 4 heads; sharded

The reference is written here from transformers' modeling_llama.py, modeling_qwen2.py and
modeling_qwen3.py (RMSNorm in float32, rotate-half RoPE, repeat_kv, SDPA-equivalent causal softmax, SwiGLU),
in float32 on the BF16 weights as stored. Usage: tests/make-llama-golden.py (no arguments)."""
import json
import math
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "data", "llama-golden")
B, T = 2, 11

VARIANTS = {
    "llama": dict(model_type="llama", arch="LlamaForCausalLM", V=90, C=32, L=2, NH=4, NKV=2, D=8, F=48, maxT=64,
                  eps=1e-5, theta=500000.0, tied=False, bias=False, qk_norm=False,
                  rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                    original_max_position_embeddings=16)),
    "smollm2": dict(model_type="llama", arch="LlamaForCausalLM", V=77, C=32, L=2, NH=4, NKV=4, D=8, F=40, maxT=64,
                    eps=1e-5, theta=10000.0, tied=True, bias=False, qk_norm=False, rope_scaling=None),
    "qwen2": dict(model_type="qwen2", arch="Qwen2ForCausalLM", V=96, C=32, L=2, NH=4, NKV=1, D=8, F=56, maxT=64,
                  eps=1e-6, theta=1000000.0, tied=True, bias=True, qk_norm=False, rope_scaling=None),
    "qwen3": dict(model_type="qwen3", arch="Qwen3ForCausalLM", V=100, C=32, L=2, NH=4, NKV=2, D=16, F=48, maxT=64,
                  eps=1e-6, theta=1000000.0, tied=True, bias=False, qk_norm=True, rope_scaling=None),
}


def inv_freq_of(v):
    D = v["D"]
    inv = 1.0 / (v["theta"] ** (torch.arange(0, D, 2, dtype=torch.int64).float() / D))
    rs = v["rope_scaling"]
    if rs is None:
        return inv
    factor, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
    old = rs["original_max_position_embeddings"]
    low_wavelen, high_wavelen = old / lo, old / hi
    wavelen = 2 * math.pi / inv
    inv_l = torch.where(wavelen > low_wavelen, inv / factor, inv)
    smooth = (old / wavelen - lo) / (hi - lo)
    smoothed = (1 - smooth) * inv_l / factor + smooth * inv_l
    medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
    return torch.where(medium, smoothed, inv_l)


def rmsnorm(x, w, eps):
    var = x.pow(2).mean(-1, keepdim=True)
    return w * (x * torch.rsqrt(var + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def forward(v, p, idx):
    Bn, Tn = idx.shape
    NH, NKV, D, eps = v["NH"], v["NKV"], v["D"], v["eps"]
    pos = torch.arange(Tn)[None, :].float()
    freqs = (inv_freq_of(v)[None, :, None].float() @ pos[:, None, :]).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[:, None], emb.sin()[:, None]
    mask = torch.full((Tn, Tn), float("-inf")).triu(1)
    h = p["model.embed_tokens.weight"][idx]
    for l in range(v["L"]):
        pre = "model.layers.%d." % l
        x = rmsnorm(h, p[pre + "input_layernorm.weight"], eps)
        proj = {}
        for n in "qkv":
            y = x @ p[pre + "self_attn.%s_proj.weight" % n].T
            if v["bias"]:
                y = y + p[pre + "self_attn.%s_proj.bias" % n]
            proj[n] = y.view(Bn, Tn, -1, D)
        q, k, val = proj["q"], proj["k"], proj["v"]
        if v["qk_norm"]:
            q = rmsnorm(q, p[pre + "self_attn.q_norm.weight"], eps)
            k = rmsnorm(k, p[pre + "self_attn.k_norm.weight"], eps)
        q, k, val = q.transpose(1, 2), k.transpose(1, 2), val.transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(NH // NKV, dim=1)
        val = val.repeat_interleave(NH // NKV, dim=1)
        att = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(D) + mask, dim=-1)
        y = (att @ val).transpose(1, 2).reshape(Bn, Tn, NH * D)
        h = h + y @ p[pre + "self_attn.o_proj.weight"].T
        x = rmsnorm(h, p[pre + "post_attention_layernorm.weight"], eps)
        g = torch.nn.functional.silu(x @ p[pre + "mlp.gate_proj.weight"].T) * (x @ p[pre + "mlp.up_proj.weight"].T)
        h = h + g @ p[pre + "mlp.down_proj.weight"].T
    head = p["model.embed_tokens.weight"] if v["tied"] else p["lm_head.weight"]
    return rmsnorm(h, p["model.norm.weight"], eps) @ head.T


def shapes(v):
    C, NH, NKV, D, F, V = v["C"], v["NH"], v["NKV"], v["D"], v["F"], v["V"]
    s = {"model.embed_tokens.weight": (V, C), "model.norm.weight": (C,)}
    for l in range(v["L"]):
        pre = "model.layers.%d." % l
        s[pre + "input_layernorm.weight"] = (C,)
        s[pre + "post_attention_layernorm.weight"] = (C,)
        s[pre + "self_attn.q_proj.weight"] = (NH * D, C)
        s[pre + "self_attn.k_proj.weight"] = (NKV * D, C)
        s[pre + "self_attn.v_proj.weight"] = (NKV * D, C)
        s[pre + "self_attn.o_proj.weight"] = (C, NH * D)
        if v["bias"]:
            s[pre + "self_attn.q_proj.bias"] = (NH * D,)
            s[pre + "self_attn.k_proj.bias"] = (NKV * D,)
            s[pre + "self_attn.v_proj.bias"] = (NKV * D,)
        if v["qk_norm"]:
            s[pre + "self_attn.q_norm.weight"] = (D,)
            s[pre + "self_attn.k_norm.weight"] = (D,)
        s[pre + "mlp.gate_proj.weight"] = (F, C)
        s[pre + "mlp.up_proj.weight"] = (F, C)
        s[pre + "mlp.down_proj.weight"] = (C, F)
    if not v["tied"]:
        s["lm_head.weight"] = (V, C)
    return s


def write_safetensors(path, tensors, dtype):
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        if dtype == "BF16":
            raw = t.to(torch.bfloat16).view(torch.int16).numpy().tobytes()
        else:
            raw = t.float().numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def make(name, v, seed):
    torch.manual_seed(seed)
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    params = {}
    for n, shp in shapes(v).items():
        if n.endswith("norm.weight") or n.endswith("layernorm.weight"):
            t = torch.empty(shp).uniform_(0.5, 1.5)
        elif n.endswith(".bias"):
            t = torch.empty(shp).uniform_(-0.5, 0.5)
        else:
            t = torch.randn(shp) * 0.3
        params[n] = t.to(torch.bfloat16).float().requires_grad_(True)   # what BF16 on disk holds
    idx = torch.randint(0, v["V"], (B, T))
    targets = torch.randint(0, v["V"], (B, T))
    mask = (torch.rand(B, T) < 0.7).float()
    mask[0, 0] = 1.0
    weights = mask / mask.sum()
    logits = forward(v, params, idx)
    tok_loss = torch.nn.functional.cross_entropy(logits.reshape(-1, v["V"]), targets.reshape(-1), reduction="none")
    loss = (tok_loss * weights.reshape(-1)).sum()
    loss.backward()

    config = {
        "architectures": [v["arch"]], "model_type": v["model_type"], "hidden_act": "silu",
        "hidden_size": v["C"], "intermediate_size": v["F"], "num_hidden_layers": v["L"],
        "num_attention_heads": v["NH"], "num_key_value_heads": v["NKV"], "max_position_embeddings": v["maxT"],
        "rms_norm_eps": v["eps"], "rope_theta": v["theta"], "rope_scaling": v["rope_scaling"],
        "tie_word_embeddings": v["tied"], "vocab_size": v["V"], "torch_dtype": "bfloat16",
        "bos_token_id": 1, "eos_token_id": 2, "initializer_range": 0.02, "use_cache": True,
        "transformers_version": "4.51.0",
    }
    if v["model_type"] == "llama":
        config.update(attention_bias=False, mlp_bias=False, head_dim=v["D"], pretraining_tp=1)
    if v["model_type"] == "qwen3":
        config.update(head_dim=v["D"], attention_bias=False)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(d, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": 1, "eos_token_id": [2, 3], "transformers_version": "4.51.0"}, f, indent=2)
    weights_bf16 = {n: t.detach() for n, t in params.items()}
    if name == "qwen3":
        names = sorted(weights_bf16)
        half = len(names) // 2
        shards = {"model-00001-of-00002.safetensors": names[:half], "model-00002-of-00002.safetensors": names[half:]}
        wmap = {}
        for fname, ns in shards.items():
            write_safetensors(os.path.join(d, fname), {n: weights_bf16[n] for n in ns}, "BF16")
            wmap.update({n: fname for n in ns})
        total = sum(t.numel() * 2 for t in weights_bf16.values())
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {"total_size": total}, "weight_map": wmap}, f, indent=2)
    else:
        write_safetensors(os.path.join(d, "model.safetensors"), weights_bf16, "BF16")
    ref = {"inputs": idx.float(), "targets": targets.float(), "weights": weights, "logits": logits.detach(),
           "loss": loss.detach().reshape(1)}
    for n, t in params.items():
        ref["grad." + n] = t.grad
    write_safetensors(os.path.join(d, "reference.safetensors"), ref, "F32")
    print("%s: loss %.6f, %d parameters" % (name, loss.item(), sum(t.numel() for t in params.values())))


if __name__ == "__main__":
    for i, (name, v) in enumerate(VARIANTS.items()):
        make(name, v, 100 + i)
