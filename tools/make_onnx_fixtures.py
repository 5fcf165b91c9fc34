"""ONNX import fixtures: tests/Nonlinear.Tests/Golden/onnx/*.onnx, each with a JSON of a few inputs and PyTorch's outputs.

Small PyTorch MLPs and CNNs with seeded weights, exported by torch.onnx.export (PyTorch 1.13) at opset 13 and 17 so
that the graphs show what the exporter writes: Gemm for nn.Linear, MatMul + Add for x @ W + b, Flatten for nn.Flatten,
Reshape for x.view(...), the Erf pattern of exact GELU, the Mul/Pow/Tanh pattern of tanh GELU, Softplus -> Tanh -> Mul
(Mish), Sigmoid -> Mul (SiLU), HardSigmoid -> Mul (HardSwish at opset 13), Clip (ReLU6, Hardtanh), BatchNormalization
(eval mode, non-trivial running statistics), PRelu, Dropout (dropped in eval mode), Softmax / LogSoftmax / Sigmoid at the
end. The two Fashion-MNIST models are trained for a few hundred steps on the shipped subset (data/fashion-mnist-subset),
seeded, so that `nonlinear evaluate` on the imported model means something. Two more files are meant to be refused:
an LSTM and a grouped convolution.

Run with /usr/bin/python3 (torch 1.13; the python `onnx` package is not needed); never from the tests:

    /usr/bin/python3 tools/make_onnx_fixtures.py

JSON fields: file, opset, description, input_shape [N, ...], input (flat, row-major), output_shape, output (flat), and
final: "softmax", "log_softmax", "sigmoid" or "none" (what the graph's last operator is).
"""
import gzip
import json
import os
import struct
import warnings

import torch
import torch.nn as nn

warnings.filterwarnings("ignore")
torch.set_num_threads(1)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "Nonlinear.Tests", "Golden", "onnx")
DATA = os.path.join(ROOT, "data", "fashion-mnist-subset")
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    magic, count = struct.unpack(">II", raw[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", raw[8:16])
        return torch.tensor(list(raw[16:]), dtype=torch.float32).reshape(count, 1, rows, cols) / 255.0
    return torch.tensor(list(raw[8:]), dtype=torch.int64)


def metadata_entry(key, value):
    """ModelProto.metadata_props (field 14) as protobuf bytes; appending a field to a message is valid protobuf."""
    def varint(n):
        out = bytearray()
        while True:
            b = n & 0x7F
            n >>= 7
            out.append(b | (0x80 if n else 0))
            if not n:
                return bytes(out)

    k, v = key.encode(), value.encode()
    entry = b"\x0a" + varint(len(k)) + k + b"\x12" + varint(len(v)) + v
    return b"\x72" + varint(len(entry)) + entry


def floats(t):
    return [float(v) for v in t.detach().to(torch.float32).flatten().tolist()]


def export(model, name, x, opset, final, description, props=None):
    model.eval()
    path = os.path.join(OUT, name + ".onnx")
    torch.onnx.export(model, x[:1], path, opset_version=opset, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    if props:
        with open(path, "ab") as f:
            for key, value in props.items():
                f.write(metadata_entry(key, value))
    with torch.no_grad():
        y = model(x)
    doc = {"file": name + ".onnx", "opset": opset, "description": description, "final": final,
           "input_shape": list(x.shape), "input": floats(x), "output_shape": list(y.shape), "output": floats(y)}
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{name}: {os.path.getsize(path)} bytes, output {list(y.shape)}")


def perturb_batchnorm(model, generator):
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            c = m.num_features
            with torch.no_grad():
                m.running_mean.copy_(torch.rand(c, generator=generator) * 0.6 - 0.3)
                m.running_var.copy_(torch.rand(c, generator=generator) * 1.5 + 0.5)
                m.weight.copy_(torch.rand(c, generator=generator) * 1.0 + 0.5)
                m.bias.copy_(torch.rand(c, generator=generator) * 0.4 - 0.2)


class MatMulAdd(nn.Module):
    """x @ W + b with W stored [in, out]: exported as MatMul + Add (not Gemm)."""

    def __init__(self, n_in, n_out, generator):
        super().__init__()
        self.w = nn.Parameter((torch.rand(n_in, n_out, generator=generator) * 2 - 1) / n_in ** 0.5)
        self.b = nn.Parameter(torch.rand(n_out, generator=generator) * 0.2 - 0.1)

    def forward(self, x):
        return torch.matmul(x, self.w) + self.b


class ViewFlatten(nn.Module):
    """x.view(x.size(0), -1): with a symbolic batch, a Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain."""

    def forward(self, x):
        return x.view(x.size(0), -1)


class ReshapeFlatten(nn.Module):
    """x.reshape(-1, k): a Reshape to a constant [-1, k]."""

    def __init__(self, k):
        super().__init__()
        self.k = k

    def forward(self, x):
        return x.reshape(-1, self.k)


def train(model, steps, generator):
    images, labels = idx("train-images-idx3-ubyte.gz"), idx("train-labels-idx1-ubyte.gz")
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(steps):
        batch = torch.randint(0, images.shape[0], (64,), generator=generator)
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(images[batch]), labels[batch])
        loss.backward()
        optimizer.step()
    model.eval()
    test_images, test_labels = idx("t10k-images-idx3-ubyte.gz"), idx("t10k-labels-idx1-ubyte.gz")
    with torch.no_grad():
        accuracy = (model(test_images).argmax(1) == test_labels).float().mean().item()
    print(f"  trained {steps} steps: test accuracy {accuracy:.3f} on the shipped 500 test images")
    return accuracy


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(20261130)
    g = torch.Generator().manual_seed(12)
    test_images = idx("t10k-images-idx3-ubyte.gz")[:4]
    props = {"class_names": json.dumps(CLASSES)}

    # Fashion-MNIST MLP (Gemm, Flatten, Dropout dropped, Softmax at the end), opset 13.
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 10))
    train(mlp, 400, g)
    export(nn.Sequential(*mlp, nn.Softmax(dim=1)), "mlp_fashion_13", test_images, 13, "softmax",
           "Fashion-MNIST MLP: Flatten, Linear 784-16, ReLU, Dropout, Linear 16-10, Softmax; trained 400 steps", props)

    # Fashion-MNIST CNN (Conv, BatchNormalization, MaxPool, PRelu, Flatten, Softmax), opset 17. The batch norm follows
    # the ReLU: right after a Conv, torch.onnx.export folds it into the Conv's weights.
    cnn = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.BatchNorm2d(4), nn.MaxPool2d(2),
                        nn.Conv2d(4, 8, 3, padding=1), nn.PReLU(8), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(288, 10))
    train(cnn, 300, g)
    export(nn.Sequential(*cnn, nn.Softmax(dim=1)), "cnn_fashion_17", test_images, 17, "softmax",
           "Fashion-MNIST CNN: Conv 4x3, ReLU, BatchNorm2d, MaxPool 2, Conv 8x3 pad 1, PReLU(8), MaxPool 2, Flatten, "
           "Linear 288-10, Softmax; trained 300 steps", props)

    # Small CNN on [3, 8, 8] with strides, a reshape to [-1, k] and a sigmoid at the end (binary), both opsets.
    for opset in (13, 17):
        torch.manual_seed(5)
        small = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.SiLU(), nn.BatchNorm2d(4),
                              nn.Conv2d(4, 6, 3, padding=1), nn.Hardswish(), nn.MaxPool2d(3, stride=1),
                              ReshapeFlatten(24), nn.Linear(24, 1), nn.Sigmoid())
        perturb_batchnorm(small, torch.Generator().manual_seed(3))
        x = torch.rand(3, 3, 8, 8, generator=torch.Generator().manual_seed(4)) * 2 - 1
        export(small, f"cnn_small_{opset}", x, opset, "sigmoid",
               "CNN on [3,8,8]: Conv 4x3 s2 p1, SiLU, BatchNorm2d, Conv 6x3 p1, Hardswish, MaxPool 3 s1, "
               "reshape(-1, 24), Linear 24-1, Sigmoid")

    # x.view(x.size(0), -1) with a symbolic batch: the Shape/Gather/Unsqueeze/Concat chain before Reshape.
    torch.manual_seed(6)
    viewed = nn.Sequential(nn.Conv2d(2, 3, 2), nn.Tanh(), ViewFlatten(), nn.Linear(27, 4), nn.LogSoftmax(dim=1))
    x = torch.rand(2, 2, 4, 4, generator=torch.Generator().manual_seed(7)) * 2 - 1
    export(viewed, "cnn_view_13", x, 13, "log_softmax", "Conv 3x2, Tanh, x.view(x.size(0), -1), Linear 27-4, LogSoftmax")

    # Every activation pattern torch writes, on MLPs over [8] inputs, both opsets.
    for opset in (13, 17):
        torch.manual_seed(opset)
        gen = torch.Generator().manual_seed(opset)
        a = nn.Sequential(nn.Linear(8, 8), nn.GELU(), nn.Linear(8, 8), nn.GELU(approximate="tanh"),
                          nn.Linear(8, 8), nn.SiLU(), nn.Linear(8, 8), nn.Mish(), nn.Linear(8, 8), nn.Hardswish(),
                          nn.Linear(8, 8), nn.Softplus(beta=2, threshold=15), nn.Linear(8, 8), nn.Sigmoid(),
                          nn.Linear(8, 3))
        x = torch.rand(5, 8, generator=gen) * 6 - 3
        export(a, f"mlp_acts_a_{opset}", x, opset, "none",
               "Linear 8-8 + GELU, GELU tanh, SiLU, Mish, Hardswish, Softplus(beta 2, threshold 15), Sigmoid; Linear 8-3")
        b = nn.Sequential(MatMulAdd(8, 8, gen), nn.ELU(0.7), nn.Linear(8, 8), nn.LeakyReLU(0.1),
                          nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 8), nn.SELU(), nn.Linear(8, 8), nn.CELU(1.0),
                          nn.Linear(8, 8), nn.Hardsigmoid(), nn.Linear(8, 8), nn.ReLU6(), nn.Linear(8, 8),
                          nn.Hardtanh(-2, 2), nn.Linear(8, 8), nn.PReLU(), nn.Linear(8, 8), nn.PReLU(8),
                          nn.Dropout(0.2), nn.Linear(8, 8), nn.ReLU(), MatMulAdd(8, 4, gen), nn.Softmax(dim=-1))
        with torch.no_grad():
            for m in b.modules():
                if isinstance(m, nn.PReLU):
                    m.weight.copy_(torch.rand(m.weight.shape, generator=gen) * 0.5)
        perturb_batchnorm(b, gen)
        export(b, f"mlp_acts_b_{opset}", x * 2, opset, "softmax",
               "MatMul+Add 8-8, ELU 0.7, Linear, LeakyReLU 0.1, BatchNorm1d, Tanh, Linear, SELU, Linear, CELU 1, "
               "Linear, Hardsigmoid, Linear, ReLU6, Linear, Hardtanh(-2,2), Linear, PReLU(1), Linear, PReLU(8), "
               "Dropout, Linear, ReLU, MatMul+Add 8-4, Softmax")

    # Files the importer must refuse, naming the node: an LSTM and a grouped convolution.
    torch.manual_seed(8)
    lstm = nn.LSTM(3, 4, batch_first=True)
    torch.onnx.export(lstm, torch.rand(1, 5, 3), os.path.join(OUT, "lstm_13.onnx"), opset_version=13,
                      input_names=["input"], output_names=["output", "h", "c"])
    grouped = nn.Sequential(nn.Conv2d(4, 4, 3, groups=2), nn.ReLU(), nn.Flatten(), nn.Linear(16, 2))
    torch.onnx.export(grouped.eval(), torch.rand(1, 4, 4, 4), os.path.join(OUT, "conv_groups_13.onnx"),
                      opset_version=13, input_names=["input"], output_names=["output"])
    print("lstm_13.onnx, conv_groups_13.onnx: written (to be refused)")


if __name__ == "__main__":
    main()
