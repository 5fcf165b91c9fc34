"""Golden values for the recurrent layers: tests/Nonlinear.Tests/Golden/recurrent-torch.json.

PyTorch's nn.RNN / nn.LSTM / nn.GRU (one layer, batch_first=True, h0 = c0 = 0) with float32 weights and inputs,
evaluated in float64. The loss is L = sum(upstream * output) for a fixed upstream tensor, so the gradients are the
vector-Jacobian products of that upstream. Run with /usr/bin/python3 (torch 1.13); never from the tests.
"""
import json
import torch

torch.manual_seed(20261130)
# (N, T, F, H): H = 5 is all remainder for the fused cells' vectors; H = 20 is one 512-bit vector (two 256-bit ones)
# and a remainder of 4. The H = 20 cases come last, so that the earlier cases keep their random values.
CASES = [
    ((2, 4, 3, 5), "rnn", {"nonlinearity": "tanh"}, False),
    ((2, 4, 3, 5), "rnn", {"nonlinearity": "relu"}, True),
    ((2, 4, 3, 5), "lstm", {}, False),
    ((2, 4, 3, 5), "lstm", {}, True),
    ((2, 4, 3, 5), "gru", {}, False),
    ((2, 4, 3, 5), "gru", {}, True),
    ((3, 4, 3, 20), "rnn", {"nonlinearity": "tanh"}, True),
    ((3, 4, 3, 20), "lstm", {}, True),
    ((3, 4, 3, 20), "gru", {}, True),
]
MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
NAMES = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]


def as_list(t):
    return t.detach().to(torch.float32).flatten().tolist()


cases = []
for (N, T, F, H), kind, kwargs, seq in CASES:
    module = MODULES[kind](F, H, batch_first=True, **kwargs)
    x32 = (torch.rand(N, T, F) * 4 - 2).to(torch.float32)
    module = module.double()
    x = x32.double().requires_grad_(True)
    out, _ = module(x)
    y = out if seq else out[:, -1, :]
    upstream = (torch.rand(y.shape) * 2 - 1).to(torch.float32)
    (y * upstream.double()).sum().backward()
    params = dict(module.named_parameters())
    cases.append({
        "layer": kind,
        "activation": kwargs.get("nonlinearity", None),
        "seq": seq,
        "shape": {"N": N, "T": T, "F": F, "H": H},
        "weights": {n[:-3]: as_list(params[n]) for n in NAMES},
        "input": as_list(x),
        "output": as_list(y),
        "upstream": as_list(upstream),
        "input_gradient": as_list(x.grad),
        "gradients": {n[:-3]: as_list(params[n].grad) for n in NAMES},
    })

doc = {
    "generator": f"PyTorch {torch.__version__} (tools/make_golden_recurrent.py)",
    "convention": "float32 weights and inputs, computed in float64, rounded once to float32; row-major flattening; "
                  "output is h_T [N,H] or all h [N,T,H] when seq; gradients of sum(upstream * output)",
    "cases": cases,
}
with open("tests/Nonlinear.Tests/Golden/recurrent-torch.json", "w") as f:
    json.dump(doc, f)
print("wrote", len(cases), "cases")
