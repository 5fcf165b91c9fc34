"""Golden values for LayerNorm and MultiHeadAttention from PyTorch 1.13 (Debian's python3-torch).

Writes tests/Nonlinear.Tests/Golden/attention-torch.json. Inputs and weights are drawn in float32 (so that the
library sees exactly the same numbers), then the forward and backward run in float64: the outputs are the exact
values a float32 implementation should approach. The backward is that of L = sum(upstream * output) for the
recorded upstream gradient. Run: /usr/bin/python3 tools/make_golden_attention.py
"""
import json
import torch

torch.manual_seed(11)


def f32(*shape, scale=1.0):
    return ((torch.rand(*shape) * 2 - 1) * scale).float()


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def layernorm_case(shape):
    d = shape[-1]
    x32, w32, b32, up32 = f32(*shape, scale=2), f32(d) + 1, f32(d, scale=0.5), f32(*shape)
    ln = torch.nn.LayerNorm(d).double()
    with torch.no_grad():
        ln.weight.copy_(w32.double())
        ln.bias.copy_(b32.double())
    x = x32.double().requires_grad_(True)
    y = ln(x)
    (y * up32.double()).sum().backward()
    return {
        "shape": list(shape), "eps": ln.eps,
        "input": flat(x32), "weight": flat(w32), "bias": flat(b32), "upstream": flat(up32),
        "output": flat(y), "input_gradient": flat(x.grad),
        "weight_gradient": flat(ln.weight.grad), "bias_gradient": flat(ln.bias.grad),
    }


def attention_case(n, t, d, heads, causal):
    mha = torch.nn.MultiheadAttention(d, heads, batch_first=True)
    with torch.no_grad():
        mha.in_proj_bias.copy_(f32(3 * d, scale=0.3))
        mha.out_proj.bias.copy_(f32(d, scale=0.3))
    mha = mha.double()
    x32, up32 = f32(n, t, d), f32(n, t, d)
    x = x32.double().requires_grad_(True)
    mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1) if causal else None
    y, weights = mha(x, x, x, attn_mask=mask, need_weights=True, average_attn_weights=True)
    (y * up32.double()).sum().backward()
    return {
        "shape": [n, t, d], "heads": heads, "causal": causal,
        "input": flat(x32), "upstream": flat(up32),
        "in_proj_weight": flat(mha.in_proj_weight), "in_proj_bias": flat(mha.in_proj_bias),
        "out_proj_weight": flat(mha.out_proj.weight), "out_proj_bias": flat(mha.out_proj.bias),
        "output": flat(y), "attention_weights_mean_over_heads": flat(weights),
        "input_gradient": flat(x.grad),
        "in_proj_weight_gradient": flat(mha.in_proj_weight.grad), "in_proj_bias_gradient": flat(mha.in_proj_bias.grad),
        "out_proj_weight_gradient": flat(mha.out_proj.weight.grad), "out_proj_bias_gradient": flat(mha.out_proj.bias.grad),
    }


def transformer_case(n, t, d, heads, ff, causal):
    layer = torch.nn.TransformerEncoderLayer(d, heads, dim_feedforward=ff, dropout=0.0, activation="gelu",
                                             batch_first=True, norm_first=True)
    with torch.no_grad():
        for name, p in layer.named_parameters():
            if name.endswith("bias") or name.startswith("norm"):
                p.add_(f32(*p.shape, scale=0.3))
    layer = layer.double()
    x32, up32 = f32(n, t, d), f32(n, t, d)
    x = x32.double().requires_grad_(True)
    mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1) if causal else None
    y = layer(x, src_mask=mask)
    (y * up32.double()).sum().backward()
    return {
        "shape": [n, t, d], "heads": heads, "ff": ff, "causal": causal,
        "input": flat(x32), "upstream": flat(up32), "output": flat(y), "input_gradient": flat(x.grad),
        "parameters": {name: flat(p) for name, p in layer.named_parameters()},
        "gradients": {name: flat(p.grad) for name, p in layer.named_parameters()},
    }


doc = {
    "generator": f"tools/make_golden_attention.py, torch {torch.__version__}, float32 draws computed in float64",
    "layernorm": [layernorm_case([2, 3, 5]), layernorm_case([4, 8])],
    "attention": [attention_case(2, 4, 8, 2, False), attention_case(2, 4, 8, 2, True), attention_case(1, 6, 12, 3, True)],
    "transformer": [transformer_case(2, 5, 8, 2, 16, False), transformer_case(2, 5, 8, 2, 16, True)],
}
with open("tests/Nonlinear.Tests/Golden/attention-torch.json", "w") as fh:
    json.dump(doc, fh, indent=1)
    fh.write("\n")
print("wrote", sum(len(v) for k, v in doc.items() if isinstance(v, list)), "cases")
