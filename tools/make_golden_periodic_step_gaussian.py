#!/usr/bin/python3
"""Adds PyTorch golden values for sin, heaviside (our step) and the Gaussian e^(-x^2) to
tests/Nonlinear.Tests/Golden/activations-torch.json, on the same float32 inputs as every other elementwise entry.

Same method and PyTorch as the rest of the file (Debian's python3-torch 1.13.1, which reports 1.13.0a0, and
numpy 1.24.2): outputs and derivatives are computed in float64 on the float32 inputs and rounded once to
float32; torch_float32_* are PyTorch's own float32 results. Two entries need a word:
  * heaviside: PyTorch implements no derivative for it (autograd raises), so its derivatives are the catalog's
    convention, 0 everywhere, and say so in "note"; torch.heaviside(NaN) is 0 (the file keeps it).
  * gaussian: PyTorch has no such function; the entry is torch.exp(-x * x) and its autograd derivative, which
    is NaN at ±inf (exp(-inf) * -2inf).
Re-running replaces these three entries; nothing else in the file changes.
Usage: /usr/bin/python3 tools/make_golden_periodic_step_gaussian.py
"""
import json
import math
import os

import torch

PATH = os.path.join(os.path.dirname(__file__), "..", "tests", "Nonlinear.Tests", "Golden", "activations-torch.json")
NAMES = ("sin", "heaviside", "gaussian")


def decode(v):
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(v, v) if isinstance(v, str) else v


def encode(v):
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def to_float32(t):
    return [encode(v) for v in t.detach().to(torch.float32).tolist()]


def heaviside(x):
    return torch.heaviside(x, torch.zeros_like(x))


def gaussian(x):
    return torch.exp(-x * x)


def values(f, x32, dtype, differentiable):
    x = x32.to(dtype).clone().requires_grad_(differentiable)
    y = f(x)
    if not differentiable:
        return y, torch.zeros_like(x)
    y.backward(torch.ones_like(y))
    return y, x.grad


def entry(name, f, inputs, differentiable):
    x32 = torch.tensor(inputs, dtype=torch.float32)
    y64, d64 = values(f, x32, torch.float64, differentiable)
    y32, d32 = values(f, x32, torch.float32, differentiable)
    e = {"activation": name, "params": {}, "inputs": [encode(v) for v in inputs],
         "outputs": to_float32(y64), "derivatives": to_float32(d64),
         "torch_float32_outputs": to_float32(y32), "torch_float32_derivatives": to_float32(d32)}
    if not differentiable:
        e["note"] = "PyTorch implements no derivative for heaviside; derivatives are the convention 0 everywhere"
    if name == "gaussian":
        e["note"] = "no PyTorch function: torch.exp(-x * x) and its autograd derivative"
    return e


def main():
    with open(PATH, encoding="utf-8") as fh:
        doc = json.load(fh)
    inputs = [decode(v) for v in doc["elementwise"][0]["inputs"]]
    doc["elementwise"] = [e for e in doc["elementwise"] if e["activation"] not in NAMES]
    doc["elementwise"] += [
        entry("sin", torch.sin, inputs, True),
        entry("heaviside", heaviside, inputs, False),
        entry("gaussian", gaussian, inputs, True),
    ]
    with open(PATH, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(doc, separators=(",", ":")))
    print(f"{PATH}: {len(doc['elementwise'])} elementwise entries ({torch.__version__})")


if __name__ == "__main__":
    main()
