#!/usr/bin/python3
"""Writes tests/data/st-python.safetensors (F32, F16 and BF16 tensors from PyTorch, with a hand-written
safetensors writer: 8-byte little-endian header length, JSON header, raw data) and st-python.json, the
float32 bit patterns PyTorch gets when it converts each tensor to float32."""
import json
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))

torch.manual_seed(1234)
tensors = {
    "linear.weight": torch.randn(3, 5, dtype=torch.float32),
    "half.values": torch.tensor([1.0, -2.5, 65504.0, 6.1e-5, 5.96e-8, -0.0, float("inf"), 0.333], dtype=torch.float16),
    "half.matrix": torch.randn(2, 3).to(torch.float16),
    "brain.values": torch.tensor([[1.0, -3.140625], [1e30, -1e-30]], dtype=torch.bfloat16),
    "brain.random": torch.randn(4, 2, 2).to(torch.bfloat16),
    "scalar": torch.tensor(7.25, dtype=torch.float32),
}
names = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def raw_bytes(t):
    # bf16 has no numpy type: reinterpret the storage as int16
    if t.dtype == torch.bfloat16:
        return t.contiguous().view(torch.int16).numpy().astype("<i2").tobytes()
    return t.contiguous().numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


header = {"__metadata__": {"format": "pt", "source": "make-safetensors-data.py"}}
data = b""
# deliberately not in name order, to check readers do not assume it
for name in ["half.values", "linear.weight", "brain.random", "scalar", "half.matrix", "brain.values"]:
    t = tensors[name]
    b = raw_bytes(t)
    header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(b)]}
    data += b
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
with open(os.path.join(HERE, "data", "st-python.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + data)

expected = {}
for name, t in tensors.items():
    f32 = t.to(torch.float32).reshape(-1)
    expected[name] = {"shape": list(t.shape), "dtype": names[t.dtype],
                      "bits": [struct.unpack("<I", struct.pack("<f", v))[0] for v in f32.tolist()]}
with open(os.path.join(HERE, "data", "st-python.json"), "w") as f:
    json.dump(expected, f, indent=1)
